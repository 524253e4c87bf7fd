"""Optimistic concurrency: a use case that loads, decides and saves under a version guard runs
again when another request saved first (``ConcurrentUpdate``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from mentorship_runtime.errors import ConcurrentUpdate

T = TypeVar("T")


async def retrying(attempt: Callable[[], Awaitable[T]], tries: int = 4) -> T:
    """Re-run a load-decide-save cycle when another request changed the document meanwhile."""
    for _ in range(tries - 1):
        try:
            return await attempt()
        except ConcurrentUpdate:
            continue
    return await attempt()
