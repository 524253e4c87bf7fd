"""Reading what landed on a topic, for assertions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker

from mentorship_contracts.topics import TOPIC_SPECS, topic_name
from mentorship_runtime.kafka import ensure_topics, make_broker


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    timeout: float = 30.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """The records of ``topic`` from the start, read until ``until(records)`` holds or time out."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while not until(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    return records


async def eventually(check: Callable[[], object], *, timeout: float = 30.0) -> None:
    """Wait until ``check()`` is truthy (an async check may return an awaitable)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            msg = f"condition not met within {timeout}s"
            raise AssertionError(msg)
        await asyncio.sleep(0.1)


async def delete_topics(bootstrap: str, prefix: str) -> None:
    """Delete every topic whose name starts with ``prefix`` (a test's or a benchmark's own)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        mine = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


@asynccontextmanager
async def publishing_as(
    bootstrap: str, prefix: str, service: str, client_id: str
) -> AsyncIterator[KafkaBroker]:
    """A started broker for ``service``'s topics under ``prefix`` (created if missing), as the
    service's outbox relay publishes them; stopped afterwards."""
    await ensure_topics(
        bootstrap,
        [
            (topic_name(spec.topic, prefix), spec.partitions)
            for spec in TOPIC_SPECS
            if spec.producer == service
        ],
    )
    broker = make_broker(bootstrap, client_id=client_id)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()
