"""Kafka wiring: the only place that decides how the platform produces and commits.

FastStream and aiokafka default to ``acks=1`` without idempotence, and FastStream's Kafka
subscribers commit before the handler runs (at-most-once). The platform needs the opposite:
producers wait for every in-sync replica and never duplicate on retry, consumers commit only
after the handler's effects are durable.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope
from mentorship_contracts.headers import envelope_headers
from mentorship_contracts.topics import TOPIC_SPECS, topic_name

CONSUMER_ACK_POLICY = AckPolicy.NACK_ON_ERROR
"""Commit after the handler returns; on an exception rewind so the message is read again."""


def make_broker(
    bootstrap_servers: str, *, client_id: str, description: str | None = None, **extra: Any
) -> KafkaBroker:
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        ack_policy=CONSUMER_ACK_POLICY,
        description=description,
        **extra,
    )


async def publish_envelope(broker: KafkaBroker, topic: str, envelope: Envelope[Any]) -> None:
    """Publish one event, keyed by its aggregate, with its metadata as headers."""
    await broker.publish(
        envelope.to_bytes(),
        topic,
        key=envelope.key.encode(),
        headers={"content-type": "application/json", **envelope_headers(envelope)},
        correlation_id=envelope.correlation_id,
    )


async def ensure_topics(
    bootstrap_servers: str,
    names_and_partitions: Iterable[tuple[str, int]],
    *,
    replication_factor: int = 1,
) -> None:
    """Create the topics that do not exist yet (existing ones are left as they are)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
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
    finally:
        await admin.close()


def platform_topics(prefix: str = "") -> list[tuple[str, int]]:
    return [(topic_name(spec.topic, prefix), spec.partitions) for spec in TOPIC_SPECS]
