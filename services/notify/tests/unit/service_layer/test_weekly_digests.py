"""Each mentor's weekly digest of their mentees' status changes, sent once the week is over."""

from __future__ import annotations

from datetime import timedelta

from mentorship_contracts.events import MatchAccepted, MatchEnded
from notify.domain.events import EventKind
from notify.service_layer import weekly_digests

from .events import DROPPED, PAIR, PROGRAM, T0, event, knowing

ACCEPTED = MatchAccepted(**PAIR, match_id="m-1")
DIGEST_DUE = T0 + timedelta(days=7)  # the next Monday, 08:00 in Paris: 07:00 UTC


async def test_a_week_of_changes_becomes_one_digest_for_the_mentor_once_it_is_over() -> None:
    world = await knowing()
    ctx = world.context()
    await weekly_digests.on_event(event(ACCEPTED, T0 - timedelta(days=30)), ctx)
    await weekly_digests.on_event(event(DROPPED), ctx)

    assert await weekly_digests.send_due_weekly_digests(ctx) == 0  # the week is not over
    world.clock.now = DIGEST_DUE
    assert await weekly_digests.send_due_weekly_digests(ctx) == 1

    [digest] = world.store.notifications.values()
    assert (digest.user_id, digest.notification.kind) == (
        "u-grace",
        EventKind.MENTOR_WEEKLY_DIGEST,
    )
    assert "Ada" in digest.notification.body
    assert await weekly_digests.send_due_weekly_digests(ctx) == 0  # once
    assert not world.digests.weeks  # handled, forgotten


async def test_a_change_recorded_twice_is_kept_once() -> None:
    world = await knowing()
    ctx = world.context()
    dropped = event(DROPPED)

    await weekly_digests.on_event(dropped, ctx)
    await weekly_digests.on_event(dropped, ctx)

    [(_, change)] = world.digests.changes.values()
    assert change.timezone == "Europe/Paris"  # the mentor's clock


async def test_a_mentee_no_longer_the_mentors_at_the_end_of_the_week_is_left_out() -> None:
    world = await knowing()
    ctx = world.context()
    await weekly_digests.on_event(event(ACCEPTED, T0 - timedelta(days=30)), ctx)
    await weekly_digests.on_event(event(DROPPED), ctx)
    ended = MatchEnded(**PAIR, match_id="m-1", outcome="completed")
    await weekly_digests.on_event(event(ended, T0 + timedelta(days=1)), ctx)
    world.clock.now = DIGEST_DUE

    assert await weekly_digests.send_due_weekly_digests(ctx) == 0

    assert not world.store.notifications
    assert not world.digests.changes


async def test_a_mentor_notify_does_not_know_gets_no_digest_and_is_placed_on_utc() -> None:
    world = await knowing(PROGRAM)
    ctx = world.context()
    await weekly_digests.on_event(event(ACCEPTED, T0 - timedelta(days=30)), ctx)
    await weekly_digests.on_event(event(DROPPED), ctx)
    [(_, change)] = world.digests.changes.values()
    assert change.timezone == "UTC"
    world.clock.now = DIGEST_DUE + timedelta(hours=2)

    assert await weekly_digests.send_due_weekly_digests(ctx) == 0
    assert not world.store.notifications
