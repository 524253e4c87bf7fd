"""Periodic work, the same way in every service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiokafka.errors import KafkaError
from pymongo.errors import PyMongoError

from mentorship_runtime.errors import DomainError
from mentorship_runtime.logging import get_logger

T = TypeVar("T")
log = get_logger("jobs")


async def every(
    seconds: float,
    name: str,
    job: Callable[[], Awaitable[T]],
    *,
    again: Callable[[T], bool] | None = None,
) -> None:
    """Run ``job`` now, then every ``seconds``; a failed round is logged and the next retries.

    ``again``: given a round's result, says whether work was left over (the round took as much as
    it may): the next round then starts at once instead of after the pause."""
    while True:
        more = False
        try:
            result = await job()
            more = again is not None and again(result)
        except (PyMongoError, KafkaError, OSError, DomainError) as exc:
            log.error("job_failed", job=name, error=repr(exc))
        await asyncio.sleep(0 if more else seconds)
