"""Dead letters: find them, read them, and put them back where they came from.

``EventConsumer`` parks what a consumer group could not handle on ``<topic>.dlq.<group>``, with the
original bytes, key and ``event-*`` headers plus ``dlq-*`` headers that say why and from where. This
module is what operators use once the cause is fixed:

* :func:`discover_dead_letter_topics` finds the dead-letter topics of the platform's topics (under a
  topic prefix, which isolates environments and test runs);
* :func:`read_dead_letters` reads their entries, optionally filtered by event type, event id or
  consumer group, and :func:`get_dead_letter` reads one entry by its coordinates;
* :func:`replay` publishes an entry's original bytes, key and ``event-*`` headers back to its
  original topic, with a ``dlq-replay-of`` header naming the entry, and waits for the broker's
  acknowledgement (``acks=all``, idempotent producer, as everywhere on the platform).

Replay is idempotent for the operator at two levels. The platform's consumers recognise an event
they handled before by its id (notify derives notification ids from it; progress keeps the ids of
the events applied to a tracking), so a second copy changes nothing. And replays are recorded:
the consumer group ``dlq-replayer.<group>`` commits offsets on the dead-letter topic, where the
committed offset means "every entry below was replayed" and the commit's metadata lists the
entries above it that were replayed out of order (a replay by type or by id). A second
``replay`` therefore skips what was replayed already, unless asked to replay it again.

The record is advisory, not a lock: an entry is recorded after the broker acknowledged its copy,
so a crash in between, or two operators replaying at once, can republish an entry twice; the
consumers' idempotency makes that harmless.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    CoordinatorLoadInProgressError,
    GroupCoordinatorNotAvailableError,
)

from mentorship_cli.kafka_access import KafkaClients, client_options
from mentorship_contracts.headers import EVENT_ID, EVENT_TYPE
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import (
    DLQ_ATTEMPTS,
    DLQ_CONSUMER_GROUP,
    DLQ_ERROR,
    DLQ_ERROR_TYPE,
    DLQ_FAILED_AT,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_PARTITION,
    DLQ_ORIGINAL_TOPIC,
)
from mentorship_runtime.kafka import read_ranges

DLQ_MARKER = ".dlq."
DLQ_REPLAY_OF = "dlq-replay-of"
"""Header of a replayed copy: the coordinates (``topic/partition/offset``) of its dead letter."""
DLQ_REPLAYED_AT = "dlq-replayed-at"
REPLAYER_GROUP_PREFIX = "dlq-replayer."
CONTENT_TYPE = "content-type"
METADATA_LIMIT = 3500
"""Bytes of commit metadata used for out-of-order replays (brokers accept 4096 by default)."""
BATCH = 100
READ_TIMEOUT = 30.0
"""Seconds without a record before reading a dead-letter topic gives up."""

Progress = Callable[["DeadLetter"], None]


class DeadLetterError(Exception):
    """A dead-letter operation cannot be done; the message says why, for people."""


class DeadLetterNotFound(DeadLetterError):
    """No dead letter at the given coordinates, or no dead-letter topic of that name."""


# ---- names ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadLetterTopic:
    """A dead-letter topic and what its name says: whose events, parked by which group."""

    name: str
    original_topic: str
    consumer_group: str

    @classmethod
    def parse(cls, name: str) -> DeadLetterTopic | None:
        original, marker, group = name.rpartition(DLQ_MARKER)
        if not marker or not original or not group:
            return None
        return cls(name, original, group)

    @property
    def replayer_group(self) -> str:
        return replayer_group(self.consumer_group)


def replayer_group(consumer_group: str) -> str:
    """The consumer group whose commits on a dead-letter topic record what was replayed."""
    return f"{REPLAYER_GROUP_PREFIX}{consumer_group}"


def platform_topic_names(prefix: str = "") -> frozenset[str]:
    return frozenset(topic_name(topic, prefix) for topic in Topic)


def is_platform_dead_letter_topic(name: str, prefix: str = "") -> bool:
    parsed = DeadLetterTopic.parse(name)
    return parsed is not None and parsed.original_topic in platform_topic_names(prefix)


# ---- entries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered event: where it is parked, where it came from, and why it failed."""

    topic: str
    partition: int
    offset: int
    timestamp: datetime | None
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    original_topic: str
    original_partition: int | None
    original_offset: int | None
    consumer_group: str
    event_id: str | None
    event_type: str | None
    error: str | None
    error_type: str | None
    attempts: int | None
    failed_at: datetime | None
    replayed: bool = False

    @property
    def coordinates(self) -> str:
        return f"{self.topic}/{self.partition}/{self.offset}"

    def header(self, name: str) -> str | None:
        for header, value in self.headers:
            if header == name:
                return value.decode("utf-8", "replace")
        return None

    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the producer wrote: the envelope's ``event-*`` and the content type."""
        return [
            (name, value)
            for name, value in self.headers
            if name.startswith("event-") or name == CONTENT_TYPE
        ]

    def document(self) -> Any:
        """The event as JSON, or None when the bytes are not JSON (such events are parked too)."""
        try:
            return json.loads(self.value)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None

    @classmethod
    def from_record(cls, record: Any, *, replayed: bool = False) -> DeadLetter:
        topic = DeadLetterTopic.parse(str(record.topic))
        raw_headers = tuple((str(n), bytes(v or b"")) for n, v in (record.headers or ()))
        text = {n: v.decode("utf-8", "replace") for n, v in raw_headers}
        document = _json_object(bytes(record.value or b""))
        return cls(
            topic=str(record.topic),
            partition=int(record.partition),
            offset=int(record.offset),
            timestamp=_from_millis(record.timestamp),
            key=None if record.key is None else bytes(record.key),
            value=bytes(record.value or b""),
            headers=raw_headers,
            original_topic=text.get(DLQ_ORIGINAL_TOPIC) or (topic.original_topic if topic else ""),
            original_partition=_int(text.get(DLQ_ORIGINAL_PARTITION)),
            original_offset=_int(text.get(DLQ_ORIGINAL_OFFSET)),
            consumer_group=text.get(DLQ_CONSUMER_GROUP) or (topic.consumer_group if topic else ""),
            event_id=text.get(EVENT_ID) or _text(document.get("event_id")),
            event_type=text.get(EVENT_TYPE) or _text(document.get("type")),
            error=text.get(DLQ_ERROR),
            error_type=text.get(DLQ_ERROR_TYPE),
            attempts=_int(text.get(DLQ_ATTEMPTS)),
            failed_at=_datetime(text.get(DLQ_FAILED_AT)),
            replayed=replayed,
        )

    def matches(
        self,
        *,
        event_type: str | None = None,
        event_id: str | None = None,
        consumer_group: str | None = None,
    ) -> bool:
        return (
            (event_type is None or self.event_type == event_type)
            and (event_id is None or self.event_id == event_id)
            and (consumer_group is None or self.consumer_group == consumer_group)
        )


def _json_object(value: bytes) -> dict[str, Any]:
    try:
        document = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return document if isinstance(document, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _from_millis(value: object) -> datetime | None:
    if not isinstance(value, int) or value < 0:
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


# ---- what was replayed ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayLedger:
    """What was replayed from one dead-letter partition: every offset below ``below``, and the
    offsets in ``above``. Stored as the replayer group's commit: offset and metadata."""

    below: int = 0
    above: frozenset[int] = frozenset()

    def __contains__(self, offset: object) -> bool:
        return isinstance(offset, int) and (offset < self.below or offset in self.above)

    def add(self, offsets: Iterable[int]) -> ReplayLedger:
        above = set(self.above) | {o for o in offsets if o >= self.below}
        below = self.below
        while below in above:
            above.remove(below)
            below += 1
        return ReplayLedger(below, frozenset(above))

    def metadata(self) -> str:
        ranges: list[str] = []
        ordered = sorted(self.above)
        start = previous = ordered[0] if ordered else 0
        for offset in ordered[1:]:
            if offset != previous + 1:
                ranges.append(_range(start, previous))
                start = offset
            previous = offset
        if ordered:
            ranges.append(_range(start, previous))
        return ",".join(ranges)

    @classmethod
    def decode(cls, offset: int, metadata: str | None) -> ReplayLedger:
        above: set[int] = set()
        for part in (metadata or "").split(","):
            first, _, last = part.strip().partition("-")
            if first.isdigit() and (not last or last.isdigit()):
                above.update(range(int(first), int(last or first) + 1))
        return cls(max(offset, 0)).add(above)


def _range(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}-{end}"


async def _ledgers(
    admin: AIOKafkaAdminClient, partitions: Iterable[TopicPartition]
) -> dict[TopicPartition, ReplayLedger]:
    by_group: dict[str, list[TopicPartition]] = defaultdict(list)
    for tp in partitions:
        parsed = DeadLetterTopic.parse(tp.topic)
        if parsed is not None:
            by_group[parsed.replayer_group].append(tp)
    ledgers: dict[TopicPartition, ReplayLedger] = {}
    for group, tps in by_group.items():
        committed = await _group_offsets(admin, group, tps)
        for tp in tps:
            found = committed.get(tp)
            ledgers[tp] = (
                ReplayLedger.decode(int(found.offset), found.metadata) if found else ReplayLedger()
            )
    return ledgers


# ---- reading ----------------------------------------------------------------------------------


class _Kafka(KafkaClients):
    """The clients, reporting a broker out of reach as a ``DeadLetterError``."""

    unreachable = DeadLetterError

    async def partitions(self, topic: str) -> list[TopicPartition]:
        [description] = await self.admin.describe_topics([topic])
        return sorted(
            (TopicPartition(topic, int(p["partition"])) for p in description["partitions"]),
            key=lambda tp: tp.partition,
        )


async def discover_dead_letter_topics(bootstrap: str, *, prefix: str = "") -> list[DeadLetterTopic]:
    """The dead-letter topics of the platform's topics under ``prefix``, by name."""
    async with _Kafka(bootstrap) as kafka:
        return _platform_dead_letter_topics(await kafka.topics(), prefix)


def _platform_dead_letter_topics(names: Iterable[str], prefix: str) -> list[DeadLetterTopic]:
    found = [DeadLetterTopic.parse(n) for n in sorted(names)]
    return [t for t in found if t and is_platform_dead_letter_topic(t.name, prefix)]


async def read_dead_letters(
    bootstrap: str,
    topics: Sequence[str] | None = None,
    *,
    prefix: str = "",
    event_type: str | None = None,
    event_id: str | None = None,
    consumer_group: str | None = None,
) -> list[DeadLetter]:
    """Every entry of ``topics`` (by default, every platform dead-letter topic under ``prefix``)
    present when the call started, filtered, each marked with whether it was replayed."""
    async with _Kafka(bootstrap) as kafka:
        existing = await kafka.topics()
        if topics is None:
            names = [t.name for t in _platform_dead_letter_topics(existing, prefix)]
        else:
            names = list(topics)
            for name in names:
                _check_dead_letter_topic(name, existing)
        partitions = [tp for name in names for tp in await kafka.partitions(name)]
        begin, end = await kafka.bounds(partitions)
        present = [tp for tp in partitions if end[tp] > begin[tp]]
        ledgers = await _ledgers(kafka.admin, present)
        records = await _read_ranges(kafka.consumer, {tp: (begin[tp], end[tp]) for tp in present})
        entries = [DeadLetter.from_record(r, replayed=_replayed(r, ledgers)) for r in records]
        return [
            e
            for e in entries
            if e.matches(event_type=event_type, event_id=event_id, consumer_group=consumer_group)
        ]


def _replayed(record: Any, ledgers: dict[TopicPartition, ReplayLedger]) -> bool:
    ledger = ledgers.get(TopicPartition(record.topic, record.partition), ReplayLedger())
    return int(record.offset) in ledger


def _check_dead_letter_topic(name: str, existing: set[str]) -> DeadLetterTopic:
    parsed = DeadLetterTopic.parse(name)
    if parsed is None:
        msg = f"{name!r} is not a dead-letter topic (their names end in .dlq.<consumer group>)"
        raise DeadLetterNotFound(msg)
    if name not in existing:
        msg = f"there is no topic {name!r}: nothing was dead-lettered there"
        raise DeadLetterNotFound(msg)
    return parsed


async def _read_ranges(
    consumer: AIOKafkaConsumer, ranges: dict[TopicPartition, tuple[int, int]]
) -> list[Any]:
    """The records of each partition from its start to (excluding) its end offset, in order."""
    try:
        return await read_ranges(consumer, ranges, timeout=READ_TIMEOUT)
    except TimeoutError as exc:
        raise DeadLetterError(str(exc)) from None


async def get_dead_letter(bootstrap: str, topic: str, partition: int, offset: int) -> DeadLetter:
    """The entry at ``topic/partition/offset``, or :class:`DeadLetterNotFound` saying what is not
    there (the topic, the partition, or the offset, with the range that exists)."""
    async with _Kafka(bootstrap) as kafka:
        _check_dead_letter_topic(topic, await kafka.topics())
        partitions = await kafka.partitions(topic)
        tp = TopicPartition(topic, partition)
        if tp not in partitions:
            msg = f"{topic} has no partition {partition} (it has {len(partitions)}: 0 to "
            msg += f"{len(partitions) - 1})"
            raise DeadLetterNotFound(msg)
        begin, end = await kafka.bounds([tp])
        if not begin[tp] <= offset < end[tp]:
            held = f"offsets {begin[tp]} to {end[tp] - 1}" if end[tp] > begin[tp] else "no entries"
            msg = f"{topic} partition {partition} has no offset {offset} (it holds {held})"
            raise DeadLetterNotFound(msg)
        [record, *_] = await _read_ranges(kafka.consumer, {tp: (offset, offset + 1)}) or [None]
        if record is None or record.offset != offset:
            msg = f"{topic} partition {partition} has no record at offset {offset}"
            raise DeadLetterNotFound(msg)
        ledgers = await _ledgers(kafka.admin, [tp])
        return DeadLetter.from_record(record, replayed=offset in ledgers[tp])


# ---- replaying --------------------------------------------------------------------------------


@dataclass
class ReplayReport:
    """What a replay did (or, with ``dry_run``, would do) with each selected entry."""

    dry_run: bool = False
    replayed: list[DeadLetter] = field(default_factory=list)
    skipped: list[DeadLetter] = field(default_factory=list)
    """Replayed before: left alone (``again`` replays them anyway)."""
    failed: list[tuple[DeadLetter, str]] = field(default_factory=list)


async def replay(
    bootstrap: str,
    entries: Sequence[DeadLetter],
    *,
    again: bool = False,
    dry_run: bool = False,
    on_replayed: Progress | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReplayReport:
    """Publish each entry back to its original topic and record it as replayed.

    Entries recorded as replayed are skipped unless ``again``. An entry whose original topic no
    longer exists is reported as failed, and nothing is published for it. ``on_replayed`` is
    called after each entry's copy was acknowledged (for progress bars)."""
    report = ReplayReport(dry_run=dry_run)
    ordered = sorted({e.coordinates: e for e in entries}.values(), key=_position)
    if not ordered:
        return report
    async with _Kafka(bootstrap) as kafka:
        existing = await kafka.topics()
        ledgers = await _ledgers(kafka.admin, {_tp(e) for e in ordered})
        todo: dict[TopicPartition, list[DeadLetter]] = defaultdict(list)
        for entry in ordered:
            if entry.offset in ledgers[_tp(entry)] and not again:
                report.skipped.append(entry)
            elif entry.original_topic not in existing:
                problem = f"its original topic {entry.original_topic!r} does not exist"
                report.failed.append((entry, problem))
            else:
                todo[_tp(entry)].append(entry)
        for tp, batch in todo.items():
            if len(ledgers[tp].add(e.offset for e in batch).metadata()) > METADATA_LIMIT:
                msg = (
                    f"too many scattered entries of {tp.topic} partition {tp.partition} would be "
                    "recorded as replayed; replay them in order (replay --all) instead"
                )
                raise DeadLetterError(msg)
        if dry_run:
            report.replayed = [e for batch in todo.values() for e in batch]
            return report
        await _publish_and_record(bootstrap, todo, ledgers, report, on_replayed, clock)
    return report


def _position(entry: DeadLetter) -> tuple[str, int, int]:
    return entry.topic, entry.partition, entry.offset


def _tp(entry: DeadLetter) -> TopicPartition:
    return TopicPartition(entry.topic, entry.partition)


async def _publish_and_record(
    bootstrap: str,
    todo: dict[TopicPartition, list[DeadLetter]],
    ledgers: dict[TopicPartition, ReplayLedger],
    report: ReplayReport,
    on_replayed: Progress | None,
    clock: Callable[[], datetime],
) -> None:
    access = client_options()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id="mentorship-dlq-replayer",
        acks="all",
        enable_idempotence=True,
        **access,
    )
    by_group: dict[str, list[TopicPartition]] = defaultdict(list)
    for tp in todo:
        by_group[replayer_group(_group_of(tp.topic))].append(tp)
    recorders: list[AIOKafkaConsumer] = []
    await producer.start()
    try:
        for group, partitions in by_group.items():
            recorder = AIOKafkaConsumer(
                bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **access
            )
            recorders.append(recorder)
            await recorder.start()
            recorder.assign(partitions)
            for tp in partitions:
                entries = todo[tp]
                for start in range(0, len(entries), BATCH):
                    done = await _publish(producer, entries[start : start + BATCH], report, clock)
                    if not done:
                        continue
                    ledgers[tp] = ledgers[tp].add(e.offset for e in done)
                    await recorder.commit({tp: (ledgers[tp].below, ledgers[tp].metadata())})
                    for entry in done:
                        report.replayed.append(entry)
                        if on_replayed is not None:
                            on_replayed(entry)
    finally:
        await producer.stop()
        for recorder in recorders:
            await recorder.stop()


def _group_of(topic: str) -> str:
    parsed = DeadLetterTopic.parse(topic)
    return parsed.consumer_group if parsed else topic


async def _publish(
    producer: AIOKafkaProducer,
    chunk: Sequence[DeadLetter],
    report: ReplayReport,
    clock: Callable[[], datetime],
) -> list[DeadLetter]:
    replayed_at = clock().isoformat().encode()
    sent = []
    for entry in chunk:
        headers = [
            *entry.original_headers(),
            (DLQ_REPLAY_OF, entry.coordinates.encode()),
            (DLQ_REPLAYED_AT, replayed_at),
        ]
        sent.append(
            await producer.send(
                entry.original_topic,
                entry.value,
                key=entry.key,
                partition=entry.original_partition if entry.key is None else None,
                headers=headers,
            )
        )
    outcomes = await asyncio.gather(*sent, return_exceptions=True)
    done: list[DeadLetter] = []
    for entry, outcome in zip(chunk, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            report.failed.append((entry, f"not acknowledged by Kafka: {outcome!r}"))
        else:
            done.append(entry)
    return done


async def _group_offsets(
    admin: AIOKafkaAdminClient, group: str, tps: list[TopicPartition], *, tries: int = 20
) -> dict[TopicPartition, Any]:
    """The group's committed offsets; a broker that is still electing the group's coordinator
    (a fresh broker creates ``__consumer_offsets`` on first use) is asked again."""
    for _ in range(tries - 1):
        try:
            return dict(await admin.list_consumer_group_offsets(group, partitions=tps))
        except (GroupCoordinatorNotAvailableError, CoordinatorLoadInProgressError):
            await asyncio.sleep(0.5)
    return dict(await admin.list_consumer_group_offsets(group, partitions=tps))
