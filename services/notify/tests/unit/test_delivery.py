import random
from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.delivery import (
    ChannelDelivery,
    DeliveryStatus,
    RetryPolicy,
    deliveries,
    is_transient_http_status,
    record_failure,
    record_success,
)
from notify.domain.errors import Invalid, InvalidTransition
from notify.domain.preferences import Channel

from .builders import NOW


class Fixed(random.Random):
    """A random source that always draws the same fraction of the interval."""

    def __init__(self, fraction: float) -> None:
        super().__init__()
        self.fraction = fraction

    def random(self) -> float:
        return self.fraction


def failed(times: int, rng: random.Random, policy: RetryPolicy | None = None) -> ChannelDelivery:
    delivery = ChannelDelivery.pending(Channel.WEBHOOK, NOW)
    for _ in range(times):
        delivery = record_failure(
            delivery,
            "503 Service Unavailable",
            NOW,
            rng,
            transient=True,
            policy=policy or RetryPolicy(),
        )
    return delivery


def wait(delivery: ChannelDelivery) -> timedelta:
    assert delivery.next_attempt_at is not None
    return delivery.next_attempt_at - NOW


def test_a_new_delivery_is_pending_and_due_at_once() -> None:
    delivery = ChannelDelivery.pending(Channel.EMAIL, NOW)

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.attempts == 0
    assert delivery.is_due(NOW)
    assert not delivery.is_due(NOW - timedelta(seconds=1))


def test_the_backoff_doubles_from_30_seconds() -> None:
    waits = [wait(failed(times, Fixed(0.5))) for times in range(1, 8)]

    assert waits == [timedelta(seconds=15 * 2**n) for n in range(7)]


def test_the_backoff_is_capped_at_one_hour() -> None:
    patient = RetryPolicy(max_attempts=20)

    assert wait(failed(12, Fixed(0.5), patient)) == timedelta(minutes=30)
    assert wait(failed(19, Fixed(0.999999), patient)) < timedelta(hours=1)


def test_full_jitter_spreads_retries_between_zero_and_the_ceiling() -> None:
    rng = random.Random(42)
    waits = [wait(failed(3, rng)) for _ in range(200)]

    assert all(timedelta(0) <= w < timedelta(seconds=120) for w in waits)
    assert min(waits) < timedelta(seconds=20)
    assert max(waits) > timedelta(seconds=100)


def test_a_failure_records_the_attempt_and_the_error() -> None:
    once = failed(1, Fixed(0.5))

    assert once.status is DeliveryStatus.FAILED
    assert once.attempts == 1
    assert once.last_error == "503 Service Unavailable"
    assert once.next_attempt_at == NOW + timedelta(seconds=15)
    assert not once.is_due(NOW)


def test_the_delivery_is_dead_after_eight_attempts() -> None:
    seventh = failed(7, Fixed(0.5))
    eighth = failed(8, Fixed(0.5))

    assert seventh.status is DeliveryStatus.FAILED
    assert eighth.status is DeliveryStatus.DEAD
    assert eighth.attempts == 8
    assert eighth.next_attempt_at is None
    assert not eighth.is_due(NOW + timedelta(days=1))


def test_a_permanent_error_makes_the_delivery_dead_at_once() -> None:
    delivery = ChannelDelivery.pending(Channel.WEBHOOK, NOW)

    dead = record_failure(delivery, "404 Not Found", NOW, Fixed(0.5), transient=False)

    assert dead.status is DeliveryStatus.DEAD
    assert dead.attempts == 1
    assert dead.last_error == "404 Not Found"


@pytest.mark.parametrize(
    ("status", "transient"),
    [
        (408, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (410, False),
        (413, False),
        (301, False),
    ],
)
def test_only_timeouts_rate_limits_and_server_errors_are_worth_a_retry(
    status: int, transient: bool
) -> None:
    assert is_transient_http_status(status) is transient


def test_a_success_after_failures_settles_the_delivery() -> None:
    sent = record_success(failed(2, Fixed(0.5)))

    assert sent.status is DeliveryStatus.SENT
    assert sent.attempts == 3
    assert sent.next_attempt_at is None


@pytest.mark.parametrize("settled", [DeliveryStatus.SENT, DeliveryStatus.DEAD])
def test_a_settled_delivery_records_nothing_more(settled: DeliveryStatus) -> None:
    delivery = ChannelDelivery(Channel.EMAIL, settled, attempts=1)

    with pytest.raises(InvalidTransition, match=settled.value):
        record_success(delivery)
    with pytest.raises(InvalidTransition):
        record_failure(delivery, "boom", NOW, Fixed(0.5), transient=True)


def test_one_failing_channel_never_holds_up_another() -> None:
    email, webhook = deliveries({Channel.WEBHOOK, Channel.EMAIL}, NOW)

    webhook = record_failure(webhook, "410 Gone", NOW, Fixed(0.5), transient=False)
    email = record_success(email)

    assert (email.channel, email.status) == (Channel.EMAIL, DeliveryStatus.SENT)
    assert (webhook.channel, webhook.status) == (Channel.WEBHOOK, DeliveryStatus.DEAD)


def test_long_errors_are_clipped_and_times_must_be_aware() -> None:
    delivery = ChannelDelivery.pending(Channel.EMAIL, NOW)

    clipped = record_failure(delivery, "x" * 5000, NOW, Fixed(0.5), transient=True)

    assert clipped.last_error is not None
    assert len(clipped.last_error) == 500
    with pytest.raises(Invalid, match="now"):
        record_failure(delivery, "boom", datetime(2026, 1, 1), Fixed(0.5), transient=True)
    with pytest.raises(Invalid, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    assert ChannelDelivery.pending(Channel.EMAIL, NOW).next_attempt_at == NOW.astimezone(UTC)
