"""Every query notify sends on its hot path is served by an index on the real server.

The stores are built on a database whose client records every filter sent
(``mentorship_testing.plans``); a program with its people, notifications, deliveries, a reminder
and parked events is set up with recording off, then the hot path is run with it on: the
directory (a profile update, a program published again, people and admins looked up by id),
planning a batch of events and its redelivery (notifications and their deliveries held, released,
dropped; an event for someone unknown parked, then planned when they arrive), a round of the
delivery worker (the quick due query, claims, renewals while a send runs, settlements, a dead
delivery lettered, the done ones moved to the log), the inbox reads behind the gateway (a page
and the next, unread only, the unread count) and marking read, a rating reminder scheduled,
cancelled and sent, and the events parked for a name planned once their wait is over.
``scans`` then pads each collection with 3,000 documents matching none of those filters and asks
the server how it would answer each: none may read a whole table.

Left out, as the one query that needs ranges and a sort: the worker's full due query (every due
delivery, oldest first, ``DeliveryStore.candidates`` with ``thorough``), which FerretDB answers by
reading the whole queue; the queue holds only the deliveries in flight and the worker runs it
every ``THOROUGH_EVERY`` rounds. Also left out: the outbox sweep (a periodic job).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import nullcontext
from datetime import date, timedelta
from typing import Any, cast

import pytest_asyncio
from pymongo import monitoring
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import (
    ConfidenceDropped,
    ParticipantRegistered,
    ParticipantUpdated,
    ProgramPublished,
    SessionLogged,
    SessionRated,
)
from mentorship_contracts.events.programs import ProgramAdmin
from mentorship_runtime.batched import Batched
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import Query, QueryRecorder, reads_whole_table, scans
from notify.adapters.deliveries import HELD, DeliveryStore
from notify.adapters.nudges import NudgeStore
from notify.adapters.store import NotifyStore
from notify.adapters.weekly_digests import WeeklyDigestStore
from notify.service_layer import handlers, reminders
from notify.service_layer.commands import MarkRead
from notify.service_layer.context import Context
from notify.service_layer.delivery import DeliveryWorker, WorkerConfig
from notify.service_layer.handlers import NAMES_WAIT
from notify.service_layer.ports import SendFailed

PROGRAM = "pg-1"
MENTORS = 3
MENTEES = 6
BOUNCING = "mentor-2@bounces.example.org"
"""The address of a mentor whose e-mails fail for good: their deliveries die."""


def queue_of(ctx: Context) -> DeliveryStore:
    """The delivery queue's adapter, for what only the real store answers."""
    return cast(DeliveryStore, ctx.deliveries)


class Senders:
    """E-mail and webhook senders that take a moment (so the worker renews its leases), and dead
    letters that note what they are given."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.dead: list[Any] = []

    async def send(self, email: Any) -> None:
        await asyncio.sleep(0.15)
        if email.to == BOUNCING:
            raise SendFailed("550 no such mailbox", transient=False)
        self.sent.append(email)

    async def post(self, call: Any) -> None:
        self.sent.append(call)

    async def publish(self, delivery: Any) -> None:
        self.dead.append(delivery)


def registered(i: int, role: str) -> ParticipantRegistered:
    email = BOUNCING if (role, i) == ("mentor", 2) else f"{role}-{i}@example.org"
    return ParticipantRegistered(
        participant_id=f"pt-{role}-{i}",
        program_id=PROGRAM,
        user_id=f"u-{role}-{i}",
        roles=[role],
        display_name=f"{role.title()} {i}",
        email=email,
    )


def dropped(mentee: int, module: str, *, mentee_id: str | None = None) -> ConfidenceDropped:
    """A drop of a mentee's confidence: an e-mail to their mentor."""
    return ConfidenceDropped(
        mentee_id=mentee_id or f"pt-mentee-{mentee}",
        mentor_id=f"pt-mentor-{mentee % MENTORS}",
        program_id=PROGRAM,
        module_id=module,
        previous_confidence=4,
        confidence=2,
    )


def batch(*payloads: Any, clock: Clock) -> list[Batched]:
    return [Batched(new_envelope(p, producer="test", clock=clock), nullcontext) for p in payloads]


def event(payload: Any, clock: Clock) -> Envelope[Any]:
    return new_envelope(payload, producer="test", clock=clock)


def shapes(recorded: list[Query]) -> set[tuple[str, str, frozenset[str]]]:
    """Which collection, command and top-level fields each recorded filter names."""
    return {(q.collection, q.command, frozenset(q.filter)) for q in recorded}


def aggregations_recorded(recorder: QueryRecorder) -> list[tuple[str, list[Document]]]:
    """The aggregations sent while ``recorder`` records (collection, pipeline), which it does
    not keep itself: the unread counts (``count_documents`` is one too)."""
    kept: list[tuple[str, list[Document]]] = []
    started = recorder.started

    def also_aggregations(event: monitoring.CommandStartedEvent) -> None:
        started(event)
        if (
            recorder.recording
            and event.database_name == recorder.database
            and event.command_name == "aggregate"
        ):
            kept.append((event.command["aggregate"], list(event.command["pipeline"])))

    recorder.started = also_aggregations  # type: ignore[method-assign]
    return kept


@pytest_asyncio.fixture(loop_scope="session")
async def context(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> AsyncIterator[Context]:
    db, recorder = recorded_db
    recorder.recording = False
    async with publishing_as(
        kafka_bootstrap, topic_prefix, "notify", "test-notify-query-plans"
    ) as broker:
        clock = Clock()
        store = NotifyStore(
            db, OutboxRelay(broker, clock=clock), clock=clock, topic_prefix=topic_prefix
        )
        deliveries = DeliveryStore(db)
        await store.ensure_indexes()
        await deliveries.ensure_indexes()
        yield Context(
            store=store,
            deliveries=deliveries,
            ratings=deliveries,
            nudges=NudgeStore(db),
            digests=WeeklyDigestStore(db),
            clock=clock,
        )


async def test_what_the_hot_path_sends_is_served_by_indexes(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db
    senders = Senders()
    worker = DeliveryWorker(
        ctx.deliveries,
        ctx.store,
        senders,
        senders,
        senders,
        clock,
        WorkerConfig(concurrency=4, renew_every=timedelta(milliseconds=30)),
    )
    # ---- a program, its people, their inbox and the worker's first round, not recorded ------
    admin = ProgramAdmin(user_id="u-admin", display_name="Admin", email="admin@example.org")
    await handlers.on_program(
        event(
            ProgramPublished(
                program_id=PROGRAM,
                name="Pilot",
                status="open",
                learning_path_id="p",
                admins=[admin],
            ),
            clock,
        ),
        ctx,
    )
    for i in range(MENTORS):
        await handlers.on_participant(event(registered(i, "mentor"), clock), ctx)
    for i in range(MENTEES):
        await handlers.on_participant(event(registered(i, "mentee"), clock), ctx)
    earlier = batch(
        *(dropped(i, module) for i in range(MENTEES) for module in ("purpose", "team")),
        clock=clock,
    )
    assert await handlers.on_occurrences(earlier, ctx) == len(earlier)
    first = await worker.run_once()  # the first round is a thorough one
    assert first.sent > 0
    inbox = await db.notifications.find({"user_id": "u-mentor-0"}).to_list()
    reader = Principal("u-mentor-0", frozenset({"mentor"}))
    await handlers.mark_read(MarkRead(reader, (inbox[0]["_id"],)), ctx)
    logged = SessionLogged(
        mentee_id="pt-mentee-0",
        mentor_id="pt-mentor-0",
        program_id=PROGRAM,
        session_id="s-1",
        held_on=date(2026, 10, 30),
        duration_minutes=45,
        rated_by=[],
    )
    await reminders.on_session_logged(event(logged, clock), ctx)
    # an event for a mentee notify does not know yet: parked, waiting for their name
    await handlers.on_occurrences(batch(dropped(0, "late", mentee_id="pt-late"), clock=clock), ctx)
    clock.advance(minutes=1)

    # ---- the hot path, recorded -------------------------------------------------------------
    aggregates = aggregations_recorded(recorder)
    recorder.recording = True
    # the directory
    update = ParticipantUpdated(
        participant_id="pt-mentee-1", program_id=PROGRAM, display_name="Mentee One"
    )
    await handlers.on_participant(event(update, clock), ctx)
    await handlers.on_program(
        event(
            ProgramPublished(
                program_id=PROGRAM,
                name="Pilot 2",
                status="open",
                learning_path_id="p",
                admins=[admin],
            ),
            clock,
        ),
        ctx,
    )
    assert len(await ctx.store.recipients(["pt-mentee-2", "pt-mentor-2"])) == 2
    assert await ctx.store.program_admins(PROGRAM) is not None
    # planning a batch (one event for a mentee not known yet: parked), its redelivery, a replay
    # of events whose e-mails went out (queued again, then dropped), the mentee's arrival
    later = dropped(0, "impact", mentee_id="pt-later")
    fresh = batch(*(dropped(i, "impact") for i in range(MENTEES)), later, clock=clock)
    assert await handlers.on_occurrences(fresh, ctx) == MENTEES
    assert await handlers.on_occurrences(fresh, ctx) == 0
    assert await handlers.on_occurrences(earlier, ctx) == 0
    arrival = registered(9, "mentee").model_copy(update={"participant_id": "pt-later"})
    await handlers.on_participant(event(arrival, clock), ctx)
    # the delivery worker's round: the quick query, claims, renewals, settlements, dead letters
    clock.advance(seconds=1)
    round_ = await worker.run_once()
    assert (round_.sent, round_.dead) == (MENTEES + 1 - 2, 2)  # mentor 2 bounces
    assert len(senders.dead) == 2 + first.dead
    assert not await queue_of(ctx).candidates(clock(), 100, thorough=False)
    # the inbox behind the gateway's dashboard, and marking read
    _, after = await ctx.store.inbox("u-mentor-0", unread_only=False, first=2, after=None)
    assert after is not None
    await ctx.store.inbox("u-mentor-0", unread_only=False, first=2, after=after)
    unread, _ = await ctx.store.inbox("u-mentor-0", unread_only=True, first=20, after=None)
    assert await ctx.store.unread_count("u-mentor-0") == len(unread) > 0
    subjects = ["pt-mentee-0", "pt-mentee-3", "pt-later"]
    by_subject = await ctx.store.unread_by_subject("u-mentor-0", subjects)
    assert sum(by_subject.values()) == len(unread)
    marker = Principal("u-mentor-0", frozenset({"mentor"}))
    assert await handlers.mark_read(MarkRead(marker, (unread[0].notification_id,)), ctx) == 1
    # rating reminders: one scheduled and cancelled, one sent once due
    second = logged.model_copy(update={"session_id": "s-2"})
    await reminders.on_session_logged(event(second, clock), ctx)
    rated = SessionRated(
        mentee_id="pt-mentee-0",
        mentor_id="pt-mentor-0",
        program_id=PROGRAM,
        session_id="s-2",
        rated_by="mentee",
        rating=4,
    )
    await reminders.on_session_rated(event(rated, clock), ctx)
    clock.advance(days=2)
    assert await reminders.send_due_reminders(ctx) == 3  # s-1 to both sides, s-2 to the mentor
    # events parked for a name: planned once their wait is over
    clock.advance(seconds=NAMES_WAIT.total_seconds())
    assert await handlers.plan_overdue(ctx) == 1
    recorder.recording = False

    recorded = shapes(recorder.queries)
    expected = {
        ("people", "find", frozenset({"_id"})),
        ("people", "update", frozenset({"_id", "version"})),
        ("programs", "find", frozenset({"_id"})),
        ("programs", "update", frozenset({"_id", "$or"})),
        ("parked_events", "find", frozenset({"waiting_for"})),
        ("preferences", "find", frozenset({"_id"})),
        ("deliveries", "update", frozenset({"lease"})),  # released, renewed
        ("deliveries", "delete", frozenset({"_id", "lease"})),  # dropped for the replay
        ("deliveries", "find", frozenset({"ready", "lease_until"})),  # the quick due query
        ("deliveries", "update", frozenset({"_id", "attempts", "lease", "lease_until"})),  # claim
        ("deliveries", "update", frozenset({"_id", "lease"})),  # settled
        ("deliveries", "find", frozenset({"status", "dead_lettered"})),  # dead, (not) lettered
        ("deliveries", "update", frozenset({"_id"})),  # lettered
        ("deliveries", "find", frozenset({"status"})),  # the sent ones, moved to the log
        ("deliveries", "delete", frozenset({"_id", "status"})),
        ("deliveries", "delete", frozenset({"_id", "status", "dead_lettered"})),
        ("notifications", "find", frozenset({"user_id"})),
        ("notifications", "find", frozenset({"user_id", "$or"})),
        ("notifications", "find", frozenset({"user_id", "read_at"})),
        ("notifications", "update", frozenset({"_id", "user_id", "read_at"})),
        ("reminders", "update", frozenset({"_id"})),
        ("reminders", "update", frozenset({"_id", "status"})),
        ("reminders", "find", frozenset({"status", "due_at"})),
        ("parked_events", "find", frozenset({"awaits_names", "names_due"})),
        ("parked_events", "update", frozenset({"_id"})),
        ("parked_events", "delete", frozenset({"_id", "mark"})),
    }
    assert expected <= recorded, sorted(expected - recorded)
    renewals = [
        q
        for q in recorder.queries
        if (q.collection, q.command, list(q.filter)) == ("deliveries", "update", ["lease"])
        and not q.filter["lease"].startswith(HELD)
    ]
    assert renewals  # sends took longer than renew_every
    full_due_query = frozenset({"status", "next_attempt_at", "lease_until"})
    assert ("deliveries", "find", full_due_query) not in recorded  # not a thorough round
    assert await scans(db, recorder.queries) == []
    # the unread counts are aggregations, which the recorder leaves out: explained here
    assert {collection for collection, _ in aggregates} == {"notifications"}
    assert len(aggregates) >= 2  # the unread count, and by subject
    for collection, pipeline in aggregates:
        explained = await db.command(
            "explain",
            {"aggregate": collection, "pipeline": pipeline, "cursor": {}},
            verbosity="queryPlanner",
        )
        assert not reads_whole_table(explained), pipeline
