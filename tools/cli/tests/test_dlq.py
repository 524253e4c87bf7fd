"""``mentorship dlq``: list, show and replay dead letters on the real broker."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from mentorship_cli.dead_letters import DLQ_REPLAY_OF
from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import CheckInRecorded, MenteeStalled
from mentorship_contracts.headers import EVENT_ID, decode_headers
from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name
from mentorship_testing.dead_letters import dead_letter_events
from mentorship_testing.kafka import read_topic

from .conftest import Cli, no_traceback


def check_in(mentee: str) -> Envelope[CheckInRecorded]:
    return new_envelope(
        CheckInRecorded(
            mentee_id=mentee,
            program_id="p-1",
            check_in_id=f"c-{mentee}",
            module_id="purpose",
            confidence=2,
            assessed_by="mentee",
        ),
        producer="progress",
    )


def stalled(mentee: str) -> Envelope[MenteeStalled]:
    return new_envelope(
        MenteeStalled(
            mentee_id=mentee,
            mentor_id="m-1",
            program_id="p-1",
            stall_window_days=14,
            last_activity_at=datetime(2026, 1, 5, tzinfo=UTC),
        ),
        producer="progress",
    )


async def parked(bootstrap: str, prefix: str, *events: Envelope[Any]) -> str:
    """Dead-letter ``events`` of progress.events in notify's dead-letter topic."""
    return await dead_letter_events(
        bootstrap, topic_name(Topic.PROGRESS_EVENTS, prefix), "notify", list(events)
    )


async def replays_on(bootstrap: str, topic: str, expected: int) -> list[str]:
    """Event ids of the replayed copies on ``topic``, once ``expected`` records are there."""
    records = await read_topic(bootstrap, topic, until=lambda rs: len(rs) >= expected, timeout=8)
    return [
        decode_headers(r.headers)[EVENT_ID]
        for r in records
        if DLQ_REPLAY_OF in decode_headers(r.headers)
    ]


async def test_list_shows_each_dead_letter_with_its_failure(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    first, second = check_in("e-1"), stalled("e-2")
    dlq = await parked(kafka_bootstrap, topic_prefix, first, second)

    table = await cli("dlq", "list", "-b", kafka_bootstrap, "-p", topic_prefix)
    as_json = await cli("dlq", "list", "-b", kafka_bootstrap, "-p", topic_prefix, "--json")
    of_type = await cli(
        "dlq", "list", "-b", kafka_bootstrap, "-p", topic_prefix, "--type", second.type, "--json"
    )

    assert table.exit_code == 0, table.output
    assert "2 dead letters, 2 not replayed yet" in table.output
    assert f"{dlq}/0/0" in table.output
    assert str(second.event_id) in table.output
    assert "Broken: cannot handle" in table.output
    rows = json.loads(as_json.stdout)
    assert [(r["dlq_topic"], r["offset"], r["event_id"]) for r in rows] == [
        (dlq, 0, str(first.event_id)),
        (dlq, 1, str(second.event_id)),
    ]
    assert rows[0]["original_topic"] == topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    assert rows[0]["attempts"] == 2
    assert rows[0]["consumer_group"] == "notify"
    assert [r["event_type"] for r in json.loads(of_type.stdout)] == [second.type]


async def test_list_says_so_when_there_is_nothing(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    result = await cli("dlq", "list", "-b", kafka_bootstrap, "-p", topic_prefix)

    assert result.exit_code == 0
    assert "No dead letters." in result.output


async def test_show_prints_the_failure_the_headers_and_the_event(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    event = check_in("e-7")
    dlq = await parked(kafka_bootstrap, topic_prefix, event)

    shown = await cli("dlq", "show", dlq, "0", "0", "-b", kafka_bootstrap)
    as_json = await cli("dlq", "show", dlq, "0", "0", "-b", kafka_bootstrap, "--json")

    assert shown.exit_code == 0, shown.output
    assert f"cannot handle {event.type} {event.event_id}" in shown.output
    assert "dlq-original-topic" in shown.output
    assert '"mentee_id": "e-7"' in shown.output
    document = json.loads(as_json.stdout)
    assert document["event"]["event_id"] == str(event.event_id)
    assert document["headers"]["dlq-consumer-group"] == "notify"
    assert document["key"] == "e-7"
    assert document["replayed"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("{prefix}nowhere.dlq.notify", "0", "0"), "there is no topic"),
        (("{prefix}progress.events", "0", "0"), "is not a dead-letter topic"),
        (("{dlq}", "5", "0"), "has no partition 5"),
        (("{dlq}", "0", "99"), "has no offset 99 (it holds offsets 0 to 0)"),
    ],
)
async def test_show_refuses_what_is_not_there_clearly(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str, args: tuple[str, ...], message: str
) -> None:
    dlq = await parked(kafka_bootstrap, topic_prefix, check_in("e-1"))
    where = [a.format(prefix=topic_prefix, dlq=dlq) for a in args]

    result = await cli("dlq", "show", *where, "-b", kafka_bootstrap)

    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())
    no_traceback(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("dlq", "show", "x.dlq.g", "0", "minus-one"), "'OFFSET'"),
        (("dlq", "show", "x.dlq.g", "0", "-1"), "-1"),
        (("dlq", "replay"), "say what to replay"),
        (("dlq", "replay", "x.dlq.g", "0"), "give all three"),
        (("dlq", "replay", "x.dlq.g", "0", "1", "--all"), "either one entry"),
    ],
)
async def test_bad_arguments_are_usage_errors(
    cli: Cli, kafka_bootstrap: str, args: tuple[str, ...], message: str
) -> None:
    result = await cli(*args, "-b", kafka_bootstrap)

    assert result.exit_code == 2
    assert message in result.output
    no_traceback(result)


async def test_replay_all_publishes_each_entry_back_once_then_nothing_unless_again(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    events = [check_in(f"e-{n}") for n in range(3)]
    await parked(kafka_bootstrap, topic_prefix, *events)
    original = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    base = ("dlq", "replay", "-b", kafka_bootstrap, "-p", topic_prefix)

    dry = await cli(*base, "--all", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would replay 3" in dry.output
    assert await replays_on(kafka_bootstrap, original, 3) == []

    first = await cli(*base, "--all")
    second = await cli(*base, "--all")

    assert first.exit_code == 0, first.output
    assert "Replayed 3 dead letters." in first.output
    assert second.exit_code == 0
    assert "Replayed 0 dead letters." in second.output
    assert "Skipped 3 replayed before" in second.output
    assert sorted(await replays_on(kafka_bootstrap, original, 7)) == sorted(
        str(e.event_id) for e in events
    )
    listed = json.loads(
        (await cli("dlq", "list", "-b", kafka_bootstrap, "-p", topic_prefix, "--json")).stdout
    )
    assert all(row["replayed"] for row in listed)

    forced = await cli(*base, "--all", "--again")

    assert "Replayed 3 dead letters." in forced.output
    assert len(await replays_on(kafka_bootstrap, original, 10)) == 6


async def test_replay_by_event_id_type_or_coordinates_replays_just_that(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    a, b, c = check_in("e-a"), stalled("e-b"), check_in("e-c")
    dlq = await parked(kafka_bootstrap, topic_prefix, a, b, c)
    original = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    base = ("dlq", "replay", "-b", kafka_bootstrap, "-p", topic_prefix)

    by_id = await cli(*base, "--event-id", str(c.event_id))
    by_type = await cli(*base, "--type", b.type)
    by_place = await cli("dlq", "replay", dlq, "0", "0", "-b", kafka_bootstrap)
    rest = await cli(*base, "--all")

    assert [r.exit_code for r in (by_id, by_type, by_place, rest)] == [0, 0, 0, 0]
    assert "Replayed 1 dead letters." in by_id.output
    assert f"{dlq}/0/2" in by_id.output
    assert f"{dlq}/0/1" in by_type.output
    assert f"{dlq}/0/0" in by_place.output
    assert "Replayed 0 dead letters." in rest.output
    assert await replays_on(kafka_bootstrap, original, 6) == [str(e.event_id) for e in (c, b, a)]


async def test_replaying_what_is_not_there_fails_clearly(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    dlq = await parked(kafka_bootstrap, topic_prefix, check_in("e-1"))
    base = ("dlq", "replay", "-b", kafka_bootstrap, "-p", topic_prefix)

    unknown_id = await cli(*base, "--event-id", "00000000-0000-0000-0000-000000000000")
    bad_offset = await cli("dlq", "replay", dlq, "0", "4", "-b", kafka_bootstrap)
    unknown_topic = await cli(
        "dlq", "replay", dead_letter_topic("nowhere", "g"), "0", "0", "-b", kafka_bootstrap
    )
    no_type = await cli(*base, "--type", "mentoring.match.accepted")

    assert unknown_id.exit_code == 1
    assert "no dead letter holds event 00000000-0000-0000-0000-000000000000" in unknown_id.stderr
    assert bad_offset.exit_code == 1
    assert "has no offset 4" in bad_offset.stderr
    assert unknown_topic.exit_code == 1
    assert "there is no topic 'nowhere.dlq.g'" in unknown_topic.stderr
    assert no_type.exit_code == 0
    assert "Nothing to replay" in no_type.output
    for result in (unknown_id, bad_offset, unknown_topic):
        no_traceback(result)


async def test_an_unreachable_broker_is_one_clear_line(cli: Cli) -> None:
    result = await cli("dlq", "list", "-b", "127.0.0.1:1")

    assert result.exit_code == 1
    assert "cannot reach Kafka at 127.0.0.1:1" in result.stderr
    no_traceback(result)
