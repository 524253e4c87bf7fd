"""How one message is handled: decoding, routing, retries and dead letters (no broker needed)."""

import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from pymongo.errors import AutoReconnect

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import CheckInRecorded
from mentorship_runtime.consumer import (
    DLQ_ATTEMPTS,
    DLQ_CONSUMER_GROUP,
    DLQ_ERROR,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_PARTITION,
    DLQ_ORIGINAL_TOPIC,
    EventConsumer,
    ParkedRecords,
    PermanentError,
    RetryPolicy,
)


@dataclass
class Published:
    body: bytes
    topic: str
    key: bytes | None
    headers: dict[str, str]


@dataclass
class RecordingBroker:
    published: list[Published] = field(default_factory=list)

    async def publish(
        self, body: bytes, topic: str, *, key: bytes | None, headers: dict[str, str]
    ) -> None:
        self.published.append(Published(body, topic, key, headers))


@dataclass
class Sleeps:
    delays: list[float] = field(default_factory=list)

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def check_in_event(mentee: str = "e-1", confidence: int = 2) -> Envelope[CheckInRecorded]:
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


def make_consumer(max_attempts: int = 3) -> tuple[EventConsumer, RecordingBroker, Sleeps]:
    broker, sleeps = RecordingBroker(), Sleeps()
    consumer = EventConsumer(
        broker,  # type: ignore[arg-type]
        group_id="notify",
        retry=RetryPolicy(max_attempts=max_attempts, sleep=sleeps, rng=random.Random(1)),
        parked=ParkedRecords(),  # no topics to look in: what it parked itself
    )
    return consumer, broker, sleeps


async def deliver(consumer: EventConsumer, body: bytes, handlers: dict[str, Any]) -> Any:
    return await consumer.process(
        body,
        headers=[("event-id", b"abc")],
        topic="progress.events",
        partition=2,
        offset=41,
        key=b"e-1",
        handlers=handlers,
    )


async def test_a_valid_event_reaches_its_handler_once() -> None:
    consumer, broker, _ = make_consumer()
    seen: list[Envelope[Any]] = []

    async def handle(event: Envelope[Any]) -> None:
        seen.append(event)

    event = check_in_event()
    outcome = await deliver(consumer, event.to_bytes(), {event.type: handle})

    assert outcome.status == "handled"
    assert seen == [event]
    assert broker.published == []


async def test_an_event_type_without_a_handler_is_skipped() -> None:
    consumer, broker, _ = make_consumer()

    outcome = await deliver(consumer, check_in_event().to_bytes(), {})

    assert outcome.status == "skipped"
    assert broker.published == []


async def test_an_unknown_event_type_is_skipped_not_dead_lettered() -> None:
    consumer, broker, _ = make_consumer()
    body = check_in_event().to_bytes().replace(b"progress.check_in.recorded", b"progress.new_thing")

    outcome = await deliver(consumer, body, {})

    assert outcome.status == "skipped"
    assert "progress.new_thing" in (outcome.error or "")
    assert broker.published == []


@pytest.mark.parametrize("body", [b"{not json", b"", b"\x00\x01", b'{"type": "x"}'])
async def test_malformed_bytes_go_straight_to_the_dead_letter_topic(body: bytes) -> None:
    consumer, broker, sleeps = make_consumer()

    outcome = await deliver(consumer, body, {})

    assert outcome.status == "dead_lettered"
    [dead] = broker.published
    assert dead.topic == "progress.events.dlq.notify"
    assert dead.body == body
    assert dead.key == b"e-1"
    assert dead.headers[DLQ_ORIGINAL_TOPIC] == "progress.events"
    assert dead.headers[DLQ_ORIGINAL_PARTITION] == "2"
    assert dead.headers[DLQ_ORIGINAL_OFFSET] == "41"
    assert dead.headers[DLQ_CONSUMER_GROUP] == "notify"
    assert dead.headers[DLQ_ATTEMPTS] == "0"
    assert dead.headers["event-id"] == "abc"
    assert "malformed event" in dead.headers[DLQ_ERROR]
    assert sleeps.delays == []


async def test_an_invalid_payload_is_dead_lettered_naming_the_field() -> None:
    consumer, broker, _ = make_consumer()
    body = check_in_event().to_bytes().replace(b'"confidence":2', b'"confidence":9')

    await deliver(consumer, body, {})

    [dead] = broker.published
    assert "data.confidence" in dead.headers[DLQ_ERROR]


async def test_a_failing_handler_is_retried_with_backoff_then_succeeds() -> None:
    consumer, broker, sleeps = make_consumer(max_attempts=3)
    calls = 0

    async def flaky(_: Envelope[Any]) -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RuntimeError("not yet")

    event = check_in_event()
    outcome = await deliver(consumer, event.to_bytes(), {event.type: flaky})

    assert outcome.status == "handled"
    assert outcome.attempts == 3
    assert len(sleeps.delays) == 2
    assert sleeps.delays[1] > sleeps.delays[0] / 2
    assert broker.published == []


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_the_bounded_attempts() -> None:
    consumer, broker, sleeps = make_consumer(max_attempts=4)

    async def broken(_: Envelope[Any]) -> None:
        raise RuntimeError("bug in handler")

    event = check_in_event()
    outcome = await deliver(consumer, event.to_bytes(), {event.type: broken})

    assert outcome.status == "dead_lettered"
    [dead] = broker.published
    assert dead.body == event.to_bytes()
    assert dead.headers[DLQ_ATTEMPTS] == "4"
    assert "bug in handler" in dead.headers[DLQ_ERROR]
    assert len(sleeps.delays) == 3


async def test_a_permanent_error_is_dead_lettered_without_retrying() -> None:
    consumer, broker, sleeps = make_consumer(max_attempts=5)

    async def refuses(_: Envelope[Any]) -> None:
        raise PermanentError("mentee unknown in this program")

    event = check_in_event()
    await deliver(consumer, event.to_bytes(), {event.type: refuses})

    assert [d.headers[DLQ_ATTEMPTS] for d in broker.published] == ["1"]
    assert sleeps.delays == []


async def test_an_unreachable_database_is_never_dead_lettered_but_read_again() -> None:
    consumer, broker, sleeps = make_consumer(max_attempts=3)

    async def database_down(_: Envelope[Any]) -> None:
        raise AutoReconnect("connection refused")

    event = check_in_event()
    with pytest.raises(AutoReconnect):
        await deliver(consumer, event.to_bytes(), {event.type: database_down})

    assert broker.published == []
    assert len(sleeps.delays) == 2


async def test_an_invalid_record_read_again_is_not_parked_a_second_time() -> None:
    # read again: its offset was not committed (a rewound poll, a failed commit)
    consumer, broker, _ = make_consumer()

    first = await deliver(consumer, b"{not json", {})
    again = await deliver(consumer, b"{not json", {})

    assert [first.status, again.status] == ["dead_lettered", "dead_lettered"]
    [dead] = broker.published
    assert dead.headers[DLQ_ORIGINAL_OFFSET] == "41"


async def test_a_poison_event_read_again_is_neither_handled_nor_parked_again() -> None:
    consumer, broker, _ = make_consumer()
    calls = 0

    async def refuses(_: Envelope[Any]) -> None:
        nonlocal calls
        calls += 1
        raise PermanentError("mentee unknown in this program")

    event = check_in_event()
    await deliver(consumer, event.to_bytes(), {event.type: refuses})
    again = await deliver(consumer, event.to_bytes(), {event.type: refuses})

    assert again.status == "dead_lettered"
    assert calls == 1
    assert len(broker.published) == 1


async def test_another_record_of_the_same_event_is_parked_on_its_own() -> None:
    # a replay publishes the event again at a new offset: if it fails again, it is parked again
    consumer, broker, _ = make_consumer()

    async def refuses(_: Envelope[Any]) -> None:
        raise PermanentError("still unknown")

    event = check_in_event()
    for offset in (41, 97):
        await consumer.process(
            event.to_bytes(),
            headers=[],
            topic="progress.events",
            partition=2,
            offset=offset,
            key=b"e-1",
            handlers={event.type: refuses},
        )

    assert [d.headers[DLQ_ORIGINAL_OFFSET] for d in broker.published] == ["41", "97"]


@dataclass
class Entry:
    headers: list[tuple[str, bytes]]


def entry_parking(topic: str, partition: int, offset: int) -> Entry:
    return Entry(
        [
            (DLQ_ORIGINAL_TOPIC, topic.encode()),
            (DLQ_ORIGINAL_PARTITION, str(partition).encode()),
            (DLQ_ORIGINAL_OFFSET, str(offset).encode()),
        ]
    )


@dataclass
class DeadLetterTopic:
    """A stand-in for a dead-letter topic of one partition, read as ``read_newest`` reads."""

    entries: list[Entry] = field(default_factory=list)
    asked_from: list[dict[int, int]] = field(default_factory=list)

    async def look(self, topic: str, since: Any) -> tuple[list[Any], dict[int, int]]:
        assert topic == "progress.events.dlq.notify"
        self.asked_from.append(dict(since))
        return self.entries[since.get(0, 0) :], {0: len(self.entries)}


async def test_a_record_another_process_parked_is_found_on_the_dead_letter_topic() -> None:
    broker, topic = RecordingBroker(), DeadLetterTopic()
    consumer = EventConsumer(
        broker,  # type: ignore[arg-type]
        group_id="notify",
        parked=ParkedRecords(topic.look),
    )
    topic.entries.append(entry_parking("progress.events", 2, 41))

    outcome = await deliver(consumer, b"{not json", {})

    assert outcome.status == "dead_lettered"
    assert broker.published == []


async def test_the_dead_letter_topic_is_read_on_from_where_the_last_look_ended() -> None:
    broker, topic = RecordingBroker(), DeadLetterTopic()
    consumer = EventConsumer(
        broker,  # type: ignore[arg-type]
        group_id="notify",
        parked=ParkedRecords(topic.look),
    )

    await deliver(consumer, b"{not json", {})  # offset 41: parked
    topic.entries.append(entry_parking("progress.events", 2, 41))  # its entry
    topic.entries.append(entry_parking("progress.events", 2, 42))  # parked by another process
    second = await consumer.process(
        b"{nor this",
        headers=[],
        topic="progress.events",
        partition=2,
        offset=42,
        key=b"e-1",
        handlers={},
    )

    assert second.status == "dead_lettered"
    assert [p.headers[DLQ_ORIGINAL_OFFSET] for p in broker.published] == ["41"]
    assert topic.asked_from == [{}, {0: 0}]


async def test_a_dead_letter_topic_that_cannot_be_read_does_not_stop_the_parking() -> None:
    broker = RecordingBroker()

    async def forbidden(topic: str, since: Any) -> tuple[list[Any], dict[int, int]]:
        raise TopicAuthorizationFailedError(topic)

    consumer = EventConsumer(
        broker,  # type: ignore[arg-type]
        group_id="notify",
        parked=ParkedRecords(forbidden),
    )

    outcome = await deliver(consumer, b"{not json", {})

    assert outcome.status == "dead_lettered"
    assert len(broker.published) == 1


async def test_kafka_out_of_reach_while_looking_leaves_the_record_to_be_read_again() -> None:
    broker = RecordingBroker()

    async def unreachable(topic: str, since: Any) -> tuple[list[Any], dict[int, int]]:
        raise KafkaConnectionError("connection refused")

    consumer = EventConsumer(
        broker,  # type: ignore[arg-type]
        group_id="notify",
        parked=ParkedRecords(unreachable),
    )

    with pytest.raises(KafkaConnectionError):
        await deliver(consumer, b"{not json", {})

    assert broker.published == []


def test_only_the_newest_parked_records_are_remembered() -> None:
    parked = ParkedRecords(remember=2)

    for offset in (1, 2, 3):
        parked.remember("t.dlq.g", ("t", 0, offset))

    assert [parked.knows("t.dlq.g", ("t", 0, o)) for o in (1, 2, 3)] == [False, True, True]
    assert not parked.knows("t.dlq.other", ("t", 0, 3))


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, rng=random.Random(7))

    delays = [policy.delay(attempt) for attempt in range(1, 9)]

    assert 0.05 <= delays[0] <= 0.1
    assert 0.2 <= delays[2] <= 0.4
    assert all(0.5 <= d <= 1.0 for d in delays[4:])
