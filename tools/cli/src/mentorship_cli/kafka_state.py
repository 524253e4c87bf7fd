"""What the broker knows: the platform's topics with their offsets, and consumer groups' lag."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition

from mentorship_cli.common import CliError
from mentorship_cli.dead_letters import is_platform_dead_letter_topic
from mentorship_cli.kafka_access import KafkaClients
from mentorship_contracts.topics import TOPIC_SPECS, topic_name


@dataclass(frozen=True)
class TopicState:
    name: str
    expected_partitions: int | None  # None for a dead-letter topic
    begin_offsets: tuple[int, ...]
    end_offsets: tuple[int, ...]
    exists: bool = True

    @property
    def partitions(self) -> int:
        return len(self.end_offsets)

    @property
    def messages(self) -> int:
        return sum(self.end_offsets) - sum(self.begin_offsets)

    def as_dict(self) -> dict[str, Any]:
        return {
            "topic": self.name,
            "exists": self.exists,
            "partitions": self.partitions,
            "expected_partitions": self.expected_partitions,
            "end_offsets": list(self.end_offsets),
            "messages": self.messages,
        }


@dataclass(frozen=True)
class Lag:
    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(self.end - self.committed, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "topic": self.topic,
            "partition": self.partition,
            "committed": self.committed,
            "end": self.end,
            "lag": self.lag,
        }


class Broker(KafkaClients):
    """The clients, reporting a broker out of reach as a ``CliError``."""

    unreachable = CliError

    async def partitions(self, names: Sequence[str]) -> dict[str, list[TopicPartition]]:
        found: dict[str, list[TopicPartition]] = {}
        for description in await self.admin.describe_topics(list(names)):
            name = str(description["topic"])
            found[name] = sorted(
                (TopicPartition(name, int(p["partition"])) for p in description["partitions"]),
                key=lambda tp: tp.partition,
            )
        return found


def _belongs(name: str, prefix: str) -> bool:
    platform = {topic_name(spec.topic, prefix) for spec in TOPIC_SPECS}
    return name in platform or is_platform_dead_letter_topic(name, prefix)


async def topic_states(bootstrap: str, prefix: str = "") -> list[TopicState]:
    """The platform's topics under ``prefix`` (missing ones too), then their dead-letter topics."""
    async with Broker(bootstrap) as broker:
        existing = await broker.topics()
        expected = {topic_name(spec.topic, prefix): spec.partitions for spec in TOPIC_SPECS}
        dead_letters = sorted(n for n in existing if is_platform_dead_letter_topic(n, prefix))
        present = [n for n in expected if n in existing] + dead_letters
        partitions = await broker.partitions(present) if present else {}
        begin, end = await broker.bounds([tp for tps in partitions.values() for tp in tps])
        states = []
        for name in [*expected, *dead_letters]:
            tps = partitions.get(name)
            if tps is None:
                states.append(TopicState(name, expected.get(name), (), (), exists=False))
                continue
            states.append(
                TopicState(
                    name,
                    expected.get(name),
                    tuple(begin[tp] for tp in tps),
                    tuple(end[tp] for tp in tps),
                )
            )
        return states


async def consumer_lag(bootstrap: str, prefix: str = "", group: str | None = None) -> list[Lag]:
    """Committed offset, end offset and lag of each consumer group on each partition of the
    platform's topics (and dead-letter topics) under ``prefix``."""
    async with Broker(bootstrap) as broker:
        existing = await broker.topics()
        if group is not None:
            groups = [group]
        else:
            groups = sorted({str(g[0]) for g in await broker.admin.list_consumer_groups()})
        committed: dict[tuple[str, TopicPartition], int] = {}
        for name in groups:
            offsets = await broker.admin.list_consumer_group_offsets(name)
            for tp, position in offsets.items():
                if tp.topic in existing and _belongs(tp.topic, prefix) and position.offset >= 0:
                    committed[(name, tp)] = int(position.offset)
        if group is not None and not committed:
            msg = f"consumer group {group!r} has committed nothing on the topics under {prefix!r}"
            raise CliError(msg)
        _, end = await broker.bounds(sorted({tp for _, tp in committed}, key=str))
        rows = [
            Lag(name, tp.topic, tp.partition, offset, end[tp])
            for (name, tp), offset in committed.items()
        ]
        return sorted(rows, key=lambda r: (r.group, r.topic, r.partition))
