"""Events really go through the Kafka broker: published once, consumed at least once, committed
only after the handler, dead-lettered when they cannot be handled (once, also when read again)."""

import asyncio
import sys
from pathlib import Path
from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts.headers import EVENT_ID, EVENT_TYPE, decode_headers
from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name
from mentorship_runtime.consumer import (
    DLQ_ERROR,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_TOPIC,
    EventConsumer,
)
from mentorship_runtime.kafka import ensure_topics, make_broker
from mentorship_testing.kafka import eventually, read_topic

from .support import check_in, publish, recording_consumer

HERE = Path(__file__).parent


async def test_a_published_event_carries_its_key_and_envelope_headers(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    event = check_in(mentee="e-42")

    await publish(kafka_bootstrap, topic, event)

    [record] = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 1)
    headers = decode_headers(record.headers)
    assert record.key == b"e-42"
    assert headers[EVENT_ID] == str(event.event_id)
    assert headers[EVENT_TYPE] == "progress.check_in.recorded"


async def test_a_consumer_group_commits_after_handling_so_a_restart_redelivers_nothing(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    first, second = check_in(mentee="e-1"), check_in(mentee="e-2")
    seen_before: list[Envelope[Any]] = []
    broker = recording_consumer(kafka_bootstrap, topic, "g-restart", seen_before)
    await broker.start()
    await publish(kafka_bootstrap, topic, first)
    await eventually(lambda: len(seen_before) == 1)
    await broker.stop()

    seen_after: list[Envelope[Any]] = []
    restarted = recording_consumer(kafka_bootstrap, topic, "g-restart", seen_after)
    await restarted.start()
    await publish(kafka_bootstrap, topic, second)
    await eventually(lambda: len(seen_after) >= 1)
    await asyncio.sleep(1)  # room for a wrongful redelivery of the first event to show up
    await restarted.stop()

    assert [e.event_id for e in seen_before] == [first.event_id]
    assert [e.event_id for e in seen_after] == [second.event_id]


async def test_a_consumer_killed_before_it_commits_gets_the_event_again(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(topic, 1)])
    event = check_in()
    await publish(kafka_bootstrap, topic, event)
    marker = tmp_path / "received"

    crashing = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "crashing_consumer.py"),
        kafka_bootstrap,
        topic,
        "g-kill",
        str(marker),
    )
    returncode = await asyncio.wait_for(crashing.wait(), timeout=60)

    assert returncode == -9
    assert marker.read_text() == str(event.event_id)
    seen: list[Envelope[Any]] = []
    survivor = recording_consumer(kafka_bootstrap, topic, "g-kill", seen)
    await survivor.start()
    try:
        await eventually(lambda: len(seen) == 1)
    finally:
        await survivor.stop()
    assert seen[0].event_id == event.event_id


async def test_malformed_messages_are_dead_lettered_and_the_stream_goes_on(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    dlq = dead_letter_topic(topic, "g-poison")
    await ensure_topics(kafka_bootstrap, [(topic, 1), (dlq, 1)])
    producer = make_broker(kafka_bootstrap, client_id="test-producer")
    await producer.start()
    await producer.publish(b"{definitely not json", topic, key=b"e-1")
    await producer.publish(
        b'{"type": "progress.check_in.recorded", "version": 1}', topic, key=b"e-1"
    )
    await producer.stop()
    valid = check_in()
    await publish(kafka_bootstrap, topic, valid)
    seen: list[Envelope[Any]] = []
    broker = recording_consumer(kafka_bootstrap, topic, "g-poison", seen)

    await broker.start()
    try:
        await eventually(lambda: len(seen) == 1)
    finally:
        await broker.stop()

    assert seen[0].event_id == valid.event_id
    dead = await read_topic(kafka_bootstrap, dlq, until=lambda rs: len(rs) >= 2)
    assert [r.value for r in dead] == [
        b"{definitely not json",
        b'{"type": "progress.check_in.recorded", "version": 1}',
    ]
    headers = [decode_headers(r.headers) for r in dead]
    assert [h[DLQ_ORIGINAL_OFFSET] for h in headers] == ["0", "1"]
    assert all(h[DLQ_ORIGINAL_TOPIC] == topic for h in headers)
    assert "not valid JSON" in headers[0][DLQ_ERROR]
    assert "event_id" in headers[1][DLQ_ERROR]


async def test_a_record_parked_by_a_process_that_died_before_committing_is_not_parked_again(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    # two consumers of one group, each on its own as a process is: what the first parks and does
    # not commit, the second reads again (after a restart or a rebalance) and finds parked
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    dlq = dead_letter_topic(topic, "g-parked")
    await ensure_topics(kafka_bootstrap, [(topic, 1), (dlq, 1)])
    broker = make_broker(kafka_bootstrap, client_id="test-parked")
    await broker.start()
    try:
        for body in (b"{first", b"{second", b"{third"):
            await broker.publish(body, topic, key=b"e-1")
        records = await read_topic(kafka_bootstrap, topic, until=lambda rs: len(rs) >= 3)
        dead, restarted = (EventConsumer(broker, group_id="g-parked") for _ in range(2))

        async def read(consumer: EventConsumer, record: Any) -> str:
            outcome = await consumer.process(
                record.value,
                headers=list(record.headers),
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                key=record.key,
                handlers={},
            )
            return outcome.status

        first, second, third = records
        await read(dead, first)
        assert await read(restarted, first) == "dead_lettered"
        await read(dead, second)  # parked after the other last looked at the dead-letter topic
        assert await read(restarted, second) == "dead_lettered"
        await read(restarted, third)
    finally:
        await broker.stop()

    parked = await read_topic(kafka_bootstrap, dlq, until=lambda rs: len(rs) >= 3)
    assert [r.value for r in parked] == [b"{first", b"{second", b"{third"]
