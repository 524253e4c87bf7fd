"""Every query the reminders send, scheduling from events and in the worker's job, is served by
an index on the real server (as ``test_query_plans`` checks for the rest of notify's hot path).

Left out, as the one query that reads a whole table: the job's list of programs with their
check-in days (``NudgeStore.reminder_days``), one small document per program, read once a round.
"""

from __future__ import annotations

from datetime import date, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts.events import (
    CheckInRecorded,
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    ParticipantWithdrawn,
    PlannedSessionCancelled,
    PlannedSessionRescheduled,
    ProgramPublished,
    SessionLogged,
    SessionPlanned,
)
from mentorship_contracts.events.programs import ProgramAdmin
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.plans import QueryRecorder, scans
from notify.adapters.nudges import NudgeStore
from notify.service_layer import handlers, nudges
from notify.service_layer.context import Context

from .test_query_plans import PROGRAM, context, event, registered, shapes

__all__ = ["context"]  # the fixture, shared with test_query_plans


async def test_what_the_reminders_send_is_served_by_indexes(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db
    await NudgeStore(db).ensure_indexes()
    admin = ProgramAdmin(user_id="u-admin", display_name="Admin", email="admin@example.org")
    program = ProgramPublished(
        program_id=PROGRAM, name="Pilot", status="open", learning_path_id="p", admins=[admin]
    )
    await handlers.on_program(event(program, clock), ctx)
    for role in ("mentor", "mentee"):
        await handlers.on_participant(event(registered(0, role), clock), ctx)
        await handlers.on_participant(event(registered(1, role), clock), ctx)
    pair = {"mentee_id": "pt-mentee-0", "mentor_id": "pt-mentor-0", "program_id": PROGRAM}
    expires = clock() + timedelta(days=7)

    starts = clock() + timedelta(days=1)
    plan = {
        **pair,
        "starts_at": starts,
        "time_zone": "Europe/Paris",
        "duration_minutes": 60,
        "changed_by": "mentee",
        "planned_by": "mentee",
    }

    recorder.recording = True
    for payload in (
        SessionPlanned(**plan, planned_session_id="ps-1", sequence=0),
        PlannedSessionRescheduled(
            **plan, planned_session_id="ps-1", sequence=1, previous_starts_at=starts
        ),
        SessionPlanned(**plan, planned_session_id="ps-2", sequence=0),
        PlannedSessionCancelled(**plan, planned_session_id="ps-2", sequence=1),
        SessionLogged(**pair, session_id="s-3", held_on=date(2026, 11, 2), duration_minutes=30),
        MatchProposed(**pair, match_id="m-1", proposed_by="admin", expires_at=expires),
        MatchProposed(**pair, match_id="m-2", proposed_by="admin", expires_at=expires),
        MatchDeclined(**pair, match_id="m-2"),
        MatchAccepted(**pair, match_id="m-3"),
        CheckInRecorded(
            **pair, check_in_id="c-1", module_id="purpose", confidence=3, assessed_by="mentee"
        ),
    ):
        await nudges.on_event(event(payload, clock), ctx)
    clock.advance(days=6, hours=12)
    assert await nudges.send_due_nudges(ctx) == 3  # the proposal m-1, both sides of ps-1
    clock.advance(days=1)
    assert await nudges.send_due_nudges(ctx) == 1  # the silence since the check-in
    ended = MatchEnded(**pair, match_id="m-3", outcome="completed")
    await nudges.on_event(event(ended, clock), ctx)
    left = ParticipantWithdrawn(participant_id="pt-mentor-1", program_id=PROGRAM)
    await nudges.on_event(event(left, clock), ctx)
    recorder.recording = False

    recorded = shapes(recorder.queries)
    expected = {
        ("proposal_reminders", "update", frozenset({"_id"})),  # scheduled
        ("proposal_reminders", "update", frozenset({"_id", "status"})),  # answered, sent
        ("proposal_reminders", "find", frozenset({"status", "due_at"})),  # due
        ("proposal_reminders", "update", frozenset({"mentee_id", "status"})),  # withdrawn
        ("proposal_reminders", "update", frozenset({"mentor_id", "status"})),
        ("confirmation_reminders", "update", frozenset({"_id", "status", "sequence"})),
        ("confirmation_reminders", "update", frozenset({"_id", "status"})),  # dropped, sent
        ("confirmation_reminders", "find", frozenset({"status", "due_at"})),  # due
        ("confirmation_reminders", "update", frozenset({"mentee_id", "mentor_id", "status"})),
        ("confirmation_reminders", "update", frozenset({"mentee_id", "status"})),  # withdrawn
        ("confirmation_reminders", "update", frozenset({"mentor_id", "status"})),
        ("check_in_watches", "find", frozenset({"_id"})),
        ("check_in_watches", "update", frozenset({"_id", "version"})),
        ("check_in_watches", "find", frozenset({"state", "program_id", "since"})),  # due
        ("check_in_watches", "update", frozenset({"_id", "state", "since"})),  # reminded
    }
    assert expected <= recorded, sorted(expected - recorded)
    programs: tuple[str, str, frozenset[str]] = ("programs", "find", frozenset())
    assert programs in recorded
    others = [q for q in recorder.queries if (q.collection, q.filter) != ("programs", {})]
    assert await scans(db, others) == []
