"""Delivery bookkeeping, one record per channel so that a failing channel never holds up another.

    pending ──success──▶ sent
       │  ▲
    failure (transient, attempts left)
       ▼  │
     failed ──success──▶ sent
       └──failure (permanent, or the last attempt)──▶ dead

Retries back off exponentially with full jitter: the n-th retry waits a random delay between 0
and min(cap, base * 2^(n-1)), so that receivers coming back up are not hit by a synchronized wave.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from notify.domain.errors import Invalid, InvalidTransition
from notify.domain.preferences import Channel

ERROR_MAX = 500


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"

    @property
    def is_settled(self) -> bool:
        return self in (DeliveryStatus.SENT, DeliveryStatus.DEAD)


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=1)
    max_attempts: int = 8

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise Invalid("max_attempts", "must be at least 1")
        if not timedelta(0) < self.base <= self.cap:
            raise Invalid("base", "must be positive and at most the cap")

    def ceiling(self, failures: int) -> timedelta:
        """The longest wait after ``failures`` consecutive failures."""
        exponent = min(failures - 1, 32)
        return min(self.cap, self.base * (1 << exponent))


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class ChannelDelivery:
    channel: Channel
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None

    @classmethod
    def pending(cls, channel: Channel, at: datetime) -> ChannelDelivery:
        return cls(channel, next_attempt_at=_utc(at, "at"))

    def is_due(self, now: datetime) -> bool:
        if self.status.is_settled or self.next_attempt_at is None:
            return False
        return self.next_attempt_at <= _utc(now, "now")


def deliveries(channels: Iterable[Channel], at: datetime) -> tuple[ChannelDelivery, ...]:
    return tuple(ChannelDelivery.pending(channel, at) for channel in sorted(channels))


def record_success(delivery: ChannelDelivery) -> ChannelDelivery:
    _check_open(delivery, "record a success on")
    return replace(
        delivery,
        status=DeliveryStatus.SENT,
        attempts=delivery.attempts + 1,
        next_attempt_at=None,
    )


def record_failure(
    delivery: ChannelDelivery,
    error: str,
    now: datetime,
    rng: random.Random,
    transient: bool,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> ChannelDelivery:
    """A permanent error, or the last allowed attempt, makes the delivery dead: no retry."""
    _check_open(delivery, "record a failure on")
    now = _utc(now, "now")
    attempts = delivery.attempts + 1
    last_error = error if len(error) <= ERROR_MAX else error[: ERROR_MAX - 1] + "…"
    if not transient or attempts >= policy.max_attempts:
        return replace(
            delivery,
            status=DeliveryStatus.DEAD,
            attempts=attempts,
            last_error=last_error,
            next_attempt_at=None,
        )
    delay = policy.ceiling(attempts) * rng.random()
    return replace(
        delivery,
        status=DeliveryStatus.FAILED,
        attempts=attempts,
        last_error=last_error,
        next_attempt_at=now + delay,
    )


def is_transient_http_status(status: int) -> bool:
    """Worth retrying: timeouts (408), rate limits (429) and server errors (5xx). Any other
    answer (a 404 for a deleted webhook, a 400 for a payload the receiver refuses, a redirect we
    do not follow) will not change by retrying."""
    return status in (408, 429) or 500 <= status <= 599


def _check_open(delivery: ChannelDelivery, action: str) -> None:
    if delivery.status.is_settled:
        raise InvalidTransition("delivery", delivery.channel, delivery.status, action)


def _utc(moment: datetime, field: str) -> datetime:
    if moment.utcoffset() is None:
        raise Invalid(field, "must be timezone-aware")
    return moment.astimezone(UTC)
