"""Delivery bookkeeping, one record per channel so that a failing channel never holds up another.

    pending ──success──▶ sent
       │  ▲
    failure (transient, attempts left)
       ▼  │
     failed ──success──▶ sent
       └──failure (permanent, or the last attempt)──▶ dead

Retries back off exponentially with full jitter: the n-th retry waits a random delay between 0
and min(cap, base * 2^(n-1)), so that receivers coming back up are not hit by a synchronized wave.

The queue's rules: a planner writes a notification's deliveries *before* the notification, held
for ``HOLD``, then releases those whose notification it stored and drops the others (stored
before it: a replay, or another planner at the same time) (``released_and_dropped``); an attempt
that died leaves them held until the hold runs out. A worker looks for due deliveries by the
quick query, and by the thorough one every ``THOROUGH_EVERY`` rounds (``is_thorough``); a
person's due daily-digest e-mails to one address are one piece of work (``work_key``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Set
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from notify.domain.errors import Invalid, InvalidTransition
from notify.domain.preferences import Channel

ERROR_MAX = 500
HOLD = timedelta(minutes=2)
"""How long a delivery written before its notification waits to be released by its planner; an
attempt that died leaves it to be sent when this runs out."""
THOROUGH_EVERY = 10
"""Every this many rounds (the first included), the worker looks for due deliveries with the full
query (retries, deliveries that waited for quiet hours or a digest, leases run out on deliveries
not ready when planned), which reads the whole queue; the other rounds take only those ready when
planned, by an index. So a delivery not ready when planned is sent at most this many rounds
(``DELIVERY_POLL_SECONDS`` apart when idle) after it is due."""


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


def is_thorough(round_number: int) -> bool:
    """Whether the worker's round (counted from 0) looks for every due delivery."""
    return round_number % THOROUGH_EVERY == 0


def released_and_dropped(
    written: Iterable[tuple[str, str]], stored: Set[str]
) -> tuple[list[str], list[str]]:
    """Of the deliveries a planner held (delivery id, notification id): those to release (their
    notification was stored by this planner) and those to drop (stored before)."""
    pairs = list(written)
    return (
        [delivery for delivery, notification in pairs if notification in stored],
        [delivery for delivery, notification in pairs if notification not in stored],
    )


def work_key(
    delivery_id: str, channel: Channel, digest: bool, recipient_id: str, target: str | None
) -> tuple[str, ...]:
    """Deliveries with the same key are sent as one message: a person's daily-digest e-mails to
    one address; any other delivery alone."""
    if channel is Channel.EMAIL and digest:
        return ("digest", recipient_id, str(target))
    return (delivery_id,)


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
