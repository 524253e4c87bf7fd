"""Dead letters on the real broker: found, read, filtered, and replayed once to where they came
from with their original bytes and headers."""

import re
from dataclasses import replace
from typing import Any

import pytest

from mentorship_cli.dead_letters import (
    DLQ_REPLAY_OF,
    DLQ_REPLAYED_AT,
    DeadLetterError,
    DeadLetterNotFound,
    discover_dead_letter_topics,
    get_dead_letter,
    read_dead_letters,
    replay,
)
from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import CheckInRecorded
from mentorship_contracts.headers import EVENT_ID, EVENT_TYPE, decode_headers
from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name
from mentorship_runtime.kafka import ensure_topics
from mentorship_testing.dead_letters import dead_letter_events
from mentorship_testing.kafka import read_topic

pytestmark = pytest.mark.integration


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


def ids(entries: list[Any]) -> list[str]:
    return [e.event_id for e in entries]


async def replayed_copies(bootstrap: str, topic: str, originals: int, copies: int) -> list[Any]:
    """The records of ``topic`` that are replays, once ``originals + copies`` records are there."""
    records = await read_topic(
        bootstrap, topic, until=lambda rs: len(rs) >= originals + copies, timeout=10
    )
    return [r for r in records if DLQ_REPLAY_OF in decode_headers(r.headers)]


async def test_dead_letter_topics_of_the_platform_are_found_under_their_prefix(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await dead_letter_events(kafka_bootstrap, topic, "notify", [check_in()])
    stray = dead_letter_topic(f"{topic_prefix}elsewhere", "notify")
    await ensure_topics(kafka_bootstrap, [(stray, 1)])

    found = await discover_dead_letter_topics(kafka_bootstrap, prefix=topic_prefix)

    assert [(t.name, t.original_topic, t.consumer_group) for t in found] == [
        (dead_letter_topic(topic, "notify"), topic, "notify")
    ]
    unprefixed = await discover_dead_letter_topics(kafka_bootstrap)
    assert all(not t.name.startswith(topic_prefix) for t in unprefixed)


async def test_an_entry_says_where_it_came_from_and_why_it_failed(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    good, bad = check_in("e-good"), check_in("e-bad", confidence=1)
    dlq = await dead_letter_events(
        kafka_bootstrap, topic, "progress", [good, bad], failing=[str(bad.event_id)], attempts=3
    )

    [entry] = await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)

    assert (entry.topic, entry.partition, entry.offset) == (dlq, 0, 0)
    assert entry.coordinates == f"{dlq}/0/0"
    assert (entry.original_topic, entry.original_partition, entry.original_offset) == (
        topic,
        0,
        1,
    )
    assert entry.consumer_group == "progress"
    assert (entry.event_id, entry.event_type) == (str(bad.event_id), bad.type)
    assert entry.error == f"cannot handle {bad.type} {bad.event_id}"
    assert entry.error_type == "Broken"
    assert entry.attempts == 3
    assert entry.failed_at is not None
    assert entry.timestamp is not None
    assert entry.key == b"e-bad"
    assert entry.value == bad.to_bytes()
    assert entry.document()["data"]["mentee_id"] == "e-bad"
    assert not entry.replayed
    assert await get_dead_letter(kafka_bootstrap, dlq, 0, 0) == entry


async def test_entries_are_filtered_by_type_event_id_and_group(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    matches = topic_name(Topic.MENTORING_MATCHES, topic_prefix)
    progress = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    first, second, third = check_in("e-1"), check_in("e-2"), check_in("e-3")
    await dead_letter_events(kafka_bootstrap, progress, "notify", [first, second])
    await dead_letter_events(kafka_bootstrap, matches, "gateway", [third])
    await ensure_topics(kafka_bootstrap, [(dead_letter_topic(matches, "progress"), 2)])

    everything = await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)
    by_id = await read_dead_letters(
        kafka_bootstrap, prefix=topic_prefix, event_id=str(second.event_id)
    )
    by_group = await read_dead_letters(
        kafka_bootstrap, prefix=topic_prefix, consumer_group="notify"
    )
    by_type = await read_dead_letters(
        kafka_bootstrap, prefix=topic_prefix, event_type="progress.check_in.recorded"
    )
    no_type = await read_dead_letters(
        kafka_bootstrap, prefix=topic_prefix, event_type="mentoring.match.accepted"
    )

    # ordered by topic: mentoring.matches before progress.events
    assert ids(everything) == [str(e.event_id) for e in (third, first, second)]
    assert ids(by_id) == [str(second.event_id)]
    assert ids(by_group) == [str(first.event_id), str(second.event_id)]
    assert ids(by_type) == ids(everything)
    assert no_type == []


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (("{dlq}x", 0, 0), "there is no topic"),
        (("{topic}", 0, 0), "is not a dead-letter topic"),
        (("{dlq}", 3, 0), "has no partition 3 (it has 1: 0 to 0)"),
        (("{dlq}", 0, 7), "has no offset 7 (it holds offsets 0 to 0)"),
    ],
)
async def test_asking_for_an_entry_that_is_not_there_says_what_is_missing(
    kafka_bootstrap: str, topic_prefix: str, where: tuple[str, int, int], expected: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    dlq = await dead_letter_events(kafka_bootstrap, topic, "notify", [check_in()])
    name, partition, offset = where

    with pytest.raises(DeadLetterNotFound, match=re.escape(expected)):
        await get_dead_letter(kafka_bootstrap, name.format(dlq=dlq, topic=topic), partition, offset)


async def test_a_replay_publishes_the_original_event_back_once(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    events = [check_in(f"e-{n}") for n in range(3)]
    dlq = await dead_letter_events(kafka_bootstrap, topic, "notify", events, partitions=3)
    entries = await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)
    progress: list[str] = []

    report = await replay(
        kafka_bootstrap, entries, on_replayed=lambda e: progress.append(e.coordinates)
    )

    assert [e.coordinates for e in report.replayed] == [f"{dlq}/0/{n}" for n in range(3)]
    assert progress == [e.coordinates for e in report.replayed]
    assert report.skipped == []
    assert report.failed == []
    copies = await replayed_copies(kafka_bootstrap, topic, 3, 3)
    by_id = {e.event_id: e for e in entries}
    assert len(copies) == 3
    for copy in copies:
        headers = decode_headers(copy.headers)
        entry = by_id[headers[EVENT_ID]]
        assert copy.value == entry.value
        assert copy.key == entry.key
        assert copy.partition == entry.original_partition  # the key leads it to its partition
        assert headers[EVENT_TYPE] == "progress.check_in.recorded"
        assert headers[DLQ_REPLAY_OF] == entry.coordinates
        assert {n for n in headers if n.startswith("dlq-")} == {DLQ_REPLAY_OF, DLQ_REPLAYED_AT}
        kept = {n: v for n, v in headers.items() if not n.startswith("dlq-")}
        assert kept == decode_headers(entry.original_headers())
        assert entry.key is not None
        assert kept["event-key"] == entry.key.decode()
        assert "content-type" in kept
    assert all(e.replayed for e in await read_dead_letters(kafka_bootstrap, prefix=topic_prefix))

    second = await replay(
        kafka_bootstrap, await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)
    )

    assert second.replayed == []
    assert [e.coordinates for e in second.skipped] == [e.coordinates for e in entries]
    assert len(await replayed_copies(kafka_bootstrap, topic, 3, 4)) == 3


async def test_replaying_one_then_all_replays_each_entry_once_and_again_on_request(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    events = [check_in(f"e-{n}") for n in range(4)]
    dlq = await dead_letter_events(kafka_bootstrap, topic, "notify", events)
    third = await get_dead_letter(kafka_bootstrap, dlq, 0, 2)

    one = await replay(kafka_bootstrap, [third])
    rest = await replay(
        kafka_bootstrap, await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)
    )
    forced = await replay(kafka_bootstrap, [third], again=True)

    assert [e.offset for e in one.replayed] == [2]
    assert [e.offset for e in rest.replayed] == [0, 1, 3]
    assert [e.offset for e in rest.skipped] == [2]
    assert [e.offset for e in forced.replayed] == [2]
    copies = await replayed_copies(kafka_bootstrap, topic, 4, 5)
    assert sorted(decode_headers(c.headers)[EVENT_ID] for c in copies) == sorted(
        [str(e.event_id) for e in events] + [str(events[2].event_id)]
    )


async def test_a_dry_run_publishes_and_records_nothing(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await dead_letter_events(kafka_bootstrap, topic, "notify", [check_in("e-1"), check_in("e-2")])
    entries = await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)

    report = await replay(kafka_bootstrap, entries, dry_run=True)

    assert report.dry_run
    assert len(report.replayed) == 2
    assert not any(
        e.replayed for e in await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)
    )
    assert await replayed_copies(kafka_bootstrap, topic, 2, 0) == []


async def test_an_entry_whose_topic_is_gone_is_reported_not_published(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    original = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await dead_letter_events(kafka_bootstrap, original, "notify", [check_in()])
    [entry] = await read_dead_letters(kafka_bootstrap, prefix=topic_prefix)

    moved = replace(entry, original_topic=f"{topic_prefix}gone")

    report = await replay(kafka_bootstrap, [moved])

    assert report.replayed == []
    assert [(e.coordinates, why) for e, why in report.failed] == [
        (entry.coordinates, f"its original topic '{topic_prefix}gone' does not exist")
    ]
    assert not (await get_dead_letter(kafka_bootstrap, entry.topic, 0, 0)).replayed


async def test_an_unreachable_broker_is_a_clear_error() -> None:
    with pytest.raises(DeadLetterError, match=re.escape("cannot reach Kafka at 127.0.0.1:1")):
        await read_dead_letters("127.0.0.1:1")
