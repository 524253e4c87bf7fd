"""After a planned session, both sides are asked to confirm it took place (or to cancel it):
scheduled from its plan, moved by a reschedule, dropped by its cancellation, its confirmation,
the end of the pair's match or a side leaving; once per planned session."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from mentorship_contracts.events import (
    MatchEnded,
    ParticipantWithdrawn,
    PlannedSessionCancelled,
    PlannedSessionRescheduled,
    SessionLogged,
    SessionPlanned,
)
from notify.domain.events import EventKind
from notify.service_layer import handlers, nudges
from services.notify.tests.unit.fakes import Fakes

from .events import ADA, GRACE, PAIR, PROGRAM, T0, event, knowing

STARTS = T0 + timedelta(days=3)  # Thursday 5 November 2026, 09:00 UTC
PLAN: dict[str, Any] = {
    **PAIR,
    "planned_session_id": "ps-1",
    "starts_at": STARTS,
    "time_zone": "Europe/Paris",
    "duration_minutes": 45,
    "changed_by": "mentor",
    "planned_by": "mentor",
}
PLANNED = SessionPlanned(sequence=0, **PLAN)
DUE = STARTS + timedelta(minutes=45) + nudges.CONFIRM_AFTER
LATER = STARTS + timedelta(days=1)
MOVED = PlannedSessionRescheduled(
    **{**PLAN, "starts_at": LATER}, sequence=1, previous_starts_at=STARTS
)
CONFIRMED = SessionLogged(**PAIR, session_id="ps-1", held_on=date(2026, 11, 5), duration_minutes=45)
FRENCH_GRACE = GRACE.model_copy(update={"language": "fr"})


def to_confirm(world: Fakes) -> dict[str | None, Any]:
    """The reminders stored, by user."""
    return {
        s.user_id: s.notification
        for s in world.store.notifications.values()
        if s.notification.kind is EventKind.SESSION_TO_CONFIRM
    }


def status(world: Fakes) -> str:
    return world.nudges.confirmations["confirm:ps-1"][1]


async def test_both_sides_are_asked_to_confirm_once_after_the_session_in_their_language() -> None:
    world = await knowing(PROGRAM, FRENCH_GRACE, ADA)
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)

    world.clock.now = DUE - timedelta(minutes=1)
    assert await nudges.send_due_nudges(ctx) == 0
    world.clock.now = DUE
    assert await nudges.send_due_nudges(ctx) == 2
    assert await nudges.send_due_nudges(ctx) == 0  # once

    told = to_confirm(world)
    assert set(told) == {"u-ada", "u-grace"}
    ada, grace = told["u-ada"], told["u-grace"]
    assert ada.title == "Did your session with Grace take place?"
    assert "Thursday 5 November 2026 at 09:00 (UTC), for 45 minutes" in ada.body
    assert "confirm it" in ada.body
    assert "cancel it" in ada.body
    assert grace.title == "Votre séance avec Ada a-t-elle eu lieu ?"
    assert "jeudi 5 novembre 2026 à 10:00 (Europe/Paris)" in grace.body
    assert ada.about.planned_session_id == "ps-1"
    assert ada.about.session_id is None  # it opens the planned session
    assert ada.calendar is None
    assert status(world) == "sent"


async def test_a_reschedule_moves_the_reminder_and_an_older_plan_arriving_late_does_not() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)
    await nudges.on_event(event(MOVED, T0 + timedelta(hours=1)), ctx)
    await nudges.on_event(event(PLANNED), ctx)  # redelivered after the reschedule

    world.clock.now = DUE + timedelta(hours=1)
    assert await nudges.send_due_nudges(ctx) == 0
    world.clock.now = DUE + timedelta(days=1)
    assert await nudges.send_due_nudges(ctx) == 2
    assert "Friday 6 November 2026 at 09:00" in to_confirm(world)["u-ada"].body


@pytest.mark.parametrize(
    ("dropping", "dropped_as"),
    [
        pytest.param(PlannedSessionCancelled(sequence=1, **PLAN), "cancelled", id="cancelled"),
        pytest.param(CONFIRMED, "confirmed", id="confirmed"),
        pytest.param(MatchEnded(**PAIR, match_id="m-1", outcome="ended_early"), "cancelled"),
        pytest.param(
            ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1"),
            "cancelled",
            id="mentee-withdrawn",
        ),
        pytest.param(
            ParticipantWithdrawn(participant_id="pt-grace", program_id="pg-1"),
            "cancelled",
            id="mentor-withdrawn",
        ),
    ],
)
async def test_a_session_cancelled_confirmed_or_out_of_its_match_reminds_nobody(
    dropping: Any, dropped_as: str
) -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)
    await nudges.on_event(event(dropping, STARTS + timedelta(hours=1)), ctx)
    await nudges.on_event(event(PLANNED), ctx)  # redelivered: schedules nothing again
    world.clock.now = DUE + timedelta(days=2)

    assert await nudges.send_due_nudges(ctx) == 0
    assert status(world) == dropped_as
    assert to_confirm(world) == {}


async def test_a_confirmation_read_before_its_plan_still_drops_the_reminder() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(CONFIRMED, STARTS + timedelta(hours=1)), ctx)
    await nudges.on_event(event(PLANNED), ctx)
    world.clock.now = DUE

    assert await nudges.send_due_nudges(ctx) == 0
    assert status(world) == "confirmed"


async def test_another_session_logged_or_another_pair_ending_keeps_the_reminder() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)
    other = CONFIRMED.model_copy(update={"session_id": "s-other"})
    await nudges.on_event(event(other), ctx)
    another_pair = MatchEnded(**{**PAIR, "mentor_id": "pt-x"}, match_id="m-0", outcome="completed")
    await nudges.on_event(event(another_pair), ctx)
    world.clock.now = DUE

    assert await nudges.send_due_nudges(ctx) == 2


async def test_a_reminder_sent_stays_sent_whatever_comes_after() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)
    world.clock.now = DUE
    assert await nudges.send_due_nudges(ctx) == 2

    await nudges.on_event(event(MOVED, DUE), ctx)
    await nudges.on_event(event(CONFIRMED, DUE), ctx)
    world.clock.now = DUE + timedelta(days=2)

    assert await nudges.send_due_nudges(ctx) == 0
    assert status(world) == "sent"
    assert len(to_confirm(world)) == 2


async def test_two_workers_at_once_ask_each_side_once() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)
    world.clock.now = DUE

    rounds = await asyncio.gather(*(nudges.send_due_nudges(world.context()) for _ in range(2)))

    assert sum(rounds) == 2
    assert len(to_confirm(world)) == 2


async def test_a_side_who_has_left_is_not_asked() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)
    # the directory knows Ada has left, the reminder did not hear of it (read on another topic)
    await handlers.on_participant(
        event(ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1")), ctx
    )
    world.clock.now = DUE

    assert await nudges.send_due_nudges(ctx) == 1
    assert set(to_confirm(world)) == {"u-grace"}


async def test_a_reminder_the_worker_reaches_a_week_late_lapses_unsent() -> None:
    """As when notify reads its events again long after the session: the confirmation read
    later in the same replay would come too late to stop it."""
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)

    world.clock.now = DUE + nudges.CONFIRM_LAPSES + timedelta(minutes=1)
    assert await nudges.send_due_nudges(ctx) == 0

    assert to_confirm(world) == {}
    assert status(world) == "lapsed"


async def test_a_reminder_reached_within_the_week_is_still_sent() -> None:
    world = await knowing()
    ctx = world.context()
    await nudges.on_event(event(PLANNED), ctx)

    world.clock.now = DUE + nudges.CONFIRM_LAPSES
    assert await nudges.send_due_nudges(ctx) == 2
    assert status(world) == "sent"
