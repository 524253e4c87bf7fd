"""The ``make dev`` supervisor restarts what dies, waiting longer while it keeps dying but never
long: a service killed over and over comes back once the kills stop."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx

from mentorship_localstack.dev import Backoff, Processes, ServiceSpec, supervise
from mentorship_localstack.processes import any_free_port

HERE = Path(__file__).parent


def test_restarts_wait_longer_while_a_service_keeps_dying_but_never_more_than_5_seconds() -> None:
    backoff = Backoff()

    pauses = [backoff.after(ran_for=1.0) for _ in range(7)]

    assert pauses == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_a_service_that_stayed_up_10_seconds_is_restarted_at_once_again() -> None:
    backoff = Backoff()
    for _ in range(5):
        backoff.after(ran_for=3.0)

    assert backoff.after(ran_for=10.0) == 0.5
    assert backoff.after(ran_for=0.2) == 1.0


async def running_pid(state: Path, not_one_of: list[int]) -> int:
    """The pid the supervisor started last, once it is a new one."""
    while True:
        try:
            pid = int(json.loads((state / "dev.json").read_text())["fake"]["pid"])
        except (OSError, ValueError, KeyError):
            pid = 0
        if pid and pid not in not_one_of:
            return pid
        await asyncio.sleep(0.01)


async def answers(port: int) -> bool:
    try:
        async with httpx.AsyncClient(timeout=1.0) as http:
            return (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def test_a_service_killed_over_and_over_comes_back_once_the_kills_stop(
    tmp_path: Path,
) -> None:
    port = any_free_port()
    spec = ServiceSpec("fake", "fake_service", port)
    stopping = asyncio.Event()
    backoff = Backoff(first=0.05, cap=0.2, steady=5.0)  # the real one's shape, faster
    supervisor = asyncio.create_task(
        supervise(
            spec,
            [sys.executable, str(HERE / "fake_service.py")],
            {**os.environ, "HTTP_PORT": str(port)},
            tmp_path,
            stopping,
            Processes(tmp_path),
            backoff,
        )
    )
    killed: list[int] = []
    try:
        for _ in range(10):  # each one killed as soon as it is started
            pid = await asyncio.wait_for(running_pid(tmp_path, killed), timeout=30)
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        back = await asyncio.wait_for(running_pid(tmp_path, killed), timeout=30)
        for _ in range(300):  # a generous bound: it answers, it did not give up
            if await answers(port):
                break
            await asyncio.sleep(0.1)
        answered = await answers(port)
    finally:
        stopping.set()
        await asyncio.wait_for(supervisor, timeout=30)

    assert len(set(killed)) == 10
    assert back not in killed
    assert answered
    assert backoff.last == 0.2  # it waited as long as it may, and no longer
