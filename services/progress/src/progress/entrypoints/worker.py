"""Periodic jobs of the progress worker: stall detection and the outbox sweep."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka.errors import KafkaError
from pymongo.errors import PyMongoError

from mentorship_runtime.logging import get_logger
from progress.domain.errors import DomainError

log = get_logger("progress.worker")


async def every(seconds: float, name: str, job: Callable[[], Awaitable[object]]) -> None:
    """Run ``job`` now, then every ``seconds``; a failed round is logged and the next retries."""
    while True:
        try:
            await job()
        except (PyMongoError, KafkaError, OSError, DomainError) as exc:
            log.error("job_failed", job=name, error=repr(exc))
        await asyncio.sleep(seconds)
