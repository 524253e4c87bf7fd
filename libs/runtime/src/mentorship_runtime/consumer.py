"""At-least-once event consumption with bounded retries and a dead-letter topic.

Every subscriber of the platform goes through ``EventConsumer``:

* the raw bytes are decoded against the contracts; an invalid event is a permanent error and
  goes straight to ``<topic>.dlq.<group>`` with the reason, and the stream goes on;
* an event of a type or version this consumer does not know is logged and skipped;
* a handler failure is retried in-process with exponential backoff and jitter; when the attempts
  run out the event is dead-lettered with the error, attempts and its original coordinates;
* a record is parked once (``ParkedRecords``): read again because its offset was not committed
  (a rewound poll, a failed commit), one this process parked is neither handled nor parked
  again; before parking one, the consumer also looks among the newest entries of the
  dead-letter topic, where another process (a restart, or the member that had the partition
  before a rebalance) may have parked it already;
* an infrastructure failure (MongoDB or Kafka unreachable) is never dead-lettered: the offset is
  not committed and the message is read again once the infrastructure is back;
* the offset is committed only after the handler returned (``CONSUMER_ACK_POLICY``);
* with ``concurrency`` above 1, each subscription runs that many Kafka consumers of the same
  group in this process: each owns some partitions and handles them one event at a time, so the
  order of one key's events holds while different partitions are handled at once (like as many
  worker processes, without their memory);
* on a broker made with a ``group_instance_id`` (``mentorship_runtime.kafka``), each
  subscription that runs one consumer is a static member of its group, named after the process
  and the topic: restarted under the same name, it takes its partitions back without a rebalance
  and reads on from the committed offsets (what the dead process handled without committing is
  read again). The consumers of a ``concurrency`` above 1 stay dynamic members (FastStream builds
  them alike, and two members may not share a name);
* a subscription given batch handlers (and a ``batch_size`` above 1) reads up to that many
  records per poll and hands each run of consecutive events that share a batch handler to it in
  one call, so that their writes can be one bulk write; the other events are handled one by one
  in their place. The offsets are committed after the whole poll. If a batch handler fails for
  anything but the infrastructure, its events are handled again one at a time by the ordinary
  handlers, so that only a poison event is dead-lettered and the rest goes on. With
  ``concurrency`` above 1 the subscription runs that many batch subscribers of the group, each
  its own Kafka consumer with partitions of its own (dynamic members, as above).

Handlers must be idempotent: a crash between the handler's write and the commit redelivers.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
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
from mentorship_runtime.batched import Batched
from mentorship_runtime.kafka import (
    CONSUMER_ACK_POLICY,
    SESSION_TIMEOUT_MS,
    read_newest,
    static_member_id,
)
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


BatchHandler = Callable[[Sequence[Batched]], Awaitable[None]]

BATCH_POLL_MS = 20
"""A batch subscription's poll: it returns as soon as records arrive, but an empty one is
followed by a pause as long (FastStream), during which an arriving event waits; FastStream's
default, 200 ms, added up to 200 ms to every alert that came in a quiet moment."""

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


PARKED_REMEMBERED = 10_000
"""How many parked records a consumer remembers (the newest): a record read again is one of the
last it read, so the bound is never reached in practice."""

DLQ_LOOKBACK = 1_000
"""How many of the newest entries of each partition of a dead-letter topic a consumer looks
through for a record parked before (by a process that died before committing it)."""

Parked = tuple[str, int, int]
"""A parked record: its topic, partition and offset (the dead-letter topic names the group)."""

Look = Callable[[str, Mapping[int, int]], Awaitable[tuple[list[Any], dict[int, int]]]]
"""Reads a dead-letter topic from the given offsets (``read_newest``): its entries, and the
offsets to read from next time."""


class ParkedRecords:
    """The records one consumer group has parked, as far as this process knows, so that each is
    parked once: those it parked itself (the newest ``remember``), and, given ``look``, those it
    finds on the dead-letter topic. It looks only when about to park a record it does not know,
    and reads only the entries added since it last looked."""

    def __init__(self, look: Look | None = None, *, remember: int = PARKED_REMEMBERED) -> None:
        self._look = look
        self._remember = remember
        self._known: OrderedDict[tuple[str, Parked], None] = OrderedDict()
        self._looked: dict[str, dict[int, int]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def on_kafka(
        cls,
        broker: KafkaBroker,
        *,
        remember: int = PARKED_REMEMBERED,
        lookback: int = DLQ_LOOKBACK,
    ) -> ParkedRecords:
        """Looking in the dead-letter topics through ``broker``'s cluster: the first time at the
        newest ``lookback`` entries of each partition."""

        async def look(topic: str, since: Mapping[int, int]) -> tuple[list[Any], dict[int, int]]:
            return await read_newest(broker, topic, since, at_most=lookback)

        return cls(look, remember=remember)

    def knows(self, dead_letter_topic: str, record: Parked) -> bool:
        return (dead_letter_topic, record) in self._known

    def remember(self, dead_letter_topic: str, record: Parked) -> None:
        self._known[(dead_letter_topic, record)] = None
        self._known.move_to_end((dead_letter_topic, record))
        while len(self._known) > self._remember:
            self._known.popitem(last=False)

    async def park(
        self, dead_letter_topic: str, record: Parked, publish: Callable[[], Awaitable[None]]
    ) -> bool:
        """Call ``publish`` unless ``record`` is parked already; True if it did. One record of a
        dead-letter topic at a time, so that two consumers of this process never both park one
        (during a rebalance between them). A look that fails for the infrastructure is raised
        (the record is read again); one that fails otherwise (a topic the process may write but
        not read) parks the record anyway rather than block the stream."""
        lock = self._locks.setdefault(dead_letter_topic, asyncio.Lock())
        async with lock:
            if self.knows(dead_letter_topic, record):
                return False
            if self._look is not None:
                try:
                    await self._catch_up(self._look, dead_letter_topic)
                except INFRASTRUCTURE_ERRORS:
                    raise  # the publish would fail too: the record is read again later
                except Exception as exc:  # parked maybe twice, rather than blocked
                    log = get_logger("consumer")
                    log.warning("dead_letter_look_failed", topic=dead_letter_topic, error=repr(exc))
                if self.knows(dead_letter_topic, record):
                    return False
            await publish()
            self.remember(dead_letter_topic, record)
            return True

    async def _catch_up(self, look: Look, dead_letter_topic: str) -> None:
        """Remember what the entries added to ``dead_letter_topic`` since the last look parked."""
        since = self._looked.get(dead_letter_topic, {})
        entries, ends = await look(dead_letter_topic, since)
        for entry in entries:
            parked = _parked_entry(entry.headers or ())
            if parked is not None:
                self.remember(dead_letter_topic, parked)
        self._looked[dead_letter_topic] = ends


def _parked_entry(headers: Collection[tuple[str, bytes]]) -> Parked | None:
    """The record a dead-letter entry parked, from its ``dlq-original-*`` headers."""
    found = decode_headers(headers)
    topic = found.get(DLQ_ORIGINAL_TOPIC)
    partition, offset = found.get(DLQ_ORIGINAL_PARTITION), found.get(DLQ_ORIGINAL_OFFSET)
    try:
        return None if topic is None else (topic, int(partition or ""), int(offset or ""))
    except ValueError:
        return None


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
class Record:
    """A consumed Kafka record, as much of it as the consumer uses."""

    body: bytes
    headers: Collection[tuple[str, bytes]]
    topic: str
    partition: int
    offset: int
    key: bytes | None

    @classmethod
    def of(cls, record: ConsumerRecord[bytes, bytes]) -> Record:
        return cls(
            body=record.value or b"",
            headers=list(record.headers or ()),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
        )

    @property
    def where(self) -> dict[str, Any]:
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset}

    @property
    def identity(self) -> Parked:
        return self.topic, self.partition, self.offset


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
        parked: ParkedRecords | None = None,
    ) -> None:
        """``group_id`` names the consumer (dead-letter topics, metrics, logs); Kafka sees
        ``group_prefix + group_id``, so that environments sharing a cluster through a topic prefix
        do not share consumer groups (and never rebalance one another).

        ``parked``: what the group parked (by default remembered, and looked for on the
        dead-letter topics through ``broker``)."""
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
        self._parked = ParkedRecords.on_kafka(broker) if parked is None else parked
        self._log = get_logger("consumer").bind(group=group_id)

    def subscribe(
        self,
        topic: str,
        handlers: dict[str, Handler],
        *,
        description: str,
        max_poll_interval_ms: int = 300_000,
        session_timeout_ms: int = SESSION_TIMEOUT_MS,
        batch: dict[str, BatchHandler] | None = None,
        batch_size: int = 1,
        documented: bool = True,
    ) -> None:
        """Route the events of ``topic`` by ``type`` to ``handlers``; other types are skipped.

        ``documented=False`` leaves the subscription out of the AsyncAPI document: a second
        consumer of a topic the service already documents (the document has one channel per
        topic, and two descriptions of it would take turns).

        ``batch``: for some of those types, a handler of several events at once, equivalent to
        calling the ordinary handler on each in turn (it must be idempotent too). It is used when
        ``batch_size`` is above 1, reading up to that many records per poll; with
        ``concurrency`` above 1 the subscription then runs that many batch subscribers, each its
        own Kafka consumer of the group.

        ``session_timeout_ms``: how long the group waits for a member that stopped heartbeating
        before it hands its partitions to the others (a static member restarted within it
        takes them back itself).
        """
        if batch_size < 1:
            msg = f"batch_size must be at least 1, not {batch_size}"
            raise ValueError(msg)
        if batch and not batch.keys() <= handlers.keys():
            msg = f"batch handlers without an ordinary one: {sorted(batch.keys() - handlers)}"
            raise ValueError(msg)
        # members of one group may not share a name: several consumers stay dynamic members
        member = static_member_id(self._broker, topic) if self._concurrency == 1 else None
        if batch and batch_size > 1:
            # FastStream's batch subscriber runs one consumer (it ignores max_workers): each of
            # ours commits after its own polls, and a rewind moves only its own partitions
            for n in range(self._concurrency):
                self._subscribe_batch(
                    topic,
                    handlers,
                    batch,
                    member=member,
                    description=description,
                    batch_size=batch_size,
                    max_poll_interval_ms=max_poll_interval_ms,
                    session_timeout_ms=session_timeout_ms,
                    documented=documented and n == 0,
                )
            return

        @self._broker.subscriber(
            topic,
            group_id=self._kafka_group,
            group_instance_id=member,
            ack_policy=CONSUMER_ACK_POLICY,
            auto_offset_reset="earliest",
            max_poll_interval_ms=max_poll_interval_ms,
            session_timeout_ms=session_timeout_ms,
            description=description,
            include_in_schema=documented,
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

    def _subscribe_batch(
        self,
        topic: str,
        handlers: dict[str, Handler],
        batch: dict[str, BatchHandler],
        *,
        member: str | None,
        description: str,
        batch_size: int,
        max_poll_interval_ms: int,
        session_timeout_ms: int,
        documented: bool,
    ) -> None:
        """One batch subscriber of ``topic``: a Kafka consumer of the group reading up to
        ``batch_size`` records per poll, committed after each whole poll. Only the first of a
        subscription's subscribers is in the AsyncAPI document (they are one channel)."""

        @self._broker.subscriber(
            topic,
            group_id=self._kafka_group,
            group_instance_id=member,
            ack_policy=CONSUMER_ACK_POLICY,
            auto_offset_reset="earliest",
            max_poll_interval_ms=max_poll_interval_ms,
            session_timeout_ms=session_timeout_ms,
            description=description,
            include_in_schema=documented,
            decoder=_raw_body,
            batch=True,
            max_records=batch_size,
            batch_timeout_ms=BATCH_POLL_MS,
        )
        async def consume_batch(message: KafkaMessage) -> None:
            records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
            await self.process_batch([Record.of(r) for r in records], handlers, batch)

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
        record = Record(body, headers, topic, partition, offset, key)
        if self._parked_before(record):
            return self._read_again(record)
        decoded = await self._decode(record)
        if isinstance(decoded, Outcome):
            return decoded
        return await self._handle(decoded, record, handlers)

    async def process_batch(
        self,
        records: Sequence[Record],
        handlers: dict[str, Handler],
        batch: dict[str, BatchHandler],
    ) -> list[Outcome]:
        """Handle one poll's records in their order; consecutive events sharing a batch handler
        go to it together. Returns each record's outcome, in order."""
        outcomes: dict[int, Outcome] = {}
        run: list[tuple[int, Envelope[Any], Record]] = []
        run_handler: BatchHandler | None = None

        async def flush() -> None:
            if run and run_handler is not None:
                done = await self._handle_run(run_handler, run, handlers)
                outcomes.update(zip((i for i, _, _ in run), done, strict=True))
            run.clear()

        for index, record in enumerate(records):
            if self._parked_before(record):
                outcomes[index] = self._read_again(record)
                continue
            decoded = await self._decode(record)
            if isinstance(decoded, Outcome):
                outcomes[index] = decoded
                continue
            handler = batch.get(decoded.type)
            if handler is None and decoded.type not in handlers:
                # a type this subscription ignores has no effect to keep in order: it does not
                # break the run (a topic's other events would otherwise split every batch)
                outcomes[index] = await self._handle(decoded, record, handlers)
                continue
            if handler is not run_handler:
                await flush()
                run_handler = handler
            if handler is None:
                outcomes[index] = await self._handle(decoded, record, handlers)
            else:
                run.append((index, decoded, record))
        await flush()
        return [outcomes[i] for i in range(len(records))]

    def _parked_before(self, record: Record) -> bool:
        return self._parked.knows(self._dead_letter_topic(record), record.identity)

    def _read_again(self, record: Record) -> Outcome:
        """A record this process parked, read again (its offset was not committed): it stays
        parked, and is neither handled nor parked again."""
        self._log.info("parked_record_read_again", **record.where)
        EVENTS_CONSUMED.labels(self._group_id, record.topic, "", "dead_lettered").inc()
        return Outcome("dead_lettered", error="parked before")

    def _dead_letter_topic(self, record: Record) -> str:
        return dead_letter_topic(record.topic, self._group_id)

    async def _decode(self, record: Record) -> Envelope[Any] | Outcome:
        try:
            return self._registry.decode(record.body)
        except UnknownEventType as exc:
            self._log.warning("event_skipped", reason=str(exc), **record.where)
            EVENTS_CONSUMED.labels(self._group_id, record.topic, "unknown", "skipped").inc()
            return Outcome("skipped", error=str(exc))
        except ContractError as exc:
            self._log.error("event_invalid", reason=str(exc), **record.where)
            await self._dead_letter(record, exc, attempts=0)
            EVENTS_CONSUMED.labels(self._group_id, record.topic, "", "invalid").inc()
            return Outcome("dead_lettered", error=str(exc))

    @contextmanager
    def _scope(self, envelope: Envelope[Any], record: Record) -> Iterator[None]:
        with (
            bound_event(envelope),
            consuming(envelope, record.headers, self._group_id, record.where),
        ):
            yield

    async def _handle(
        self, envelope: Envelope[Any], record: Record, handlers: dict[str, Handler]
    ) -> Outcome:
        handler = handlers.get(envelope.type)
        if handler is None:
            EVENTS_CONSUMED.labels(self._group_id, record.topic, envelope.type, "skipped").inc()
            return Outcome("skipped")
        started = time.perf_counter()
        with self._scope(envelope, record):
            outcome = await self._run(handler, envelope, record)
        HANDLER_SECONDS.labels(self._group_id, record.topic, envelope.type).observe(
            time.perf_counter() - started
        )
        EVENTS_CONSUMED.labels(self._group_id, record.topic, envelope.type, outcome.status).inc()
        return outcome

    async def _handle_run(
        self,
        handler: BatchHandler,
        run: Sequence[tuple[int, Envelope[Any], Record]],
        handlers: dict[str, Handler],
    ) -> list[Outcome]:
        """One batch handler call for ``run``: retried while the infrastructure is away (then
        raised, so that the poll is read again); any other failure sends the events one by one
        through their ordinary handlers, where a poison event alone is dead-lettered."""
        items = [
            Batched(envelope, partial(self._scope, envelope, record)) for _, envelope, record in run
        ]
        started = time.perf_counter()
        attempt = 0
        while True:
            attempt += 1
            try:
                await handler(items)
            except INFRASTRUCTURE_ERRORS:
                for _, envelope, record in run:
                    HANDLER_FAILURES.labels(
                        self._group_id, record.topic, envelope.type, "infrastructure"
                    ).inc()
                if attempt >= self._retry.max_attempts:
                    self._log.warning("infrastructure_unavailable_rewinding", events=len(run))
                    raise
                await self._retry.sleep(self._retry.delay(attempt))
                continue
            except Exception as exc:
                self._log.warning("batch_failed_one_by_one", events=len(run), error=repr(exc))
                return [await self._handle(e, r, handlers) for _, e, r in run]
            break
        share = (time.perf_counter() - started) / len(run)
        for _, envelope, record in run:
            HANDLER_SECONDS.labels(self._group_id, record.topic, envelope.type).observe(share)
            EVENTS_CONSUMED.labels(self._group_id, record.topic, envelope.type, "handled").inc()
        self._log.debug("batch_handled", events=len(run), attempts=attempt)
        return [Outcome("handled", attempts=attempt) for _ in run]

    async def _run(self, handler: Handler, envelope: Envelope[Any], record: Record) -> Outcome:
        where = record.where
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
                    await self._dead_letter(record, exc, attempts=attempt)
                    return Outcome("dead_lettered", attempts=attempt, error=repr(exc))
                self._log.warning("event_retry", attempt=attempt, error=repr(exc), **where)
                HANDLER_FAILURES.labels(
                    self._group_id, where["topic"], envelope.type, "retry"
                ).inc()
                await self._retry.sleep(self._retry.delay(attempt))
                continue
            self._log.debug("event_handled", attempts=attempt, **where)
            return Outcome("handled", attempts=attempt)

    async def _dead_letter(self, record: Record, error: BaseException, *, attempts: int) -> None:
        """Park ``record`` on ``<topic>.dlq.<group>`` with why and where from, unless it is
        parked already (``ParkedRecords``)."""
        topic = record.topic
        dlq_headers = decode_headers(record.headers)
        dlq_headers.update(
            {
                DLQ_ERROR: str(error)[:2000],
                DLQ_ERROR_TYPE: type(error).__name__,
                DLQ_ATTEMPTS: str(attempts),
                DLQ_ORIGINAL_TOPIC: topic,
                DLQ_ORIGINAL_PARTITION: str(record.partition),
                DLQ_ORIGINAL_OFFSET: str(record.offset),
                DLQ_CONSUMER_GROUP: self._group_id,
                DLQ_FAILED_AT: self._clock().isoformat(),
            }
        )
        dlq = self._dead_letter_topic(record)

        async def publish() -> None:
            await self._broker.publish(record.body, dlq, key=record.key, headers=dlq_headers)

        if await self._parked.park(dlq, record.identity, publish):
            DEAD_LETTERED.labels(self._group_id, topic).inc()
        else:
            self._log.warning("dead_letter_parked_before", **record.where)
