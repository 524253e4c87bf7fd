"""Periodic jobs: the pause between rounds, skipped while a round says work is left over."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import AutoReconnect

from mentorship_runtime import jobs


async def test_a_round_that_left_work_over_is_followed_at_once_and_a_failed_one_pauses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) >= 5:
            raise asyncio.CancelledError
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    rounds = iter([True, True, False, "fail", True])

    async def job() -> bool:
        outcome = next(rounds)
        if outcome == "fail":
            raise AutoReconnect("the database is away")
        return bool(outcome)

    with pytest.raises(asyncio.CancelledError):
        await jobs.every(2.0, "test", job, again=lambda more: more)

    assert pauses == [0, 0, 2.0, 2.0, 0]


async def test_without_again_every_round_is_followed_by_the_pause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) >= 3:
            raise asyncio.CancelledError

    monkeypatch.setattr(asyncio, "sleep", sleep)

    async def job() -> bool:
        return True

    with pytest.raises(asyncio.CancelledError):
        await jobs.every(1.5, "test", job)

    assert pauses == [1.5, 1.5, 1.5]
