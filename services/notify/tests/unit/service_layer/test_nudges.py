"""Reminders notify schedules itself: before a proposal expires, and after a mentee's silence."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mentorship_contracts.events import (
    CheckInRecorded,
    MatchAcceptanceGiven,
    MatchAccepted,
    MatchCancelled,
    MatchDeclined,
    MatchExpired,
    MatchProposed,
    ParticipantWithdrawn,
)
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


def expiring_reminders(world: Any) -> list[Any]:
    return [
        s
        for s in world.store.notifications.values()
        if s.notification.kind is EventKind.PROPOSAL_EXPIRING
    ]


@pytest.mark.parametrize(
    "ending",
    [
        pytest.param(MatchAccepted(**PAIR, match_id="m-1"), id="accepted"),
        pytest.param(MatchDeclined(**PAIR, match_id="m-1"), id="declined"),
        pytest.param(
            MatchDeclined(**PAIR, match_id="m-1", declined_by="mentee"), id="mentee-declined"
        ),
        pytest.param(MatchExpired(**PAIR, match_id="m-1"), id="expired"),
        pytest.param(MatchCancelled(**PAIR, match_id="m-1", reason="On leave"), id="cancelled"),
        pytest.param(
            MatchAcceptanceGiven(
                **PAIR, match_id="m-1", accepted_by="mentor", expires_at=T0 + timedelta(days=7)
            ),
            id="mentor-accepted-first",
        ),
        pytest.param(
            ParticipantWithdrawn(participant_id="pt-grace", program_id="pg-1"),
            id="mentor-withdrawn",
        ),
        pytest.param(
            ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1"),
            id="mentee-withdrawn",
        ),
    ],
)
async def test_a_proposal_that_stopped_waiting_on_the_mentor_reminds_nobody(ending: Any) -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PROPOSED), ctx)
    await nudges.on_event(event(ending, T0 + timedelta(days=1)), ctx)
    world.clock.advance(days=6)

    assert await nudges.send_due_nudges(ctx) == 0
    assert world.nudges.proposals["expiring:m-1"][1] == "cancelled"
    assert not expiring_reminders(world)


async def test_a_proposal_the_mentee_accepted_first_still_waits_on_the_mentor() -> None:
    world = await knowing()
    ctx = world.context()
    mutual = PROPOSED.model_copy(update={"mentee_must_accept": True})
    given = MatchAcceptanceGiven(
        **PAIR, match_id="m-1", accepted_by="mentee", expires_at=mutual.expires_at
    )
    await nudges.on_event(event(mutual), ctx)
    await nudges.on_event(event(given, T0 + timedelta(days=1)), ctx)
    world.clock.advance(days=6)

    assert await nudges.send_due_nudges(ctx) == 1
    [told] = expiring_reminders(world)
    assert told.user_id == "u-grace"


async def test_someone_else_leaving_the_program_keeps_the_reminder() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PROPOSED), ctx)
    await nudges.on_event(
        event(ParticipantWithdrawn(participant_id="pt-x", program_id="pg-1")), ctx
    )
    world.clock.advance(days=6)

    assert await nudges.send_due_nudges(ctx) == 1


async def test_an_ending_that_overtakes_its_proposal_still_cancels_the_reminder() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(MatchCancelled(**PAIR, match_id="m-1", reason="Mistake")), ctx)
    await nudges.on_event(event(PROPOSED), ctx)
    world.clock.advance(days=6)

    assert await nudges.send_due_nudges(ctx) == 0
    assert world.nudges.proposals["expiring:m-1"][1] == "cancelled"


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
