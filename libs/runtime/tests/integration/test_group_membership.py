"""Consumer groups after a kill, on the real broker: a static member restarted under its name
takes its partitions back without a rebalance, one told to stop leaves at once, and a service
serves its API (``/readyz`` 200) while its consumers still wait for a dead member's session, and
stops without waiting for them."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope
from mentorship_runtime.consumer import EventConsumer
from mentorship_runtime.kafka import ensure_topics, leave_groups_on_stop, make_broker
from mentorship_runtime.mongo import Document
from mentorship_runtime.service_app import connect, service_app
from mentorship_runtime.settings import ServiceSettings
from mentorship_testing.kafka import eventually
from mentorship_testing.services import serving

from .group_member import CHECK_IN
from .support import check_in, publish

HERE = Path(__file__).parent
LONG_SESSION_MS = 45_000
"""Longer than anything these tests wait for: a member that does not leave stays this long."""


@asynccontextmanager
async def member_process(
    bootstrap: str, topic: str, group: str, instance: str, report: Path, session_ms: int
) -> AsyncIterator[dict[str, Any]]:
    """A group member in a process of its own; yields what it reported once it joined, and
    kills it (SIGKILL: no goodbye to the group) on the way out if it still runs."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "group_member.py"),
        bootstrap,
        topic,
        group,
        instance,
        str(session_ms),
        str(report),
    )
    try:
        await eventually(report.exists, timeout=90)
        yield reported(report)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def reported(report: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(report.read_text())
    return found


def handled(report: Path) -> list[str]:
    """The event ids the member process reporting to ``report`` handled, in order."""
    events = report.with_suffix(".events")
    return events.read_text().split() if events.exists() else []


async def members_of(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    [(_error, _group, _state, _type, _protocol, members)] = response.groups
    return len(members)


async def test_a_static_member_killed_and_restarted_takes_its_partitions_back_without_a_rebalance(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    topic, group = f"{topic_prefix}checkins", f"{topic_prefix}static"
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    while_dead = check_in(mentee="e-while-dead")

    async with member_process(
        kafka_bootstrap, topic, group, "worker-1", first, LONG_SESSION_MS
    ) as before:
        pass  # killed with SIGKILL: the group still counts it as a member
    await publish(kafka_bootstrap, topic, while_dead)
    async with member_process(
        kafka_bootstrap, topic, group, "worker-1", second, LONG_SESSION_MS
    ) as after:
        await eventually(lambda: str(while_dead.event_id) in handled(second), timeout=60)

    assert after["pid"] != before["pid"]
    # the same generation: the group did not rebalance, the new process took the dead one's place
    assert after["generation"] == before["generation"]
    assert after["partitions"] == before["partitions"] == [0, 1, 2]


async def test_a_static_member_told_to_stop_leaves_its_group_at_once(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic, group = f"{topic_prefix}checkins", f"{topic_prefix}leaving"
    await ensure_topics(kafka_bootstrap, [(topic, 2)])

    def member(instance: str) -> Any:
        broker = make_broker(kafka_bootstrap, client_id=instance, group_instance_id=instance)
        consumer = EventConsumer(broker, group_id=group)

        async def ignore(_: Envelope[Any]) -> None:
            return None

        consumer.subscribe(
            topic, {CHECK_IN: ignore}, description="x", session_timeout_ms=LONG_SESSION_MS
        )
        return broker

    staying, leaving = member("staying"), member("leaving")
    await asyncio.gather(staying.start(), leaving.start())
    try:
        await eventually(lambda: _partitions(staying) + _partitions(leaving) == 2, timeout=60)

        assert leave_groups_on_stop(leaving) == 1
        await leaving.stop()

        async def one_member_left() -> bool:
            return await members_of(kafka_bootstrap, group) == 1

        # a static member that did not leave would stay a member for its whole session (45 s)
        await eventually(one_member_left, timeout=20)
        await eventually(lambda: _partitions(staying) == 2, timeout=20)
    finally:
        await staying.stop()
        await leaving.stop()


def _partitions(broker: Any) -> int:
    consumer = broker.subscribers[0].consumer
    return 0 if consumer is None else len(consumer.assignment())


def service(
    kafka_bootstrap: str, mongo_url: str, database: str, topic_prefix: str, role: str
) -> Any:
    settings = ServiceSettings(
        service_name="readiness",
        role=role,
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_prefix=topic_prefix,
        kafka_create_topics=False,
        mongodb_url=mongo_url,
        mongodb_database=database,
    )
    runtime = connect(settings, lambda: datetime.now(UTC), "readiness test")
    consumer = EventConsumer(runtime.broker, group_id="readiness", group_prefix=topic_prefix)
    seen: list[Envelope[Any]] = []

    async def record(event: Envelope[Any]) -> None:
        seen.append(event)

    consumer.subscribe(f"{topic_prefix}checkins", {CHECK_IN: record}, description="x")
    app = service_app(
        runtime,
        title="readiness",
        description="readiness test",
        router=APIRouter(),
        context=lambda _: None,
        service=None,
    )
    app.state.seen = seen
    return app


async def test_the_api_is_ready_while_its_consumers_wait_for_a_dead_members_session(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    topic, group = f"{topic_prefix}checkins", f"{topic_prefix}readiness"
    await ensure_topics(kafka_bootstrap, [(topic, 2)])
    session_ms = 15_000  # the dead member's: the new one's join waits this long after the kill
    dead = tmp_path / "dead.json"
    async with member_process(kafka_bootstrap, topic, group, "-", dead, session_ms):
        pass  # killed: its session runs 15 s more
    await publish(kafka_bootstrap, topic, event := check_in(mentee="e-later"))
    both = service(kafka_bootstrap, mongo_url, mongo_db.name, topic_prefix, "all")
    worker = service(kafka_bootstrap, mongo_url, mongo_db.name, topic_prefix, "worker")

    async with serving(both, "both") as api, serving(worker, "worker") as alone:
        joining_api, joining_worker = await api.get("/readyz"), await alone.get("/readyz")

        async def consuming(client: httpx.AsyncClient) -> bool:
            return bool((await client.get("/readyz")).json()["consumers"] == "consuming")

        await eventually(lambda: consuming(api), timeout=90)
        await eventually(lambda: consuming(alone), timeout=90)
        ready_worker = await alone.get("/readyz")
        await eventually(lambda: len(both.state.seen) + len(worker.state.seen) == 1, timeout=30)

    assert joining_api.status_code == 200
    assert joining_api.json()["consumers"] == "joining"
    assert joining_worker.status_code == 503
    assert joining_worker.json()["checks"]["consumers"] == "joining"
    assert ready_worker.status_code == 200
    assert [e.event_id for e in both.state.seen + worker.state.seen] == [event.event_id]


async def test_a_service_told_to_stop_while_its_consumers_still_join_does_not_wait_for_them(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    topic, group = f"{topic_prefix}checkins", f"{topic_prefix}readiness"
    await ensure_topics(kafka_bootstrap, [(topic, 2)])
    dead = tmp_path / "dead.json"
    async with member_process(kafka_bootstrap, topic, group, "-", dead, LONG_SESSION_MS):
        pass  # killed: the group waits 45 s for it before it lets anyone join
    app = service(kafka_bootstrap, mongo_url, mongo_db.name, topic_prefix, "all")

    async with serving(app, "stopping") as api:
        joining = (await api.get("/readyz")).json()["consumers"]
        stopping = time.monotonic()
    stopped_after = time.monotonic() - stopping

    assert joining == "joining"
    assert stopped_after < 20  # not the 45 s the join would take: nothing to wait for
