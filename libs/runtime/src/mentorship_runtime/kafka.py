"""Kafka wiring: the only place that decides how the platform produces, commits and joins.

FastStream and aiokafka default to ``acks=1`` without idempotence, and FastStream's Kafka
subscribers commit before the handler runs (at-most-once). The platform needs the opposite:
producers wait for every in-sync replica and never duplicate on retry, consumers commit only
after the handler's effects are durable.

Consumer groups: a broker made with a ``group_instance_id`` (the process's stable name, e.g. its
pod or ``make dev``'s service name) makes its subscriptions *static members* of their groups
(KIP-345): a process killed and started again under the same name takes its partitions back at
once, without a rebalance, where a new dynamic member waits for the dead one's session to time
out (10 s) and for the group to rebalance. A static member does not leave its group when it
stops, so ``leave_groups_on_stop`` makes a stopping process (SIGTERM) leave anyway: its
partitions then move to the others at once instead of waiting for the session timeout.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope
from mentorship_contracts.headers import envelope_headers
from mentorship_contracts.topics import TOPIC_SPECS, topic_name
from mentorship_runtime.kafka_security import PLAINTEXT, KafkaSecurity
from mentorship_runtime.metrics import PUBLISHED
from mentorship_runtime.tracing import trace_headers

CONSUMER_ACK_POLICY = AckPolicy.NACK_ON_ERROR
"""Commit after the handler returns; on an exception rewind so the message is read again."""

SESSION_TIMEOUT_MS = 10_000
"""How long the group waits for a member that stopped heartbeating (aiokafka's default): after a
crash, a member that does not come back loses its partitions to the others after this long."""

_GROUP_INSTANCES: weakref.WeakKeyDictionary[KafkaBroker, str] = weakref.WeakKeyDictionary()


def make_broker(
    bootstrap_servers: str,
    *,
    client_id: str,
    description: str | None = None,
    group_instance_id: str | None = None,
    security: KafkaSecurity = PLAINTEXT,
    **extra: Any,
) -> KafkaBroker:
    """``group_instance_id``: this process's stable name in its consumer groups (static
    membership, see the module); it must be unique among the processes of a group that run at
    the same time. None: dynamic members. ``security``: how it authenticates and trusts the
    brokers (the CA file is read here)."""
    servers = [host.strip() for host in bootstrap_servers.split(",") if host.strip()]
    broker = KafkaBroker(
        servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        ack_policy=CONSUMER_ACK_POLICY,
        description=description,
        security=security.faststream_security(),
        # FastStream logs every message received and processed; that is debugging detail, and
        # costly on a busy consumer. The platform's own consumer logs what matters.
        log_level=extra.pop("log_level", logging.DEBUG),
        **extra,
    )
    if group_instance_id:
        _GROUP_INSTANCES[broker] = group_instance_id
    return broker


def static_member_id(broker: KafkaBroker, topic: str) -> str | None:
    """The ``group.instance.id`` of this process's subscription to ``topic``, or None for a
    dynamic member (a broker made without a ``group_instance_id``). One per subscription: a
    process has one consumer per topic in a group, each a member of its own."""
    instance = _GROUP_INSTANCES.get(broker)
    return None if instance is None else f"{instance}.{topic}"


def _consumers(broker: KafkaBroker) -> Iterator[AIOKafkaConsumer]:
    for subscriber in broker.subscribers:
        single = getattr(subscriber, "consumer", None)
        if isinstance(single, AIOKafkaConsumer):
            yield single
        for consumer in getattr(subscriber, "consumer_subgroup", None) or ():
            if isinstance(consumer, AIOKafkaConsumer) and consumer is not single:
                yield consumer


def leave_groups_on_stop(broker: KafkaBroker) -> int:
    """Make the static members among ``broker``'s consumers leave their groups when they stop
    (call it just before ``broker.stop()``); returns how many. aiokafka sends no LeaveGroup for a
    static member, on purpose (one restarted soon takes its partitions back); a process told to
    stop may not come back, so it leaves, and its partitions move at once. The LeaveGroup names
    the member by its member id, which the group coordinator accepts for a static member too."""
    count = 0
    for consumer in _consumers(broker):
        coordinator = getattr(consumer, "_coordinator", None)
        if coordinator is not None and getattr(coordinator, "_group_instance_id", None):
            coordinator._group_instance_id = None  # aiokafka then leaves as a dynamic member does
            count += 1
    return count


def group_less_reader(broker: KafkaBroker) -> AIOKafkaConsumer:
    """A consumer in no group, with ``broker``'s connection settings (servers, security, client
    id): it reads what it is assigned and never commits."""
    builder: Callable[..., AIOKafkaConsumer] = broker.config.broker_config.builder
    return builder(group_id=None, enable_auto_commit=False)


async def read_ranges(
    consumer: AIOKafkaConsumer,
    ranges: Mapping[TopicPartition, tuple[int, int]],
    *,
    timeout: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """The records of each partition from its start to (excluding) its end offset, in order of
    topic, partition and offset. ``consumer`` is assigned those partitions. ``TimeoutError``
    (naming them) after ``timeout`` seconds without a record."""
    if not ranges:
        return []
    consumer.assign(list(ranges))
    for tp, (start, _) in ranges.items():
        consumer.seek(tp, start)
    pending = set(ranges)
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    while pending:
        if time.monotonic() > deadline:
            msg = f"timed out reading {sorted(str(tp) for tp in pending)}"
            raise TimeoutError(msg)
        batch = await consumer.getmany(*pending, timeout_ms=500)
        if batch:
            deadline = time.monotonic() + timeout  # progress: a long topic is fine
        for tp, partition_records in batch.items():
            records.extend(r for r in partition_records if r.offset < ranges[tp][1])
        for tp in list(pending):
            if await consumer.position(tp) >= ranges[tp][1]:
                pending.discard(tp)
    records.sort(key=lambda r: (r.topic, r.partition, r.offset))
    return records


async def read_newest(
    broker: KafkaBroker,
    topic: str,
    since: Mapping[int, int],
    *,
    at_most: int,
    timeout: float = 30.0,
) -> tuple[list[ConsumerRecord[bytes, bytes]], dict[int, int]]:
    """The records of ``topic`` from ``since`` on (per partition, the offset to start at), but
    at most the newest ``at_most`` of each partition (all that ``since`` does not name); and
    each partition's end offset, the ``since`` of the next call. A topic that does not exist has
    none, and is not created by this look."""
    reader = group_less_reader(broker)
    await reader.start()
    try:
        if topic not in await reader.topics():  # asked of every topic: creates none
            return [], {}
        # its partitions, now that it is known to exist (aiokafka's consumer has no public call
        # for them; metadata asked for a missing topic would create it)
        await reader._client.add_topic(topic)
        tps = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or ())]
        if not tps:
            return [], {}
        begin = await reader.beginning_offsets(tps)
        end = await reader.end_offsets(tps)
        ranges: dict[TopicPartition, tuple[int, int]] = {}
        for tp in tps:
            start = max(begin[tp], end[tp] - at_most, since.get(tp.partition, 0))
            if start < end[tp]:
                ranges[tp] = (start, end[tp])
        records = await read_ranges(reader, ranges, timeout=timeout)
        return records, {tp.partition: end[tp] for tp in tps}
    finally:
        await reader.stop()


async def publish_envelope(broker: KafkaBroker, topic: str, envelope: Envelope[Any]) -> None:
    """Publish one event, keyed by its aggregate, with its metadata as headers."""
    await broker.publish(
        envelope.to_bytes(),
        topic,
        key=envelope.key.encode(),
        headers={
            "content-type": "application/json",
            **envelope_headers(envelope),
            **trace_headers(),
        },
        correlation_id=envelope.correlation_id,
    )
    PUBLISHED.labels(topic, envelope.type).inc()


async def ensure_topics(
    bootstrap_servers: str,
    names_and_partitions: Iterable[tuple[str, int]],
    *,
    replication_factor: int = 1,
    security: KafkaSecurity = PLAINTEXT,
) -> None:
    """Create the topics that do not exist yet (existing ones are left as they are), and return
    once the broker lists them: a topic just created reaches the metadata a client reads a little
    later, and a caller that lists, subscribes or publishes at once expects it there."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **security.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, partitions, replication_factor)
            for name, partitions in names_and_partitions
            if name not in existing
        ]
        if missing:
            # created concurrently by another process: that is what we wanted
            with suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            await _until_listed(admin, {topic.name for topic in missing})
    finally:
        await admin.close()


async def _until_listed(
    admin: AIOKafkaAdminClient, names: set[str], *, timeout: float = 10.0
) -> None:
    """Wait (bounded) until the broker's metadata lists ``names``; past the bound the topics
    exist all the same (the creation was answered), so nothing is raised."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if names <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.05)


def platform_topics(prefix: str = "") -> list[tuple[str, int]]:
    return [(topic_name(spec.topic, prefix), spec.partitions) for spec in TOPIC_SPECS]


async def consumer_lag(
    bootstrap_servers: str, group_id: str, *, security: KafkaSecurity = PLAINTEXT
) -> dict[tuple[str, int], int]:
    """Messages each partition's end is ahead of what ``group_id`` committed.

    A partition the group has not committed on yet counts from the beginning of the log.
    """
    options = security.client_options()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **options)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group_id)
    finally:
        await admin.close()
    partitions = list(committed)
    if not partitions:
        return {}
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, **options
    )
    await reader.start()
    try:
        ends = await reader.end_offsets(partitions)
        starts = await reader.beginning_offsets(partitions)
    finally:
        await reader.stop()
    lag: dict[tuple[str, int], int] = {}
    for tp in partitions:
        position = committed[tp].offset if committed[tp].offset >= 0 else starts[tp]
        lag[(tp.topic, tp.partition)] = max(0, ends[tp] - position)
    return lag


def subscribed_groups(broker: KafkaBroker) -> set[str]:
    """The consumer groups this broker's subscribers read with."""
    groups = (getattr(subscriber, "group_id", None) for subscriber in broker.subscribers)
    return {group for group in groups if isinstance(group, str) and group}
