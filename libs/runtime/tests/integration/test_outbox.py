"""State and events are written together; the relay publishes them after the write, and the
sweep publishes what a crash between the write and the publish left behind."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts.headers import EVENT_ID, decode_headers
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.kafka import ensure_topics, make_broker
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import (
    OUTBOX,
    OUTBOX_PENDING,
    OUTBOX_SINCE,
    REMOVAL_SLICES,
    OutboxRelay,
    ensure_outbox_index,
    outbox_entries,
    outbox_fields,
    outbox_update,
)
from mentorship_testing.kafka import read_topic

from .support import check_in

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


async def record_check_ins(
    db: AsyncDatabase[Document], prefix: str, *confidences: int, mentee: str = "e-1"
) -> list[str]:
    """The state change and its events in one single-document update, as a service writes them."""
    events = [check_in(mentee=mentee, confidence=c) for c in confidences]
    update = outbox_update(events, now=T0, topic_prefix=prefix)
    await db.mentees.update_one(
        {"_id": mentee},
        {"$set": {"last_confidence": confidences[-1], **update["$set"]}, "$push": update["$push"]},
        upsert=True,
    )
    return [str(e.event_id) for e in events]


def another_write_during_the_first_publish(
    broker: KafkaBroker, write: Callable[[], Awaitable[list[str]]]
) -> list[str]:
    """Make ``write`` (another writer adding events) land while the relay publishes; returns
    the list that receives the ids it added."""
    original_publish = broker.publish
    added: list[str] = []

    async def publish_while_another_write_lands(*args: object, **kwargs: object) -> object:
        if not added:
            added.extend(await write())
        return await original_publish(*args, **kwargs)  # type: ignore[call-overload]

    broker.publish = publish_while_another_write_lands  # type: ignore[method-assign,assignment]
    return added


async def test_the_relay_publishes_pending_events_in_order_then_forgets_them(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    ids = await record_check_ins(mongo_db, topic_prefix, 4, 2, 5)
    broker = make_broker(kafka_bootstrap, client_id="test-relay")
    await broker.start()
    relay = OutboxRelay(broker)

    published = await relay.drain(mongo_db.mentees, "e-1")
    again = await relay.drain(mongo_db.mentees, "e-1")
    await broker.stop()

    assert (published, again) == (3, 0)
    records = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 3)
    assert [decode_headers(r.headers)[EVENT_ID] for r in records] == ids
    document = await mongo_db.mentees.find_one({"_id": "e-1"})
    assert document is not None
    assert document[OUTBOX] == []
    assert OUTBOX_SINCE not in document
    assert OUTBOX_PENDING not in document
    assert document["last_confidence"] == 5


async def test_the_sweep_publishes_what_a_crash_before_the_publish_left_behind(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    [event_id] = await record_check_ins(mongo_db, topic_prefix, 3)
    # the process "dies" here: the document holds the event, nothing was published
    broker = make_broker(kafka_bootstrap, client_id="test-sweeper")
    await broker.start()
    too_early = OutboxRelay(broker, clock=lambda: T0 + timedelta(seconds=1))
    later = OutboxRelay(broker, clock=lambda: T0 + timedelta(minutes=1))

    assert await too_early.sweep(mongo_db.mentees) == 0, "within the grace the inline relay owns it"
    assert await later.sweep(mongo_db.mentees) == 1
    assert await later.sweep(mongo_db.mentees) == 0
    await broker.stop()

    records = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 1, timeout=5)
    assert [decode_headers(r.headers)[EVENT_ID] for r in records] == [event_id]


async def test_an_event_added_while_the_relay_publishes_stays_pending(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    await record_check_ins(mongo_db, topic_prefix, 4)
    broker = make_broker(kafka_bootstrap, client_id="test-race")
    await broker.start()
    relay = OutboxRelay(broker)
    added = another_write_during_the_first_publish(
        broker, lambda: record_check_ins(mongo_db, topic_prefix, 1)
    )
    first = await relay.drain(mongo_db.mentees, "e-1")
    document = await mongo_db.mentees.find_one({"_id": "e-1"})
    second = await relay.drain(mongo_db.mentees, "e-1")
    await broker.stop()

    assert first == 1
    assert document is not None
    assert [entry["event_id"] for entry in document[OUTBOX]] == added
    assert OUTBOX_SINCE in document
    assert second == 1


async def test_entries_the_writer_knows_are_published_without_reading_them_back(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    [earlier] = await record_check_ins(mongo_db, topic_prefix, 4)  # pending, not the caller's
    event = check_in(mentee="e-1", confidence=2)
    update = outbox_update([event], now=T0, topic_prefix=topic_prefix)
    await mongo_db.mentees.update_one({"_id": "e-1"}, {"$push": update["$push"]})
    broker = make_broker(kafka_bootstrap, client_id="test-known")
    await broker.start()
    relay = OutboxRelay(broker)

    mine = await relay.drain(mongo_db.mentees, "e-1", update["$push"][OUTBOX]["$each"])
    left = await mongo_db.mentees.find_one({"_id": "e-1"})
    rest = await relay.drain(mongo_db.mentees, "e-1")
    emptied = await mongo_db.mentees.find_one({"_id": "e-1"})
    await broker.stop()

    assert (mine, rest) == (1, 1)
    assert left is not None
    assert [entry["event_id"] for entry in left[OUTBOX]] == [earlier]
    assert OUTBOX_SINCE in left
    records = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 2)
    assert [decode_headers(r.headers)[EVENT_ID] for r in records] == [str(event.event_id), earlier]
    assert emptied is not None
    assert emptied[OUTBOX] == []
    assert OUTBOX_SINCE not in emptied


async def test_entries_written_to_several_documents_are_published_together_then_removed(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    written = {
        mentee: await record_check_ins(mongo_db, topic_prefix, *levels, mentee=mentee)
        for mentee, levels in (("e-1", (4, 2, 5)), ("e-2", (3,)), ("e-3", (1, 2)))
    }
    entries = {d["_id"]: d[OUTBOX] async for d in mongo_db.mentees.find({}, {OUTBOX: 1})}
    broker = make_broker(kafka_bootstrap, client_id="test-written")
    await broker.start()
    relay = OutboxRelay(broker)
    # e-2 gets a new event before the relay removes what it published
    added = another_write_during_the_first_publish(
        broker, lambda: record_check_ins(mongo_db, topic_prefix, 1, mentee="e-2")
    )
    published = await relay.drain_written(mongo_db.mentees, entries)
    await broker.stop()

    assert published == 6
    records = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 6)
    by_key: dict[bytes, list[str]] = {}
    for record in records:
        by_key.setdefault(record.key or b"", []).append(decode_headers(record.headers)[EVENT_ID])
    assert by_key == {m.encode(): ids for m, ids in written.items()}
    after = {d["_id"]: d async for d in mongo_db.mentees.find({})}
    assert after["e-1"][OUTBOX] == after["e-3"][OUTBOX] == []
    assert OUTBOX_SINCE not in after["e-1"]
    assert OUTBOX_SINCE not in after["e-3"]
    assert [entry["event_id"] for entry in after["e-2"][OUTBOX]] == added
    assert OUTBOX_SINCE in after["e-2"]


async def test_documents_inserted_with_their_events_are_published_and_swept_alike(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    """A document written once carries its first events as an updated one does: those the
    writer drains are published, those of a writer that died before publishing are swept."""
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    events = {f"e-{i}": [check_in(mentee=f"e-{i}", confidence=c) for c in (4, 2)] for i in (1, 2)}
    entries = {m: outbox_entries(e, topic_prefix=topic_prefix) for m, e in events.items()}
    await mongo_db.mentees.insert_many(
        [{"_id": m, **outbox_fields(e, now=T0)} for m, e in entries.items()]
    )
    broker = make_broker(kafka_bootstrap, client_id="test-inserted")
    await broker.start()
    relay = OutboxRelay(broker, clock=lambda: T0 + timedelta(seconds=1))
    later = OutboxRelay(broker, clock=lambda: T0 + timedelta(minutes=1))

    assert await relay.drain_written(mongo_db.mentees, {"e-1": entries["e-1"]}) == 2
    # e-2: its writer died before publishing; the sweep waits out the grace period
    assert await relay.sweep(mongo_db.mentees) == 0
    assert await later.sweep(mongo_db.mentees) == 2
    assert await later.sweep(mongo_db.mentees) == 0
    await broker.stop()

    records = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 4, timeout=5)
    by_key: dict[bytes, list[str]] = {}
    for record in records:
        by_key.setdefault(record.key or b"", []).append(decode_headers(record.headers)[EVENT_ID])
    assert by_key == {m.encode(): [str(e.event_id) for e in es] for m, es in events.items()}
    async for document in mongo_db.mentees.find({}):
        assert document[OUTBOX] == []
        assert OUTBOX_SINCE not in document
        assert OUTBOX_PENDING not in document


async def test_outboxes_are_emptied_by_one_bulk_write_while_other_writes_go_on(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    """200 documents' outboxes go in a few bulk writes (one per slice, ``REMOVAL_SLICES``), not
    an update each, and they complete while other connections update the same collection; an
    outbox another relay emptied meanwhile and one that got a new event are left as they should
    be."""
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    mentees = mongo_db.mentees
    await ensure_outbox_index(mentees)
    entries = {
        f"e-{i}": outbox_entries([check_in(mentee=f"e-{i}")], topic_prefix=topic_prefix)
        for i in range(200)
    }
    await mentees.insert_many([{"_id": m, **outbox_fields(e, now=T0)} for m, e in entries.items()])
    await mentees.insert_many([{"_id": f"other-{i}", "n": 0} for i in range(10)])
    # e-0 was drained by another relay meanwhile; e-1 got an event after the one published
    await mentees.update_one(
        {"_id": "e-0"}, {"$set": {OUTBOX: []}, "$unset": {OUTBOX_SINCE: "", OUTBOX_PENDING: ""}}
    )
    [added] = await record_check_ins(mongo_db, topic_prefix, 1, mentee="e-1")
    broker = make_broker(kafka_bootstrap, client_id="test-bulk")
    await broker.start()
    relay = OutboxRelay(broker)
    calls: list[str] = []
    for name in ("update_one", "update_many", "bulk_write"):
        original = getattr(mentees, name)

        def counted(*args: object, _name: str = name, _original: Any = original) -> Any:
            calls.append(_name)
            return _original(*args)

        setattr(mentees, name, counted)
    stop = asyncio.Event()

    async def other_writes() -> int:
        written = 0
        while not stop.is_set():
            await mongo_db.mentees.update_one({"_id": f"other-{written % 10}"}, {"$set": {"n": 1}})
            written += 1
        return written

    writers = [asyncio.create_task(other_writes()) for _ in range(4)]
    try:
        published = await asyncio.wait_for(relay.drain_written(mentees, entries), 60)
    finally:
        stop.set()
        written = sum(await asyncio.gather(*writers))
        await broker.stop()

    assert published == 200
    assert written > 0
    # one per slice, and a second for the slices of e-0 and e-1
    assert calls == ["bulk_write"] * (REMOVAL_SLICES + 2)
    after = {d["_id"]: d async for d in mentees.find({"_id": {"$regex": "^e-"}})}
    assert all(d[OUTBOX] == [] for m, d in after.items() if m != "e-1")
    assert not [m for m, d in after.items() if m != "e-1" and OUTBOX_PENDING in d]
    assert [e["event_id"] for e in after["e-1"][OUTBOX]] == [added]
    assert after["e-1"][OUTBOX_PENDING] is True
    assert await mentees.count_documents({OUTBOX_PENDING: True}) == 1


async def test_the_sweep_unmarks_a_pending_document_whose_outbox_is_empty(
    kafka_bootstrap: str, mongo_db: AsyncDatabase[Document]
) -> None:
    """A removal cut short between pulling the entries and unsetting the marks."""
    await mongo_db.mentees.insert_one({"_id": "e-1", **outbox_fields([{}], now=T0), OUTBOX: []})
    broker = make_broker(kafka_bootstrap, client_id="test-unmark")
    await broker.start()
    later = OutboxRelay(broker, clock=lambda: T0 + timedelta(minutes=1))

    assert await later.sweep(mongo_db.mentees) == 0
    await broker.stop()

    assert not await mongo_db.mentees.count_documents({OUTBOX_PENDING: True})
    document = await mongo_db.mentees.find_one({"_id": "e-1"})
    assert document is not None
    assert OUTBOX_SINCE not in document


async def test_a_write_does_not_wait_for_a_broker_that_is_away(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    """The producer would wait its whole request timeout (40 s) for the broker; the request
    that wrote the state answers after ``soon``, and the sweep publishes the event later."""
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    [event_id] = await record_check_ins(mongo_db, topic_prefix, 3)
    broker = make_broker(kafka_bootstrap, client_id="test-relay")
    await broker.start()
    original_publish = broker.publish
    away = asyncio.Event()

    async def broker_away(*args: object, **kwargs: object) -> object:
        await away.wait()
        return await original_publish(*args, **kwargs)  # type: ignore[call-overload]

    broker.publish = broker_away  # type: ignore[method-assign,assignment]
    relay = OutboxRelay(broker, grace=timedelta(0), soon=timedelta(seconds=0.2))
    try:
        await asyncio.wait_for(relay.drain_soon(mongo_db.mentees, "e-1"), 10)
        pending = await mongo_db.mentees.find_one({"_id": "e-1"})
        assert pending is not None
        assert len(pending[OUTBOX]) == 1
        assert pending[OUTBOX_PENDING] is True

        broker.publish = original_publish  # type: ignore[method-assign]
        assert await relay.sweep(mongo_db.mentees) == 1
    finally:
        await broker.stop()
    records = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 1)
    assert [decode_headers(r.headers)[EVENT_ID] for r in records] == [event_id]


async def test_a_slow_removal_after_the_acknowledgement_is_not_cut_short(
    kafka_bootstrap: str, topic_prefix: str, mongo_db: AsyncDatabase[Document]
) -> None:
    """``soon`` bounds the wait for Kafka only: events it acknowledged are removed however long
    the database takes, rather than left pending for the sweep to publish again."""
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    await record_check_ins(mongo_db, topic_prefix, 3)
    mentees = mongo_db.mentees
    for name in ("update_one", "bulk_write"):  # whichever the removal uses
        original = getattr(mentees, name)

        async def slow(*args: Any, _original: Any = original) -> Any:
            await asyncio.sleep(0.5)
            return await _original(*args)

        setattr(mentees, name, slow)
    broker = make_broker(kafka_bootstrap, client_id="test-slow-removal")
    await broker.start()
    relay = OutboxRelay(broker, grace=timedelta(0), soon=timedelta(seconds=0.2))
    try:
        await relay.drain_soon(mentees, "e-1")
        assert await relay.sweep(mongo_db.mentees) == 0
    finally:
        await broker.stop()

    document = await mongo_db.mentees.find_one({"_id": "e-1"})
    assert document is not None
    assert document[OUTBOX] == []
    assert OUTBOX_PENDING not in document
