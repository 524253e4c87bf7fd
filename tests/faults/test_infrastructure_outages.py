"""Scenarios 2 and 3: the private Kafka broker, then the private MongoDB server, stopped in the
middle of a burst and started again, while the services keep running."""

from __future__ import annotations

import asyncio
import time

import pytest

from .books import Burst, assert_balanced, send_burst, settled_books
from .conftest import FaultPlatform

pytestmark = pytest.mark.faults


async def test_kafka_stopped_mid_burst_requests_still_succeed_and_their_events_arrive_later(
    fault_platform: FaultPlatform,
) -> None:
    stack = fault_platform.stack
    window: list[float] = []

    async def restart_kafka(_: Burst) -> None:
        await asyncio.to_thread(stack.stop_kafka)
        window.append(time.monotonic())
        await asyncio.sleep(5)
        await asyncio.to_thread(stack.start_kafka)
        window.append(time.monotonic())

    burst = await send_burst(fault_platform, "kafka-down", rounds=6, fault=restart_kafka)
    assert len(window) == 2, "the fault was never injected"
    while_down = burst.in_flight(*window)
    slowest = max(burst.timeline[i][1] - burst.timeline[i][0] for i in while_down)
    print(
        f"[kafka-down] broker down {window[1] - window[0]:.0f}s; {len(while_down)} check-ins "
        f"in flight meanwhile, all accepted on their first attempt (slowest answer {slowest:.0f}s)"
    )
    assert while_down, "no request was made while Kafka was down"
    retried = [i for i in while_down if burst.timeline[i][2] > 1]
    assert not retried, f"requests made while Kafka was down failed: {retried}"
    assert not burst.refused, burst.refused
    books = await settled_books(fault_platform, burst, timeout=180)
    assert_balanced(books, burst)


async def test_mongodb_stopped_for_10s_mid_burst_loses_nothing(
    fault_platform: FaultPlatform,
) -> None:
    stack = fault_platform.stack
    window: list[float] = []

    async def stop_mongo(_: Burst) -> None:
        await asyncio.to_thread(stack.stop_mongo)
        window.append(time.monotonic())
        await asyncio.sleep(10)
        await asyncio.to_thread(stack.start_mongo)
        window.append(time.monotonic())

    burst = await send_burst(fault_platform, "mongo-down", rounds=6, fault=stop_mongo)
    assert len(window) == 2, "the fault was never injected"
    print(f"[mongo-down] answers refused during the outage: {dict(burst.refused)}")
    books = await settled_books(fault_platform, burst, timeout=180)
    assert_balanced(books, burst)
