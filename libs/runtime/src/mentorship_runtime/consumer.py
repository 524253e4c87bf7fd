"""At-least-once event consumption with bounded retries and a dead-letter topic.

Every subscriber of the platform goes through ``EventConsumer``:

* the raw bytes are decoded against the contracts; an invalid event is a permanent error and
  goes straight to ``<topic>.dlq.<group>`` with the reason, and the stream goes on;
* an event of a type or version this consumer does not know is logged and skipped;
* a handler failure is retried in-process with exponential backoff and jitter; when the attempts
  run out the event is dead-lettered with the error, attempts and its original coordinates;
* an infrastructure failure (MongoDB or Kafka unreachable) is never dead-lettered: the offset is
  not committed and the message is read again once the infrastructure is back;
* the offset is committed only after the handler returned (``CONSUMER_ACK_POLICY``);
* with ``concurrency`` above 1, each subscription runs that many Kafka consumers of the same
  group in this process: each owns some partitions and handles them one event at a time, so the
  order of one key's events holds while different partitions are handled at once (like as many
  worker processes, without their memory).

Handlers must be idempotent: a crash between the handler's write and the commit redelivers.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pymongo.errors import ConnectionFailure

from mentorship_contracts import ContractError, Envelope, UnknownEventType
from mentorship_contracts.headers import decode_headers
from mentorship_contracts.registry import REGISTRY, EventRegistry
from mentorship_contracts.topics import dead_letter_topic
from mentorship_runtime.kafka import CONSUMER_ACK_POLICY
from mentorship_runtime.logging import bound_event, get_logger
from mentorship_runtime.metrics import (
    DEAD_LETTERED,
    EVENTS_CONSUMED,
    HANDLER_FAILURES,
    HANDLER_SECONDS,
)
from mentorship_runtime.settings import ServiceSettings
from mentorship_runtime.tracing import consuming

Handler = Callable[[Envelope[Any]], Awaitable[None]]
C = TypeVar("C")

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionFailure,
    KafkaConnectionError,
    KafkaTimeoutError,
    ConnectionError,
    TimeoutError,
)
"""Faults of the platform's infrastructure, not of the event: wait and read it again."""

DLQ_ERROR = "dlq-error"
DLQ_ERROR_TYPE = "dlq-error-type"
DLQ_ATTEMPTS = "dlq-attempts"
DLQ_ORIGINAL_TOPIC = "dlq-original-topic"
DLQ_ORIGINAL_PARTITION = "dlq-original-partition"
DLQ_ORIGINAL_OFFSET = "dlq-original-offset"
DLQ_CONSUMER_GROUP = "dlq-consumer-group"
DLQ_FAILED_AT = "dlq-failed-at"


class PermanentError(Exception):
    """Raised by a handler for an event that can never succeed: dead-lettered without retries."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 10.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Full-jitter exponential backoff before the attempt after ``attempt``."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class Outcome:
    """What became of one message; returned for tests and metrics."""

    status: str  # handled | skipped | dead_lettered
    attempts: int = 0
    error: str | None = None


async def _raw_body(message: Any) -> Any:
    """Hand the raw bytes over: the contracts decode them, so bad JSON never fails in FastStream."""
    return message.body


def with_context(
    context: Callable[[str | None], C],
    handler: Callable[[Envelope[Any], C], Awaitable[object]],
) -> Handler:
    """Adapt ``handler(event, context)`` to a subscription: each event gets a fresh context that
    carries its correlation id."""

    async def handle(event: Envelope[Any]) -> None:
        await handler(event, context(event.correlation_id))

    return handle


def retry_policy(settings: ServiceSettings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.consumer_max_attempts, base_delay=settings.consumer_retry_base_seconds
    )


class EventConsumer:
    def __init__(
        self,
        broker: KafkaBroker,
        *,
        group_id: str,
        group_prefix: str = "",
        retry: RetryPolicy | None = None,
        registry: EventRegistry = REGISTRY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        concurrency: int = 1,
    ) -> None:
        """``group_id`` names the consumer (dead-letter topics, metrics, logs); Kafka sees
        ``group_prefix + group_id``, so that environments sharing a cluster through a topic prefix
        do not share consumer groups (and never rebalance one another)."""
        if concurrency < 1:
            msg = f"concurrency must be at least 1, not {concurrency}"
            raise ValueError(msg)
        self._broker = broker
        self._concurrency = concurrency
        self._group_id = group_id
        self._kafka_group = group_prefix + group_id
        self._retry = retry or RetryPolicy()
        self._registry = registry
        self._clock = clock
        self._log = get_logger("consumer").bind(group=group_id)

    def subscribe(
        self,
        topic: str,
        handlers: dict[str, Handler],
        *,
        description: str,
        max_poll_interval_ms: int = 300_000,
    ) -> None:
        """Route the events of ``topic`` by ``type`` to ``handlers``; other types are skipped."""

        @self._broker.subscriber(
            topic,
            group_id=self._kafka_group,
            ack_policy=CONSUMER_ACK_POLICY,
            auto_offset_reset="earliest",
            max_poll_interval_ms=max_poll_interval_ms,
            description=description,
            decoder=_raw_body,
            max_workers=self._concurrency,
        )
        async def consume(message: KafkaMessage) -> None:
            record: ConsumerRecord[bytes, bytes] = message.raw_message
            await self.process(
                message.body,
                headers=list(record.headers or ()),
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                key=record.key,
                handlers=handlers,
            )

    async def process(
        self,
        body: bytes,
        *,
        headers: Collection[tuple[str, bytes]],
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        handlers: dict[str, Handler],
    ) -> Outcome:
        where = {"topic": topic, "partition": partition, "offset": offset}
        try:
            envelope = self._registry.decode(body)
        except UnknownEventType as exc:
            self._log.warning("event_skipped", reason=str(exc), **where)
            EVENTS_CONSUMED.labels(self._group_id, topic, "unknown", "skipped").inc()
            return Outcome("skipped", error=str(exc))
        except ContractError as exc:
            self._log.error("event_invalid", reason=str(exc), **where)
            await self._dead_letter(body, headers, key, topic, partition, offset, exc, attempts=0)
            EVENTS_CONSUMED.labels(self._group_id, topic, "", "invalid").inc()
            return Outcome("dead_lettered", error=str(exc))
        handler = handlers.get(envelope.type)
        if handler is None:
            EVENTS_CONSUMED.labels(self._group_id, topic, envelope.type, "skipped").inc()
            return Outcome("skipped")
        started = time.perf_counter()
        with bound_event(envelope), consuming(envelope, headers, self._group_id, where):
            outcome = await self._run(handler, envelope, body, headers, key, where)
        HANDLER_SECONDS.labels(self._group_id, topic, envelope.type).observe(
            time.perf_counter() - started
        )
        EVENTS_CONSUMED.labels(self._group_id, topic, envelope.type, outcome.status).inc()
        return outcome

    async def _run(
        self,
        handler: Handler,
        envelope: Envelope[Any],
        body: bytes,
        headers: Collection[tuple[str, bytes]],
        key: bytes | None,
        where: dict[str, Any],
    ) -> Outcome:
        attempt = 0
        while True:
            attempt += 1
            try:
                await handler(envelope)
            except INFRASTRUCTURE_ERRORS:
                HANDLER_FAILURES.labels(
                    self._group_id, where["topic"], envelope.type, "infrastructure"
                ).inc()
                if attempt >= self._retry.max_attempts:
                    self._log.warning("infrastructure_unavailable_rewinding", **where)
                    raise  # not committed: the message is read again
                await self._retry.sleep(self._retry.delay(attempt))
                continue
            except Exception as exc:
                permanent = isinstance(exc, PermanentError | ContractError)
                if permanent or attempt >= self._retry.max_attempts:
                    self._log.error(
                        "event_dead_lettered", attempts=attempt, error=repr(exc), **where
                    )
                    await self._dead_letter(
                        body,
                        headers,
                        key,
                        where["topic"],
                        where["partition"],
                        where["offset"],
                        exc,
                        attempts=attempt,
                    )
                    return Outcome("dead_lettered", attempts=attempt, error=repr(exc))
                self._log.warning("event_retry", attempt=attempt, error=repr(exc), **where)
                HANDLER_FAILURES.labels(
                    self._group_id, where["topic"], envelope.type, "retry"
                ).inc()
                await self._retry.sleep(self._retry.delay(attempt))
                continue
            self._log.debug("event_handled", attempts=attempt, **where)
            return Outcome("handled", attempts=attempt)

    async def _dead_letter(
        self,
        body: bytes,
        headers: Collection[tuple[str, bytes]],
        key: bytes | None,
        topic: str,
        partition: int,
        offset: int,
        error: BaseException,
        *,
        attempts: int,
    ) -> None:
        dlq_headers = decode_headers(headers)
        dlq_headers.update(
            {
                DLQ_ERROR: str(error)[:2000],
                DLQ_ERROR_TYPE: type(error).__name__,
                DLQ_ATTEMPTS: str(attempts),
                DLQ_ORIGINAL_TOPIC: topic,
                DLQ_ORIGINAL_PARTITION: str(partition),
                DLQ_ORIGINAL_OFFSET: str(offset),
                DLQ_CONSUMER_GROUP: self._group_id,
                DLQ_FAILED_AT: self._clock().isoformat(),
            }
        )
        await self._broker.publish(
            body, dead_letter_topic(topic, self._group_id), key=key, headers=dlq_headers
        )
        DEAD_LETTERED.labels(self._group_id, topic).inc()
