"""One event of a batch as a batch handler receives it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from mentorship_contracts import Envelope


@dataclass(frozen=True)
class Batched:
    """One event of a batch, with the scope its own work should run in: its log fields and its
    trace (an outbox entry made inside ``scope()`` carries this event's trace context on)."""

    event: Envelope[Any]
    scope: Callable[[], AbstractContextManager[None]]
