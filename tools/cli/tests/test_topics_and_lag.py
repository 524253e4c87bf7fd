"""``mentorship topics`` and ``mentorship lag`` read the broker's real state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import CheckInRecorded
from mentorship_contracts.topics import TOPIC_SPECS, Topic, dead_letter_topic, topic_name
from mentorship_runtime.kafka import ensure_topics, platform_topics
from mentorship_testing.services import publish_events

from .conftest import Cli, no_traceback


def check_ins(mentee: str, count: int) -> list[Envelope[Any]]:
    return [
        new_envelope(
            CheckInRecorded(
                mentee_id=mentee,
                program_id="p-1",
                check_in_id=f"c-{n}",
                module_id="purpose",
                confidence=3,
                assessed_by="mentee",
            ),
            producer="progress",
        )
        for n in range(count)
    ]


async def commit(bootstrap: str, group: str, tp: TopicPartition, offset: int) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.commit({tp: offset})
    finally:
        await consumer.stop()


async def test_topics_lists_partition_counts_and_end_offsets(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    missing = topic_name(Topic.NOTIFY_NOTIFICATIONS, topic_prefix)
    await ensure_topics(
        kafka_bootstrap, [(n, p) for n, p in platform_topics(topic_prefix) if n != missing]
    )
    progress = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    dlq = dead_letter_topic(progress, "notify")
    await ensure_topics(kafka_bootstrap, [(dlq, 2)])
    await publish_events(kafka_bootstrap, topic_prefix, check_ins("e-1", 3))

    as_json = await cli("topics", "-b", kafka_bootstrap, "-p", topic_prefix, "--json")
    table = await cli("topics", "-b", kafka_bootstrap, "-p", topic_prefix)

    assert as_json.exit_code == 0, as_json.output
    states = {s["topic"]: s for s in json.loads(as_json.stdout)}
    assert list(states) == [topic_name(spec.topic, topic_prefix) for spec in TOPIC_SPECS] + [dlq]
    for spec in TOPIC_SPECS:
        name = topic_name(spec.topic, topic_prefix)
        if name != missing:
            assert states[name]["partitions"] == spec.partitions
    assert states[missing]["exists"] is False
    assert sorted(states[progress]["end_offsets"]) == [0, 0, 0, 0, 0, 3]  # one key, one partition
    assert states[progress]["messages"] == 3
    assert states[dlq]["partitions"] == 2
    assert table.exit_code == 0
    assert "missing" in table.output
    assert progress in table.output


async def test_lag_is_the_end_offset_minus_what_the_group_committed(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    progress = topic_name(Topic.PROGRESS_EVENTS, topic_prefix)
    await ensure_topics(kafka_bootstrap, [(progress, 1)])
    await publish_events(kafka_bootstrap, topic_prefix, check_ins("e-1", 5))
    group = f"{topic_prefix}tracker"
    await commit(kafka_bootstrap, group, TopicPartition(progress, 0), 2)

    as_json = await cli("lag", "-b", kafka_bootstrap, "-p", topic_prefix, "--json")
    table = await cli("lag", "-b", kafka_bootstrap, "-p", topic_prefix, "-g", group)

    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == [
        {"group": group, "topic": progress, "partition": 0, "committed": 2, "end": 5, "lag": 3}
    ]
    assert table.exit_code == 0
    assert f"total lag: {group} 3" in table.output


async def test_lag_of_a_group_that_committed_nothing_says_so(
    cli: Cli, kafka_bootstrap: str, topic_prefix: str
) -> None:
    result = await cli("lag", "-b", kafka_bootstrap, "-p", topic_prefix, "-g", "no-such-group")

    assert result.exit_code == 1
    assert "consumer group 'no-such-group' has committed nothing" in result.stderr
    no_traceback(result)


async def test_without_any_broker_to_talk_to_the_command_says_how_to_get_one(
    cli: Cli, tmp_path: Path
) -> None:
    result = await cli("topics", env={"MENTORSHIP_STACK_DIR": str(tmp_path)})

    assert result.exit_code == 1
    assert "no Kafka broker to talk to" in result.stderr
    assert "--bootstrap" in result.stderr
    no_traceback(result)
