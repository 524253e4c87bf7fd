"""Scenario 6: a three-broker Kafka cluster (KRaft, each node a broker and a controller, on
loopback ports), a topic with replication 3 and ``min.insync.replicas=2``. Events are published
through the platform's own producer settings (``make_broker``: ``acks=all``, idempotence) while one
broker is killed, then a second one: with one broker down writes go on; with two down they pause
(nothing is acknowledged that the remaining broker alone holds) and resume once a broker is back.
Every publish is retried until acknowledged, as the outbox does. Afterwards every acknowledged
event is in the topic."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from mentorship_localstack.private import KafkaCluster
from mentorship_runtime.kafka import make_broker

pytestmark = pytest.mark.faults

TOPIC = "faults.replicated"
PARTITIONS = 3
EVENTS = 150
SENDERS = 8


@pytest_asyncio.fixture(loop_scope="session")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[KafkaCluster]:
    running = KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"), size=3)
    try:
        await asyncio.to_thread(running.up)
        yield running
    finally:
        await asyncio.to_thread(running.clean)


async def _create_topic(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(
                    TOPIC,
                    PARTITIONS,
                    3,
                    topic_configs={"min.insync.replicas": "2"},
                )
            ]
        )
    finally:
        await admin.close()


async def _read_everything(bootstrap: str) -> Counter[str]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in range(PARTITIONS)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, 0)
        seen: Counter[str] = Counter()
        pending = {tp for tp in partitions if ends[tp] > 0}
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            for tp, rows in (await consumer.getmany(*pending, timeout_ms=500)).items():
                for row in rows:
                    seen[(row.value or b"").decode()] += 1
                    if row.offset >= ends[tp] - 1:
                        pending.discard(tp)
        assert not pending, "could not read the topic to its end"
        return seen
    finally:
        await consumer.stop()


async def test_acknowledged_events_survive_two_of_three_brokers_dying(
    cluster: KafkaCluster,
) -> None:
    await _create_topic(cluster.bootstrap)
    # Bootstrapped from the node that stays up: the producer learns the others from metadata.
    survivor = cluster.nodes[2].address
    broker = make_broker(survivor, client_id="fault-cluster", request_timeout_ms=10_000)
    await broker.start()
    events = [f"ev-{i:04d}-{uuid.uuid4().hex[:8]}" for i in range(EVENTS)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for event in events:
        queue.put_nowait(event)
    acknowledged: dict[str, float] = {}
    failures: Counter[str] = Counter()
    first_down, second_down = asyncio.Event(), asyncio.Event()
    pause: list[float] = []

    async def sender() -> None:
        while not queue.empty():
            event = queue.get_nowait()
            while True:
                try:
                    await broker.publish(event.encode(), TOPIC, key=event[-8:].encode())
                except (KafkaError, TimeoutError) as exc:
                    failures[type(exc).__name__] += 1
                    await asyncio.sleep(0.5)
                    continue
                acknowledged[event] = time.monotonic()
                break
            if len(acknowledged) >= EVENTS // 3:
                first_down.set()
            if len(acknowledged) >= EVENTS // 2:
                second_down.set()
            await asyncio.sleep(0.01)

    async def faults() -> None:
        await first_down.wait()
        await asyncio.to_thread(cluster.kill, cluster.nodes[0])
        await second_down.wait()
        await asyncio.to_thread(cluster.kill, cluster.nodes[1])
        pause.append(time.monotonic())
        await asyncio.sleep(5)
        pause.append(time.monotonic())
        acked_while_paused = [e for e, at in acknowledged.items() if pause[0] + 2 < at < pause[1]]
        pause.append(float(len(acked_while_paused)))
        await asyncio.to_thread(cluster.start, cluster.nodes[0], cluster.nodes[1])

    try:
        await asyncio.wait_for(
            asyncio.gather(faults(), *(sender() for _ in range(SENDERS))), timeout=240
        )
    finally:
        await broker.stop()
    seen = await _read_everything(cluster.bootstrap)
    missing = [e for e in acknowledged if seen[e] == 0]
    twice = [e for e in acknowledged if seen[e] > 1]
    print(
        f"[cluster] {len(acknowledged)}/{EVENTS} events acknowledged "
        f"({dict(failures)} failed attempts retried); "
        f"{int(pause[2])} acknowledged while two brokers were down; "
        f"in the topic: {sum(1 for e in events if seen[e])} ({len(twice)} twice)"
    )
    assert len(acknowledged) == EVENTS
    assert not missing, f"acknowledged but lost: {missing}"
    assert not twice, f"acknowledged and in the topic twice: {twice}"
    assert pause[2] == 0, "events were acknowledged while only one in-sync replica was left"
