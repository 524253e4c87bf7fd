"""Every query progress sends on an event's or a request's path is served by an index on the
real server.

The store is built on a database whose client records every filter sent
(``mentorship_testing.plans``); a program and its trackings are set up with recording off, then
what the consumers and requests do is run with it on: a program published again, a match
accepted (a new mentee, a re-match), a match ended, a withdrawal (of a mentee tracked, and of one
not tracked yet, parked then replayed), a check-in under an idempotency key, a milestone, a
session and its rating, a new learning path and a new version of it, and the reads behind the
gateway (a mentee's progress, a batch of them, a mentor's dashboard page after page and an
admin's view of it, a program's health, a mentee's history in detail: milestones, check-ins, a
confidence series, sessions, one check-in and one session, by the mentee, the mentor and an
admin). ``scans`` then pads each collection with 3,000
documents matching none of those filters and asks the server how it would answer each: none may
read a whole table.

Left out: the stall detection, a periodic job of the worker that reads every active tracking
that may stall (by ``state``, then ranges on dates) and every program's stall window
(``stall_window_days`` exists); the list of learning paths, which reads them all; the outbox
sweep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    MatchAccepted,
    MatchEnded,
    ParticipantWithdrawn,
    ProgramPublished,
)
from mentorship_contracts.events.programs import ProgramAdmin
from mentorship_runtime.idempotency import KeyLedger
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import Query, QueryRecorder, scans
from progress.adapters.erasures import ErasureStore
from progress.adapters.planned_sessions import PlannedSessionStore
from progress.adapters.report import ReportStore
from progress.adapters.store import ProgressStore
from progress.domain.learning_paths import MilestoneSpec, ModuleSpec
from progress.service_layer import commands, handlers, history, queries
from progress.service_layer.handlers import Context

ADMIN = Principal("admin", frozenset({"admin"}), "Admin", "admin@example.org")
PROGRAM = "pg-1"


def person(user_id: str, *roles: str) -> Principal:
    return Principal(user_id, frozenset(roles), user_id.title(), f"{user_id}@example.org")


@pytest_asyncio.fixture(loop_scope="session")
async def context(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> AsyncIterator[Context]:
    db, recorder = recorded_db
    recorder.recording = False
    async with publishing_as(
        kafka_bootstrap, topic_prefix, "progress", "test-query-plans"
    ) as broker:
        clock = Clock()
        relay = OutboxRelay(broker, clock=clock)
        store = ProgressStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        await store.prepare()
        planned = PlannedSessionStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        erasures = ErasureStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        await erasures.ensure_indexes()
        yield Context(store, clock, timedelta(days=14), planned, erasures, ReportStore(db))


def shapes(recorded: list[Query]) -> set[tuple[str, str, frozenset[str]]]:
    """Which collection, command and top-level fields each recorded filter names."""
    return {(q.collection, q.command, frozenset(q.filter)) for q in recorded}


async def test_what_events_and_requests_send_is_served_by_indexes(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db

    def event(payload: EventPayload) -> Envelope[Any]:
        clock.advance(seconds=1)
        return new_envelope(payload, producer="mentoring", clock=clock)

    def accepted(mentee: int, mentor: int) -> Envelope[Any]:
        return event(
            MatchAccepted(
                match_id=f"m-{mentee}-{mentor}",
                program_id=PROGRAM,
                mentee_id=f"e-{mentee}",
                mentor_id=f"r-{mentor}",
                mentee_user_id=f"mentee-{mentee}",
                mentor_user_id=f"mentor-{mentor}",
            )
        )

    def published(name: str) -> Envelope[Any]:
        return event(
            ProgramPublished(
                program_id=PROGRAM,
                name=name,
                status="open",
                learning_path_id="social-business-accompaniment",
                admins=[ProgramAdmin(user_id="admin")],
                stall_window_days=14,
            )
        )

    # ---- a program and its trackings, not recorded ------------------------------------------
    await handlers.on_program_published(published("Social business"), ctx)
    for number in range(6):
        await handlers.on_match_accepted(accepted(number, 0), ctx)
    await handlers.on_match_accepted(accepted(6, 1), ctx)

    # ---- what the consumers and requests do, recorded ---------------------------------------
    recorder.recording = True
    await handlers.on_program_published(published("Social business, spring"), ctx)
    await handlers.on_match_accepted(accepted(7, 0), ctx)
    await handlers.on_match_accepted(accepted(1, 1), ctx)
    await handlers.on_match_closed(
        event(
            MatchEnded(
                match_id="m-2-0",
                program_id=PROGRAM,
                mentee_id="e-2",
                mentor_id="r-0",
                outcome="ended_early",
            )
        ),
        ctx,
    )
    await handlers.on_participant_withdrawn(
        event(ParticipantWithdrawn(participant_id="e-3", program_id=PROGRAM)), ctx
    )
    await handlers.on_participant_withdrawn(
        event(ParticipantWithdrawn(participant_id="e-8", program_id=PROGRAM)), ctx
    )
    await handlers.on_match_accepted(accepted(8, 0), ctx)  # replays the parked withdrawal

    mentee = person("mentee-0", "mentee")
    mentor = person("mentor-0", "mentor")
    ledger = KeyLedger(db["idempotency_keys"], clock=clock)
    async with ledger.bound("k-1", "ci_1", "check-in e-0", creates="check-in ci_1 of e-0"):
        await handlers.record_check_in(
            commands.RecordCheckIn(
                mentee, "e-0", check_in_id="ci_1", module_id="purpose", confidence=3, note=None
            ),
            ctx,
        )
    await handlers.complete_milestone(
        commands.CompleteMilestone(mentor, "e-0", "explain-the-why", "summary"), ctx
    )
    await handlers.log_session(
        commands.LogSession(
            mentor,
            "e-0",
            session_id="ss_1",
            held_on=clock().date(),
            duration_minutes=45,
            module_ids=("purpose",),
            notes=None,
            rating=None,
        ),
        ctx,
    )
    await handlers.rate_session(commands.RateSession(mentee, "e-0", "ss_1", 4), ctx)
    module = ModuleSpec(
        "first-steps",
        "First steps",
        "Where to begin.",
        (MilestoneSpec("say-hello", "Say hello", "In the welcome space.", "A link."),),
    )
    await handlers.create_path(
        commands.CreatePath(ADMIN, path_id="onboarding", title="Onboarding", modules=(module,)),
        ctx,
    )
    await handlers.publish_path_version(
        commands.PublishPathVersion(
            ADMIN, path_id="onboarding", title="Onboarding, revised", modules=(module,)
        ),
        ctx,
    )

    await ctx.store.path("onboarding", 2)
    await queries.progress_of(ctx, mentee, "e-0")
    batch = await queries.progress_batch(ctx, ADMIN, [f"e-{i}" for i in range(9)])
    page = await queries.mentees_of(ctx, mentor, None, first=2, after=None)
    assert page.next_cursor is not None
    await queries.mentees_of(ctx, mentor, None, first=2, after=page.next_cursor)
    await queries.mentees_of(ctx, ADMIN, "r-0", first=2, after=None)
    await queries.program_health(ctx, ADMIN, PROGRAM)
    await history.sight(ctx, ADMIN, "e-0")
    await history.milestones(ctx, mentee, "e-0", first=2, after=None)
    check_ins = await history.check_ins(ctx, mentor, "e-0", module_id=None, first=5, after=None)
    await history.confidence_series(ctx, ADMIN, "e-0", module_id="purpose", first=5, after=None)
    sessions = await history.sessions(ctx, ADMIN, "e-0", first=5, after=None)
    await history.check_in(ctx, mentee, "e-0", "ci_1")
    await history.session(ctx, mentor, "e-0", "ss_1")
    recorder.recording = False

    assert [v.mentee_id for v in batch] == [f"e-{i}" for i in range(9)]
    assert [c.id for c in check_ins.items] == ["ci_1"]
    assert [(x.id, x.notes) for x in sessions.items] == [("ss_1", None)]
    recorded = shapes(recorder.queries)
    expected = {
        ("trackings", "find", frozenset({"_id"})),
        ("trackings", "update", frozenset({"_id", "version"})),
        ("trackings", "find", frozenset({"mentor_user_id", "state"})),
        ("trackings", "find", frozenset({"mentor_user_id", "state", "$or"})),
        ("trackings", "find", frozenset({"mentor_id", "state", "program_id"})),
        ("trackings", "find", frozenset({"program_id"})),
        ("programs", "find", frozenset({"admin_ids"})),
        ("programs", "find", frozenset({"_id"})),
        ("programs", "update", frozenset({"_id", "$or"})),
        ("learning_paths", "find", frozenset({"_id"})),
        ("learning_paths", "find", frozenset({"path_id"})),
        ("parked_events", "find", frozenset({"mentee_id"})),
        ("parked_events", "delete", frozenset({"_id"})),
        ("idempotency_keys", "update", frozenset({"_id", "fingerprint"})),
    }
    assert expected <= recorded, expected - recorded
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
