"""Scenario 4: every event delivered again, out of order: the state the services keep does not
change.

The topics the services consume hold the demo data and the bursts of the scenarios run before.
Every one of those records is published once more, the copies interleaved at random across keys
(one key's copies stay in their order, as Kafka promises: each copy still arrives after every
newer event of its aggregate)."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from mentorship_runtime.kafka import consumer_lag
from mentorship_testing.kafka import eventually

from .books import Record, read_all
from .conftest import FaultPlatform

pytestmark = pytest.mark.faults

CONSUMED = ("mentoring.programs", "mentoring.participants", "mentoring.matches", "progress.events")
KEPT = {
    "progress": ("trackings", "programs", "parked_events"),
    "notify": ("people", "programs", "notifications", "parked_events"),
}
OUTBOX_FIELDS = ("_outbox", "_outbox_since", "_outbox_pending")


async def snapshot(platform: FaultPlatform, service: str, database: str | None = None) -> Any:
    db = platform.mongo[database or service]
    state: dict[str, dict[str, Any]] = {}
    for name in KEPT[service]:
        state[name] = {
            str(d["_id"]): {k: v for k, v in d.items() if k not in OUTBOX_FIELDS}
            async for d in db[name].find({})
        }
    return state


def differences(before: Any, after: Any) -> list[str]:
    """Each document that differs, with the fields that differ (old -> new)."""
    found = []
    for collection in sorted(set(before) | set(after)):
        old, new = before.get(collection, {}), after.get(collection, {})
        for key in sorted(set(old) | set(new)):
            if key not in old or key not in new:
                found.append(f"{collection}/{key}: only {'after' if key in new else 'before'}")
                continue
            fields = sorted(
                f for f in set(old[key]) | set(new[key]) if old[key].get(f) != new[key].get(f)
            )
            if fields:
                changes = "; ".join(
                    f"{f}: {old[key].get(f)!r} -> {new[key].get(f)!r}"[:300] for f in fields
                )
                found.append(f"{collection}/{key}: {changes}")
    return found


def interleaved(records: list[tuple[str, Record]], rng: random.Random) -> list[tuple[str, Record]]:
    """The records in a random order that keeps each (topic, key)'s own order."""
    queues: dict[tuple[str, str], list[tuple[str, Record]]] = defaultdict(list)
    for topic, record in records:
        queues[(topic, record.key)].append((topic, record))
    order: list[tuple[str, Record]] = []
    while queues:
        key = rng.choice(sorted(queues))
        order.append(queues[key].pop(0))
        if not queues[key]:
            del queues[key]
    return order


async def caught_up(bootstrap: str, *groups: str) -> bool:
    for group in groups:
        lag = await consumer_lag(bootstrap, group)
        if not lag or any(lag.get((t, p), 0) for t, p in lag if t in CONSUMED):
            return False
    return True


async def test_every_event_again_out_of_order_changes_nothing(
    fault_platform: FaultPlatform,
) -> None:
    bootstrap = fault_platform.bootstrap
    await eventually(lambda: caught_up(bootstrap, "progress", "notify"), timeout=120)
    before = {s: await snapshot(fault_platform, s) for s in KEPT}
    records = [(topic, r) for topic in CONSUMED for r in await read_all(bootstrap, topic)]
    copies = interleaved(records, random.Random(20261128))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for topic, record in copies:
            await producer.send(
                topic, record.raw, key=record.key.encode(), headers=list(record.headers)
            )
        await producer.flush()
    finally:
        await producer.stop()
    await eventually(lambda: caught_up(bootstrap, "progress", "notify"), timeout=120)
    await asyncio.sleep(2)
    after = {s: await snapshot(fault_platform, s) for s in KEPT}
    counts = {s: {c: len(v) for c, v in before[s].items()} for s in KEPT}
    print(f"[replay] {len(copies)} events delivered again out of order; state kept: {counts}")
    assert not differences(before, after), differences(before, after)[:10]
