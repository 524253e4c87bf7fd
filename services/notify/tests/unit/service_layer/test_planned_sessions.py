"""A planned session's events become invitations with a calendar object, sent by e-mail."""

from __future__ import annotations

import random
from datetime import timedelta

from mentorship_contracts.events import PlannedSessionCancelled, SessionPlanned
from notify.domain.events import EventKind
from notify.service_layer import handlers
from notify.service_layer.delivery import DeliveryWorker
from services.notify.tests.unit.fakes import FakeSenders

from .events import PAIR, T0, event, knowing

PLAN: dict[str, object] = {
    **PAIR,
    "planned_session_id": "ps-1",
    "starts_at": T0 + timedelta(days=3),
    "time_zone": "Europe/Paris",
    "duration_minutes": 45,
    "changed_by": "mentor",
    "planned_by": "mentor",
}


async def test_a_planned_session_invites_the_mentee_with_a_calendar_request() -> None:
    world = await knowing()

    await handlers.on_occurrence(event(SessionPlanned(sequence=0, **PLAN)), world.context())

    invited = {
        s.user_id: s.notification
        for s in world.store.notifications.values()
        if s.notification.kind is EventKind.SESSION_PLANNED
    }
    assert "u-ada" in invited
    calendar = invited["u-ada"].calendar
    assert calendar is not None
    assert calendar.method == "REQUEST"
    assert "BEGIN:VEVENT" in calendar.ics


async def test_the_invitation_email_carries_its_calendar_and_a_cancellation_cancels_it() -> None:
    world = await knowing()
    ctx = world.context()
    await handlers.on_occurrence(event(SessionPlanned(sequence=0, **PLAN)), ctx)
    cancelled = PlannedSessionCancelled(sequence=1, **PLAN)
    await handlers.on_occurrence(event(cancelled, T0 + timedelta(hours=1)), ctx)
    world.clock.advance(hours=2)
    senders = FakeSenders()
    worker = DeliveryWorker(
        world.deliveries,
        world.store,
        senders,
        senders,
        senders,
        world.clock,
        rng=random.Random(1),
    )

    await worker.run_once()

    methods = sorted(
        e.calendar.method for e in senders.emails if e.to == "ada@example.org" and e.calendar
    )
    assert methods == ["CANCEL", "REQUEST"]
