"""Every query planned sessions send is served by an index on the real server: planning (with
the tracking read by ``_id``), rescheduling, cancelling, confirming as held (which logs the
session in the tracking), a mentee's planned sessions page by page (upcoming and past), and a
plan retried after its start. As ``test_query_plans``: recorded, then each filter asked again of
the server with every collection padded (``scans``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import new_envelope
from mentorship_contracts.events import MatchAccepted
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import QueryRecorder, scans
from progress.adapters.erasures import ErasureStore
from progress.adapters.planned_sessions import PlannedSessionStore
from progress.adapters.report import ReportStore
from progress.adapters.store import ProgressStore
from progress.domain.planned_sessions import PlannedStatus, When, schedule_of
from progress.service_layer import commands, handlers
from progress.service_layer import planned_sessions as use
from progress.service_layer.handlers import Context

MENTEE = Principal("mentee-0", frozenset({"mentee"}), "Ada", "ada@example.org")
MENTOR = Principal("mentor-0", frozenset({"mentor"}), "Grace", "grace@example.org")


@pytest_asyncio.fixture(loop_scope="session")
async def stores(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> AsyncIterator[tuple[Context, PlannedSessionStore]]:
    db, recorder = recorded_db
    recorder.recording = False
    async with publishing_as(
        kafka_bootstrap, topic_prefix, "progress", "test-planned-query-plans"
    ) as broker:
        clock = Clock()
        relay = OutboxRelay(broker, clock=clock)
        store = ProgressStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        plans = PlannedSessionStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        await store.prepare()
        await plans.ensure_indexes()
        erasures = ErasureStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        await erasures.ensure_indexes()
        yield Context(store, clock, timedelta(days=14), plans, erasures, ReportStore(db)), plans


def local(clock: Clock, days: int) -> str:
    return (clock() + timedelta(days=days)).strftime("%Y-%m-%dT10:00")


async def test_what_planned_sessions_send_is_served_by_indexes(
    stores: tuple[Context, PlannedSessionStore],
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
) -> None:
    ctx, _ = stores
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db
    accepted = MatchAccepted(
        match_id="m-0",
        program_id="pg-1",
        mentee_id="e-0",
        mentor_id="r-0",
        mentee_user_id=MENTEE.user_id,
        mentor_user_id=MENTOR.user_id,
    )
    await handlers.on_match_accepted(new_envelope(accepted, producer="mentoring", clock=clock), ctx)

    def schedule(days: int) -> Any:
        return schedule_of(
            local_start=local(clock, days),
            time_zone="Europe/Paris",
            duration_minutes=45,
            location="Café",
            video_url=None,
            module_ids=["purpose"],
        )

    recorder.recording = True
    first = await use.plan_session(
        commands.PlanSession(MENTEE, "e-0", planned_session_id="ps-1", schedule=schedule(2)), ctx
    )
    second = schedule(3)
    await use.plan_session(
        commands.PlanSession(MENTOR, "e-0", planned_session_id="ps-2", schedule=second), ctx
    )
    await use.reschedule_session(commands.RescheduleSession(MENTOR, "ps-1", schedule(4)), ctx)
    await use.cancel_session(commands.CancelSession(MENTEE, "ps-2", "ill"), ctx)
    clock.advance(days=5)
    held = await use.confirm_held(commands.ConfirmHeld(MENTOR, "ps-1", notes="good", rating=5), ctx)
    listed = await use.planned_of(ctx, MENTEE, "e-0", when=When.PAST, first=1)
    assert listed.next_cursor is not None
    rest = await use.planned_of(ctx, MENTEE, "e-0", when=When.PAST, after=listed.next_cursor)
    upcoming = await use.planned_of(ctx, MENTOR, "e-0", when=When.UPCOMING)
    retried = await use.plan_session(  # its start has passed: the retry answers what it planned
        commands.PlanSession(MENTOR, "e-0", planned_session_id="ps-2", schedule=second), ctx
    )
    recorder.recording = False

    assert (retried.id, retried.status) == ("ps-2", PlannedStatus.CANCELLED)
    assert held.status is PlannedStatus.HELD
    assert [(p.id, p.status) for p in [*listed.items, *rest.items]] == [
        ("ps-1", PlannedStatus.HELD),  # moved to day 4, so the latest start
        ("ps-2", PlannedStatus.CANCELLED),
    ]
    assert (upcoming.items, upcoming.next_cursor) == ([], None)
    assert first.sequence == 0
    assert [s.id for s in (await ctx.store.get("e-0")).tracking.sessions] == ["ps-1"]
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
