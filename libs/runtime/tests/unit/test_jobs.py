"""Periodic jobs: the pause between rounds, skipped while a round says work is left over."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest
from pymongo.errors import AutoReconnect

from mentorship_runtime import jobs


def pauses_of_job(
    monkeypatch: pytest.MonkeyPatch, stop_after: int, *, yield_between: bool
) -> tuple[list[float], list[asyncio.Task[None] | None]]:
    """Replace ``asyncio.sleep`` so that the pauses of the job's own task are recorded (and the
    task cancelled after ``stop_after`` of them), while any other task still left in the test
    session's event loop sleeps for real and is not counted."""
    pauses: list[float] = []
    runner: list[asyncio.Task[None] | None] = [None]
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        if asyncio.current_task() is not runner[0]:
            await real_sleep(seconds)
            return
        pauses.append(seconds)
        if len(pauses) >= stop_after:
            raise asyncio.CancelledError
        if yield_between:
            await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return pauses, runner


async def run_job(
    runner: list[asyncio.Task[None] | None], every: Coroutine[Any, Any, None]
) -> None:
    task = asyncio.ensure_future(every)
    runner[0] = task
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_round_that_left_work_over_is_followed_at_once_and_a_failed_one_pauses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses, runner = pauses_of_job(monkeypatch, 5, yield_between=True)
    rounds = iter([True, True, False, "fail", True])

    async def job() -> bool:
        outcome = next(rounds)
        if outcome == "fail":
            raise AutoReconnect("the database is away")
        return bool(outcome)

    await run_job(runner, jobs.every(2.0, "test", job, again=lambda more: more))

    assert pauses == [0, 0, 2.0, 2.0, 0]


async def test_without_again_every_round_is_followed_by_the_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses, runner = pauses_of_job(monkeypatch, 3, yield_between=False)

    async def job() -> bool:
        return True

    await run_job(runner, jobs.every(1.5, "test", job))

    assert pauses == [1.5, 1.5, 1.5]
