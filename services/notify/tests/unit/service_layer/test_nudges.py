"""Reminders notify schedules itself: before a proposal expires, and after a mentee's silence."""

from __future__ import annotations

from datetime import timedelta

from mentorship_contracts.events import CheckInRecorded, MatchAccepted, MatchProposed
from notify.domain.check_ins import WatchState
from notify.domain.events import EventKind
from notify.service_layer import nudges

from .events import PAIR, T0, event, knowing

PROPOSED = MatchProposed(
    **PAIR, match_id="m-1", proposed_by="admin", expires_at=T0 + timedelta(days=7)
)
ACCEPTED = MatchAccepted(**PAIR, match_id="m-1")


async def test_a_mentor_is_reminded_a_day_before_an_unanswered_proposal_expires() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PROPOSED), ctx)

    assert await nudges.send_due_nudges(ctx) == 0
    world.clock.advance(days=6)
    assert await nudges.send_due_nudges(ctx) == 1

    [told] = world.store.notifications.values()
    assert (told.user_id, told.notification.kind) == ("u-grace", EventKind.PROPOSAL_EXPIRING)
    assert await nudges.send_due_nudges(ctx) == 0  # once


async def test_an_answered_proposal_reminds_nobody() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PROPOSED), ctx)
    await nudges.on_event(event(ACCEPTED, T0 + timedelta(days=1)), ctx)
    world.clock.advance(days=6)

    await nudges.send_due_nudges(ctx)

    assert world.nudges.proposals["expiring:m-1"][1] == "cancelled"
    assert not [
        s
        for s in world.store.notifications.values()
        if s.notification.kind is EventKind.PROPOSAL_EXPIRING
    ]


async def test_a_proposal_that_lapsed_before_the_worker_came_reminds_nobody() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PROPOSED), ctx)
    world.clock.advance(days=8)

    assert await nudges.send_due_nudges(ctx) == 0
    assert world.nudges.proposals["expiring:m-1"][1] == "lapsed"


async def test_a_silent_mentee_is_reminded_to_check_in_once_per_silence() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(ACCEPTED), ctx)

    world.clock.advance(days=8)  # the default: 7 days
    assert await nudges.send_due_nudges(ctx) == 1
    assert await nudges.send_due_nudges(ctx) == 0

    [told] = world.store.notifications.values()
    assert (told.user_id, told.notification.kind) == ("u-ada", EventKind.CHECK_IN_OVERDUE)
    assert world.nudges.watches["pt-ada"].state is WatchState.REMINDED


async def test_a_check_in_starts_a_new_silence() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(ACCEPTED), ctx)
    checked = CheckInRecorded(
        **PAIR, check_in_id="c-1", module_id="purpose", confidence=4, assessed_by="mentee"
    )
    await nudges.on_event(event(checked, T0 + timedelta(days=5)), ctx)

    world.clock.advance(days=8)

    assert await nudges.send_due_nudges(ctx) == 0
    assert world.nudges.watches["pt-ada"].since == T0 + timedelta(days=5)
