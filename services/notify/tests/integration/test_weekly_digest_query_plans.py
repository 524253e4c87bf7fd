"""Every query of the mentors' weekly digest, recording changes from events and in the worker's
job, is served by an index on the real server (as ``test_query_plans`` checks for the rest of
notify's hot path).

Left out, as the one query that reads a whole table: the job's list of weeks with changes
waiting (``WeeklyDigestStore.weeks_waiting``), one small document per week, a week or two."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts.events import (
    ConfidenceDropped,
    MatchAccepted,
    MatchEnded,
    MenteeStalled,
    ProgramPublished,
)
from mentorship_contracts.events.programs import ProgramAdmin
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.plans import QueryRecorder, scans
from notify.adapters.weekly_digests import WeeklyDigestStore
from notify.service_layer import handlers, weekly_digests
from notify.service_layer.context import Context

from .test_query_plans import PROGRAM, context, event, registered, shapes

__all__ = ["context"]  # the fixture, shared with test_query_plans


async def test_what_the_weekly_digest_sends_is_served_by_indexes(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db
    await WeeklyDigestStore(db).ensure_indexes()
    admin = ProgramAdmin(user_id="u-admin", display_name="Admin", email="admin@example.org")
    program = ProgramPublished(
        program_id=PROGRAM, name="Pilot", status="open", learning_path_id="p", admins=[admin]
    )
    await handlers.on_program(event(program, clock), ctx)
    for role in ("mentor", "mentee"):
        await handlers.on_participant(event(registered(0, role), clock), ctx)
        await handlers.on_participant(event(registered(1, role), clock), ctx)
    pair = {"mentee_id": "pt-mentee-0", "mentor_id": "pt-mentor-0", "program_id": PROGRAM}
    other = {**pair, "mentee_id": "pt-mentee-1"}
    names = {"mentee_name": "Mentee 0", "mentor_name": "Mentor 0"}

    recorder.recording = True
    for payload in (
        MatchAccepted(**pair, **names, match_id="m-1"),
        MatchAccepted(**other, **names, match_id="m-2"),
        MenteeStalled(**pair, last_activity_at=clock(), stall_window_days=14),
        ConfidenceDropped(**other, module_id="purpose", previous_confidence=4, confidence=2),
        MatchEnded(**other, match_id="m-2", outcome="completed"),
    ):
        await weekly_digests.on_event(event(payload, clock), ctx)
    clock.advance(days=8)
    assert await weekly_digests.send_due_weekly_digests(ctx) == 1
    assert await weekly_digests.send_due_weekly_digests(ctx) == 0
    recorder.recording = False

    recorded = shapes(recorder.queries)
    expected = {
        ("weekly_digest_matches", "update", frozenset({"_id"})),  # accepted, ended
        ("weekly_digest_weeks", "update", frozenset({"_id"})),  # touched by a change
        ("weekly_digest_changes", "find", frozenset({"week", "due_at"})),  # due
        ("weekly_digest_changes", "find", frozenset({"digest"})),  # a digest's changes
        ("weekly_digest_changes", "delete", frozenset({"digest"})),  # sent
        ("weekly_digest_changes", "find", frozenset({"week"})),  # any left?
        ("weekly_digest_weeks", "delete", frozenset({"_id", "touched"})),  # none: forgotten
        ("weekly_digest_matches", "find", frozenset({"mentor_id"})),  # still theirs?
        ("programs", "find", frozenset({"_id"})),  # the program's name
    }
    assert expected <= recorded, sorted(expected - recorded)
    weeks: tuple[str, str, frozenset[str]] = ("weekly_digest_weeks", "find", frozenset())
    assert weeks in recorded
    others = [
        q for q in recorder.queries if (q.collection, q.filter) != ("weekly_digest_weeks", {})
    ]
    assert await scans(db, others) == []
