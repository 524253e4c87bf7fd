"""A subscription with a batch handler on the real broker: a poll's events arrive together, in
each key's order, are committed after the batch, and are read again when the batch cannot be
handled for want of the database (an invalid record among them parked once); with concurrency,
several consumers of the group share the partitions."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

from faststream.kafka import KafkaBroker
from pymongo.errors import AutoReconnect

from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name
from mentorship_runtime.batched import Batched
from mentorship_runtime.consumer import (
    DLQ_ORIGINAL_OFFSET,
    BatchHandler,
    EventConsumer,
    RetryPolicy,
)
from mentorship_runtime.kafka import ensure_topics, make_broker
from mentorship_testing.kafka import eventually, read_topic

from .support import CHECK_IN, check_in, publish
from .test_concurrent_consumption import keys_on_distinct_partitions, members_with_partitions

EVENTS_PER_KEY = 15


def batch_consumer(
    bootstrap: str,
    topic: str,
    group: str,
    many: BatchHandler,
    one: Any = None,
    *,
    concurrency: int = 1,
) -> KafkaBroker:
    broker = make_broker(bootstrap, client_id=f"test-{group}")
    consumer = EventConsumer(
        broker,
        group_id=group,
        retry=RetryPolicy(max_attempts=2, base_delay=0.01),
        concurrency=concurrency,
    )

    async def refuse_one_by_one(event: Envelope[Any]) -> None:
        raise AssertionError(f"handled alone: {event.event_id}")

    consumer.subscribe(
        topic,
        {CHECK_IN: one or refuse_one_by_one},
        description="test batch consumer",
        batch={CHECK_IN: many},
        batch_size=50,
    )
    return broker


async def published_burst(bootstrap: str, topic: str) -> list[Envelope[Any]]:
    events = [
        check_in(mentee=key, confidence=1 + n % 5)
        for n in range(EVENTS_PER_KEY)
        for key in ("e-1", "e-2")
    ]
    await publish(bootstrap, topic, *events)
    return events


async def test_a_poll_reaches_the_batch_handler_together_in_order_and_is_committed(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix) + ".batched"
    await ensure_topics(kafka_bootstrap, [(topic, 2)])
    events = await published_burst(kafka_bootstrap, topic)
    calls: list[list[Envelope[Any]]] = []

    async def many(items: Sequence[Batched]) -> None:
        calls.append([item.event for item in items])

    group = f"{topic_prefix}g-batched"
    broker = batch_consumer(kafka_bootstrap, topic, group, many)
    await broker.start()
    try:
        await eventually(lambda: sum(map(len, calls)) >= len(events), timeout=60)
    finally:
        await broker.stop()

    handled = [event for call in calls for event in call]
    assert sorted(str(e.event_id) for e in handled) == sorted(str(e.event_id) for e in events)
    assert max(map(len, calls)) > 1
    for key in ("e-1", "e-2"):
        assert [e.event_id for e in handled if e.key == key] == [
            e.event_id for e in events if e.key == key
        ]

    again: list[list[Envelope[Any]]] = []

    async def record_again(items: Sequence[Batched]) -> None:
        again.append([item.event for item in items])

    late = check_in(mentee="e-3", confidence=2)
    await publish(kafka_bootstrap, topic, late)
    broker = batch_consumer(kafka_bootstrap, topic, group, record_again)
    await broker.start()
    try:
        await eventually(lambda: bool(again), timeout=60)
    finally:
        await broker.stop()
    assert [[e.event_id for e in call] for call in again] == [[late.event_id]]


async def test_a_batch_the_database_refuses_is_read_again_and_nothing_is_lost(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix) + ".rewound"
    await ensure_topics(kafka_bootstrap, [(topic, 2)])
    events = await published_burst(kafka_bootstrap, topic)
    refusals = 3
    stored: dict[str, Envelope[Any]] = {}

    async def many(items: Sequence[Batched]) -> None:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise AutoReconnect("connection refused")
        for item in items:
            stored[str(item.event.event_id)] = item.event

    broker = batch_consumer(kafka_bootstrap, topic, f"{topic_prefix}g-rewound", many)
    await broker.start()
    try:
        await eventually(lambda: len(stored) >= len(events), timeout=90)
    finally:
        await broker.stop()

    assert refusals == 0
    assert sorted(stored) == sorted(str(e.event_id) for e in events)


async def publish_raw(bootstrap: str, topic: str, body: bytes, key: bytes) -> None:
    producer = make_broker(bootstrap, client_id="test-producer")
    await producer.start()
    try:
        await producer.publish(body, topic, key=key)
    finally:
        await producer.stop()


async def test_an_invalid_record_of_a_poll_read_again_after_a_rewind_is_parked_once(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix) + ".rewound-invalid"
    group = f"{topic_prefix}g-rewound-invalid"
    dlq = dead_letter_topic(topic, group)
    await ensure_topics(kafka_bootstrap, [(topic, 1), (dlq, 1)])
    await publish_raw(kafka_bootstrap, topic, b"{not json", b"e-1")
    events = [check_in(mentee="e-1", confidence=1), check_in(mentee="e-1", confidence=2)]
    await publish(kafka_bootstrap, topic, *events)
    refusals = 3  # two attempts on the first reading, one on the second: one rewind
    stored: list[str] = []

    async def many(items: Sequence[Batched]) -> None:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise AutoReconnect("connection refused")
        stored.extend(str(item.event.event_id) for item in items)

    broker = batch_consumer(kafka_bootstrap, topic, group, many)
    await broker.start()
    try:
        await eventually(lambda: len(stored) >= len(events), timeout=90)
        # a record after the others: once it is parked, anything parked before it is there too
        await publish_raw(kafka_bootstrap, topic, b"{last", b"e-1")
        parked = await read_topic(
            kafka_bootstrap, dlq, until=lambda rs: any(r.value == b"{last" for r in rs)
        )
    finally:
        await broker.stop()

    assert refusals == 0
    assert stored == [str(e.event_id) for e in events]
    assert [r.value for r in parked] == [b"{not json", b"{last"]
    assert [dict(r.headers)[DLQ_ORIGINAL_OFFSET] for r in parked] == [b"0", b"3"]


async def test_with_concurrency_a_batch_subscription_shares_the_partitions_between_its_consumers(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix) + ".batched-concurrent"
    await ensure_topics(kafka_bootstrap, [(topic, 2)])
    slow_key, fast_key = keys_on_distinct_partitions()
    fast_handled = asyncio.Event()
    handled: list[tuple[str, int]] = []
    times: Counter[str] = Counter()

    async def many(items: Sequence[Batched]) -> None:
        for item in items:
            event = item.event
            if event.key == slow_key and event.data.confidence == 1:
                # the slow key's first event waits until the other partition has been served:
                # one consumer for both partitions would wait here for ever
                await asyncio.wait_for(fast_handled.wait(), timeout=60)
            handled.append((event.key, event.data.confidence))
            times[str(event.event_id)] += 1
            if event.key == fast_key:
                fast_handled.set()

    group = f"{topic_prefix}g-batched-concurrent"
    broker = batch_consumer(kafka_bootstrap, topic, group, many, concurrency=2)
    await broker.start()
    try:

        async def each_consumer_holds_a_partition() -> bool:
            return await members_with_partitions(kafka_bootstrap, group) == 2

        await eventually(each_consumer_holds_a_partition, timeout=60)
        events = [
            check_in(mentee=slow_key, confidence=1),
            check_in(mentee=slow_key, confidence=2),
            check_in(mentee=slow_key, confidence=3),
            check_in(mentee=fast_key, confidence=4),
        ]
        await publish(kafka_bootstrap, topic, *events)
        await eventually(lambda: len(handled) >= len(events), timeout=90)
    finally:
        await broker.stop()

    assert handled[0] == (fast_key, 4)
    assert [c for key, c in handled if key == slow_key] == [1, 2, 3]
    assert times == Counter({str(e.event_id): 1 for e in events})
