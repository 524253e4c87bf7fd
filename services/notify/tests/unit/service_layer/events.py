"""Events for the use cases' tests, and a notify that already knows the program and its pair."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import (
    ConfidenceDropped,
    MenteeStalled,
    ParticipantRegistered,
    ProgramPublished,
)
from mentorship_contracts.events.programs import ProgramAdmin
from notify.service_layer import handlers
from services.notify.tests.unit.fakes import Fakes, fakes

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
PAIR: dict[str, Any] = {"mentee_id": "pt-ada", "mentor_id": "pt-grace", "program_id": "pg-1"}
GRACE = ParticipantRegistered(
    participant_id="pt-grace",
    program_id="pg-1",
    user_id="u-grace",
    roles=["mentor"],
    display_name="Grace",
    email="grace@example.org",
    timezone="Europe/Paris",
)
ADA = ParticipantRegistered(
    participant_id="pt-ada",
    program_id="pg-1",
    user_id="u-ada",
    roles=["mentee"],
    display_name="Ada",
    email="ada@example.org",
)
PROGRAM = ProgramPublished(
    program_id="pg-1",
    name="Pilot",
    status="open",
    learning_path_id="p",
    admins=[ProgramAdmin(user_id="u-alan", display_name="Alan", email="alan@example.org")],
)
DROPPED = ConfidenceDropped(**PAIR, module_id="purpose", previous_confidence=4, confidence=2)
STALLED = MenteeStalled(**PAIR, last_activity_at=T0 - timedelta(days=20), stall_window_days=14)


def event(payload: Any, at: datetime = T0) -> Envelope[Any]:
    return new_envelope(payload, producer="test", clock=lambda: at)


async def knowing(*payloads: Any, now: datetime = T0) -> Fakes:
    """Fakes of a notify that has read these directory events (the program, Grace and Ada by
    default)."""
    world = fakes(now)
    ctx = world.context()
    for payload in payloads or (PROGRAM, GRACE, ADA):
        if isinstance(payload, ProgramPublished):
            await handlers.on_program(event(payload, now), ctx)
        else:
            await handlers.on_participant(event(payload, now), ctx)
    return world
