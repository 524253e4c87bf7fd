"""Helpers shared by the runtime's integration tests."""

from __future__ import annotations

from typing import Any

from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import CheckInRecorded
from mentorship_runtime.consumer import EventConsumer, RetryPolicy
from mentorship_runtime.kafka import make_broker, publish_envelope

CHECK_IN = "progress.check_in.recorded"


def check_in(mentee: str = "e-1", confidence: int = 3) -> Envelope[CheckInRecorded]:
    return new_envelope(
        CheckInRecorded(
            mentee_id=mentee,
            program_id="p-1",
            check_in_id=f"c-{mentee}-{confidence}",
            module_id="purpose",
            confidence=confidence,
            assessed_by="mentee",
        ),
        producer="progress",
    )


def recording_consumer(
    bootstrap: str, topic: str, group: str, seen: list[Envelope[Any]]
) -> KafkaBroker:
    """A broker whose consumer group appends every check-in it handles to ``seen``."""
    broker = make_broker(bootstrap, client_id=f"test-{group}")
    consumer = EventConsumer(broker, group_id=group, retry=RetryPolicy(max_attempts=2))

    async def record(event: Envelope[Any]) -> None:
        seen.append(event)

    consumer.subscribe(topic, {CHECK_IN: record}, description="test consumer")
    return broker


async def publish(bootstrap: str, topic: str, *events: Envelope[Any]) -> None:
    """Publish as a service does (acks=all, idempotent), one event after another."""
    producer = make_broker(bootstrap, client_id="test-producer")
    await producer.start()
    try:
        for event in events:
            await publish_envelope(producer, topic, event)
    finally:
        await producer.stop()
