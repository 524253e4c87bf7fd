"""What notify's use cases work with: the ports, the clock and the settings they read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notify.domain.weekly_digest import Schedule
from notify.service_layer.ports import (
    Deliveries,
    Nudges,
    RatingReminders,
    Store,
    WeeklyDigests,
)


@dataclass
class Context:
    store: Store
    deliveries: Deliveries
    ratings: RatingReminders
    nudges: Nudges
    digests: WeeklyDigests
    clock: Callable[[], datetime]
    correlation_id: str | None = None
    reminder_delay: timedelta = timedelta(days=2)
    """How long after a session its sides are reminded to rate it."""
    digest_schedule: Schedule = field(default_factory=Schedule)
    """When each mentor's weekly digest goes out (``notify.service_layer.weekly_digests``)."""
