"""The runtime's hot-path queries are answered from an index, not by reading a whole table.

Each test records the filters a piece of the runtime sends (``mentorship_testing.plans``), then
asks the server how it would answer each of them once the collection holds thousands of other
documents: none may read the whole table."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.idempotency import KeyLedger
from mentorship_runtime.kafka import ensure_topics, make_broker
from mentorship_runtime.mongo import Document, keep_if_newer
from mentorship_runtime.outbox import (
    OUTBOX_PENDING,
    OutboxRelay,
    ensure_outbox_index,
    outbox_entries,
    outbox_fields,
    outbox_update,
)
from mentorship_testing.kafka import eventually
from mentorship_testing.plans import QueryRecorder, scans

from .support import check_in

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def described(recorder: QueryRecorder) -> set[str]:
    return {query.describe() for query in recorder.queries}


async def swept(db: AsyncDatabase[Document]) -> bool:
    return not await db.mentees.count_documents({OUTBOX_PENDING: True})


async def test_the_outbox_finds_what_it_publishes_and_removes_without_a_scan(
    kafka_bootstrap: str,
    topic_prefix: str,
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
) -> None:
    """A write with its events, their drain, a batch's drain (one document written to again
    meanwhile), and the worker's sweep of what a crash left behind."""
    db, recorder = recorded_db
    recorder.recording = False
    await ensure_topics(kafka_bootstrap, [(topic_name(Topic.PROGRESS_EVENTS, topic_prefix), 3)])
    mentees = db.mentees
    await ensure_outbox_index(mentees)
    batch = {
        f"e-{i}": outbox_entries([check_in(mentee=f"e-{i}")], topic_prefix=topic_prefix)
        for i in (2, 3)
    }
    await mentees.insert_many([{"_id": m, **outbox_fields(e, now=T0)} for m, e in batch.items()])
    crashed = outbox_entries([check_in(mentee="e-4")], topic_prefix=topic_prefix)
    await mentees.insert_one({"_id": "e-4", **outbox_fields(crashed, now=T0)})  # never drained
    broker = make_broker(kafka_bootstrap, client_id="test-plans-outbox")
    await broker.start()
    relay = OutboxRelay(broker, clock=lambda: T0 + timedelta(minutes=1))
    recorder.recording = True
    try:
        parts = outbox_update([check_in(mentee="e-1")], now=T0, topic_prefix=topic_prefix)
        await mentees.update_one(
            {"_id": "e-1"},
            {"$set": {"confidence": 3, **parts["$set"]}, "$push": parts["$push"]},
            upsert=True,
        )
        assert await relay.drain(mentees, "e-1") == 1
        parts = outbox_update([check_in(mentee="e-3")], now=T0, topic_prefix=topic_prefix)
        await mentees.update_one({"_id": "e-3"}, parts)  # written to meanwhile
        assert await relay.drain_written(mentees, batch) == 2
        sweeper = asyncio.create_task(relay.run_sweeper([mentees], every=3600))
        try:
            await eventually(lambda: swept(db))
        finally:
            sweeper.cancel()
    finally:
        await broker.stop()
    recorder.recording = False

    recorded = described(recorder)
    for expected in (
        'update mentees {"_id": "e-1"}',
        'find mentees {"_id": "e-1"}',  # drain, reading what is pending
        'find mentees {"_outbox_pending": true}',  # the sweep
    ):
        assert expected in recorded
    removals = [
        q.filter for q in recorder.queries if q.command == "update" and "_outbox" in q.filter
    ]
    assert any(isinstance(f["_outbox"], list) for f in removals)  # emptied as published
    assert any(f["_outbox"] == {"$size": 0} for f in removals)  # e-3, written to meanwhile
    assert await scans(db, recorder.queries) == []


async def test_the_idempotency_ledger_finds_a_key_without_a_scan(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
) -> None:
    db, recorder = recorded_db
    ledger = KeyLedger(db.idempotency_keys, clock=lambda: T0)

    async with ledger.bound("k-1", "key-1", "request-a", creates="check-in") as binding:
        await binding.keep({"id": "ci-1"})
    async with ledger.bound("k-1", "key-1", "request-a", creates="check-in") as again:
        assert again.result == {"id": "ci-1"}

    recorded = described(recorder)
    assert 'find idempotency_keys {"_id": "key-1"}' in recorded  # the retry finds the key
    assert any(q.startswith("update idempotency_keys") and "result" in q for q in recorded)
    assert await scans(db, recorder.queries) == []


async def test_keeping_a_state_only_if_its_event_is_newer_needs_no_scan(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
) -> None:
    db, recorder = recorded_db

    async def keep(order: EventOrder, name: str) -> bool:
        newer = {
            "_id": "p-1",
            "$or": [
                {"set_by.micros": {"$lt": order.micros}},
                {"set_by.micros": order.micros, "set_by.event_id": {"$ne": order.event_id}},
            ],
        }
        fields = {"name": name, "set_by": order.document()}
        return await keep_if_newer(db.programs, "p-1", newer, fields, what="program")

    first, second = EventOrder(T0, "ev-1"), EventOrder(T0 + timedelta(seconds=1), "ev-2")
    assert await keep(first, "first")  # inserted
    assert await keep(second, "second")  # newer: updated
    assert not await keep(first, "first")  # older: found, left alone

    recorded = described(recorder)
    assert 'find programs {"_id": "p-1"}' in recorded
    assert any(q.startswith('update programs {"_id": "p-1", "$or"') for q in recorded)
    assert await scans(db, recorder.queries) == []
