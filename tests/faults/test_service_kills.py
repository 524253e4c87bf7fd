"""Scenario 1: ``kill -9`` of a service in the middle of a burst; the supervisor restarts it.

Progress dies while it answers check-ins and publishes their events (some requests are refused
and sent again; events written to the outbox but not published yet are published by the restarted
worker's sweep). Notify dies while it turns drops into notifications (its uncommitted offsets are
read again). Mentoring dies while people register (its outbox, then notify's directory)."""

from __future__ import annotations

import pytest

from .books import Burst, assert_balanced, send_burst, settled_books
from .conftest import FaultPlatform

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("service", ["progress", "notify"])
async def test_a_service_killed_mid_burst_loses_nothing_and_does_nothing_twice(
    fault_platform: FaultPlatform, service: str
) -> None:
    killed: list[int] = []

    async def kill(_: Burst) -> None:
        killed.append(fault_platform.kill(service))

    burst = await send_burst(fault_platform, f"kill-{service}", rounds=8, fault=kill)
    assert killed, "the fault was never injected"
    await fault_platform.wait_restarted(service, killed[0])
    books = await settled_books(fault_platform, burst)
    assert_balanced(books, burst)
