"""Readiness without the infrastructure: what ``/readyz`` decides and reports, and how the
worker's subscriptions are started in the background and started again when they fail."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any, cast

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from mentorship_runtime import service_app
from mentorship_runtime.health import health_router
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.service_app import Runtime
from mentorship_runtime.settings import ServiceSettings


async def answers_ok() -> bool:
    return True


async def readyz(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        return await http.get("/readyz")


async def test_what_is_only_reported_is_in_the_body_and_does_not_decide_readiness() -> None:
    app = FastAPI()
    checks = {"mongodb": answers_ok, "kafka": answers_ok}
    app.include_router(health_router(checks, states={"consumers": lambda: "joining"}))

    answer = await readyz(app)

    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {"mongodb": "ok", "kafka": "ok"},
        "consumers": "joining",
    }


async def test_a_check_that_says_what_it_waits_for_makes_the_service_unavailable() -> None:
    async def still_joining() -> str:
        return "joining"

    app = FastAPI()
    app.include_router(health_router({"kafka": answers_ok, "consumers": still_joining}))

    answer = await readyz(app)

    assert answer.status_code == 503
    assert answer.json()["checks"] == {"kafka": "ok", "consumers": "joining"}


class FakeSubscriber:
    """Starts as told: each entry of ``outcomes`` is an error to raise or None."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.started = 0
        self.stopped = 0

    async def start(self) -> None:
        self.started += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome

    async def stop(self) -> None:
        self.stopped += 1


class FakeBroker:
    def __init__(self, *subscribers: FakeSubscriber) -> None:
        self.subscribers = list(subscribers)


def runtime_with(broker: FakeBroker) -> Runtime:
    settings = ServiceSettings(
        service_name="test",
        kafka_bootstrap_servers="kafka.invalid:9092",
        mongodb_url="mongodb://mongo.invalid:27017/",
        mongodb_database="test",
    )
    kafka = cast("KafkaBroker", broker)
    return Runtime(
        settings, lambda: datetime.now(UTC), kafka, cast("Any", None), OutboxRelay(kafka)
    )


async def test_subscriptions_that_fail_to_start_are_stopped_and_started_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steady = FakeSubscriber()
    flaky = FakeSubscriber(KafkaConnectionError("no broker"), KafkaConnectionError("no broker"))
    runtime = runtime_with(FakeBroker(steady, flaky))
    pauses: list[float] = []
    states: list[str] = []
    this_test, real_sleep = asyncio.current_task(), asyncio.sleep

    async def sleep(seconds: float) -> None:
        # only this test's pauses are recorded: a task an earlier test left in the session's
        # loop sleeps for real (a fake that answers at once would let it spin, recording forever)
        if asyncio.current_task() is not this_test:
            await real_sleep(seconds)
            return
        pauses.append(seconds)
        states.append(runtime.consumers)

    monkeypatch.setattr(asyncio, "sleep", sleep)

    await runtime.subscribe()

    assert [s.split(":")[0] for s in states] == ["failed", "failed"]
    assert "no broker" in states[0]
    assert pauses == [1.0, 2.0]
    assert (steady.started, steady.stopped) == (3, 2)
    assert (flaky.started, flaky.stopped) == (3, 2)
    assert runtime.consumers == "consuming"


async def test_a_worker_alone_is_ready_only_once_its_subscriptions_run() -> None:
    runtime = runtime_with(FakeBroker(FakeSubscriber()))

    assert await runtime.consuming() == "ok"  # none: nothing to wait for
    runtime.consumers = "joining"
    assert await runtime.consuming() == "joining"
    await runtime.subscribe()
    assert await runtime.consuming() == "ok"


class JoiningSubscriber(FakeSubscriber):
    """Starts as a consumer whose group is rebalancing: it waits, and a first cancellation does
    not end the wait (aiokafka's join can outlive the task that asked for it)."""

    async def start(self) -> None:
        self.started += 1
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.Event().wait()


class StoppableBroker(FakeBroker):
    stopped = False

    async def stop(self) -> None:
        self.stopped = True


class FakeMongo:
    closed = False

    async def close(self) -> None:
        self.closed = True


async def test_a_service_told_to_stop_is_not_held_by_a_subscription_still_joining(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service_app, "STOP_WHILE_JOINING_SECONDS", 0.2)
    broker = StoppableBroker(JoiningSubscriber())
    runtime = runtime_with(broker)
    mongo = FakeMongo()
    runtime.mongo = cast("Any", mongo)
    runtime.tasks.append(asyncio.create_task(runtime.subscribe()))
    await asyncio.sleep(0.05)
    assert runtime.consumers == "joining"

    await asyncio.wait_for(runtime.stop(), 10)  # a bound that proves it cannot hang

    assert broker.stopped
    assert mongo.closed
    [joining] = runtime.tasks
    assert not joining.done()
    joining.cancel()  # the join gives up at last
    with contextlib.suppress(asyncio.CancelledError):
        await joining
