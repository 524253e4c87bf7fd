"""Real dead letters for tests: events published to their topic, then failed by a consumer
group through the platform's own ``EventConsumer``, so entries carry the production headers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts.headers import EVENT_ID, decode_headers
from mentorship_contracts.topics import dead_letter_topic
from mentorship_runtime.consumer import EventConsumer, Outcome, RetryPolicy
from mentorship_runtime.kafka import ensure_topics, make_broker, publish_envelope
from mentorship_testing.kafka import read_topic


class Broken(Exception):
    """What the failing test handler raises."""


async def _no_wait(_: float) -> None:
    return None


async def dead_letter_events(
    bootstrap: str,
    topic: str,
    group: str,
    events: Sequence[Envelope[Any]],
    *,
    failing: Iterable[str] | None = None,
    partitions: int = 1,
    attempts: int = 2,
) -> str:
    """Publish ``events`` to ``topic``, then let ``group`` handle each record with a handler that
    fails (after ``attempts`` tries) for the event ids in ``failing`` (all by default). Returns the
    dead-letter topic."""
    dlq = dead_letter_topic(topic, group)
    await ensure_topics(bootstrap, [(topic, partitions), (dlq, 1)])
    broker = make_broker(bootstrap, client_id=f"test-{group}")
    await broker.start()
    try:
        for event in events:
            await publish_envelope(broker, topic, event)
        failing_ids = {str(e.event_id) for e in events} if failing is None else set(failing)
        ours = {str(e.event_id) for e in events}

        def mine(records: list[Any]) -> list[Any]:
            return [r for r in records if event_id_of(r.headers or ()) in ours]

        records = mine(
            await read_topic(bootstrap, topic, until=lambda rs: len(mine(rs)) >= len(ours))
        )
        consumer = EventConsumer(
            broker, group_id=group, retry=RetryPolicy(max_attempts=attempts, sleep=_no_wait)
        )

        async def handle(event: Envelope[Any]) -> None:
            if str(event.event_id) in failing_ids:
                msg = f"cannot handle {event.type} {event.event_id}"
                raise Broken(msg)

        outcomes: list[Outcome] = []
        for record in records:
            headers = list(record.headers or ())
            event_type = decode_headers(headers).get("event-type", "")
            outcomes.append(
                await consumer.process(
                    record.value,
                    headers=headers,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    key=record.key,
                    handlers={event_type: handle},
                )
            )
        parked = sum(o.status == "dead_lettered" for o in outcomes)
        await read_topic(bootstrap, dlq, until=lambda rs: len(rs) >= parked)
    finally:
        await broker.stop()
    return dlq


def event_id_of(headers: Iterable[tuple[str, bytes]]) -> str | None:
    return decode_headers(list(headers)).get(EVENT_ID)
