"""``concurrency`` runs several consumers of one group in a process: partitions are handled at
once, while the events of one key keep their order."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.partitioner import murmur2
from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy
from mentorship_runtime.kafka import ensure_topics, make_broker
from mentorship_testing.kafka import eventually

from .support import CHECK_IN, check_in, publish

PARTITIONS = 2


def partition_of(key: str, partitions: int = PARTITIONS) -> int:
    """Where the default partitioner puts ``key`` (murmur2, as the Java client does)."""
    hashed: int = murmur2(key.encode())
    return (hashed & 0x7FFFFFFF) % partitions


def keys_on_distinct_partitions() -> tuple[str, str]:
    by_partition: dict[int, str] = {}
    for n in range(100):
        by_partition.setdefault(partition_of(f"e-{n}"), f"e-{n}")
    return by_partition[0], by_partition[1]


async def members_with_partitions(bootstrap: str, group: str) -> int:
    """How many members of ``group`` hold partitions now, once the group is stable."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    [(_error, _group, state, _type, _protocol, members)] = response.groups
    if state != "Stable":
        return 0
    assignments = [ConsumerProtocolMemberAssignment.decode(member[4]) for member in members]
    return sum(1 for assignment in assignments if assignment.partitions())


def consumer_with(
    bootstrap: str, topic: str, group: str, concurrency: int, handler: Any
) -> KafkaBroker:
    broker = make_broker(bootstrap, client_id=f"test-{group}")
    consumer = EventConsumer(
        broker, group_id=group, retry=RetryPolicy(max_attempts=2), concurrency=concurrency
    )
    consumer.subscribe(topic, {CHECK_IN: handler}, description="test consumer")
    return broker


async def test_with_concurrency_a_busy_partition_does_not_hold_back_another(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix) + ".concurrent"
    await ensure_topics(kafka_bootstrap, [(topic, PARTITIONS)])
    slow_key, fast_key = keys_on_distinct_partitions()
    fast_handled = asyncio.Event()
    handled: list[tuple[str, int]] = []

    async def handle(event: Envelope[Any]) -> None:
        if event.key == slow_key and event.data.confidence == 1:
            # the first event of the slow key waits until the other partition has been served:
            # one consumer for both partitions would wait here for ever
            await asyncio.wait_for(fast_handled.wait(), timeout=60)
        handled.append((event.key, event.data.confidence))
        if event.key == fast_key:
            fast_handled.set()

    group = f"{topic_prefix}g-concurrent"
    broker = consumer_with(kafka_bootstrap, topic, group, PARTITIONS, handle)
    await broker.start()
    try:

        async def each_consumer_holds_a_partition() -> bool:
            return await members_with_partitions(kafka_bootstrap, group) == PARTITIONS

        await eventually(each_consumer_holds_a_partition, timeout=60)
        await publish(
            kafka_bootstrap,
            topic,
            check_in(mentee=slow_key, confidence=1),
            check_in(mentee=slow_key, confidence=2),
            check_in(mentee=slow_key, confidence=3),
            check_in(mentee=fast_key, confidence=4),
        )
        await eventually(lambda: len(handled) == 4, timeout=90)
    finally:
        await broker.stop()

    assert handled[0] == (fast_key, 4)
    assert [c for key, c in handled if key == slow_key] == [1, 2, 3]
