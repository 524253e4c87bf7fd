"""Which deliveries a notification gets and when: channels, addresses, quiet hours, digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.delivery import DeliveryStatus
from notify.domain.directory import Recipient
from notify.domain.dispatch import PlannedDelivery, delivery_id, plan_deliveries
from notify.domain.errors import Invalid
from notify.domain.events import EventKind
from notify.domain.notifications import Notification, Priority
from notify.domain.preferences import Channel, DigestMode, Preferences, QuietHours

from .builders import person

NOW = datetime(2026, 11, 2, 21, 30, tzinfo=UTC)  # 22:30 in Paris (UTC+1 in November)
ADA = person("pt-ada", "Ada", user_id="u-ada", email="ada@example.org")
NO_MAIL = person("pt-bob", "Bob", user_id="u-bob", email=None)


def note(priority: Priority = Priority.NORMAL, recipient: str = "pt-ada") -> Notification:
    return Notification(
        notification_id="n-1",
        recipient_id=recipient,
        kind=EventKind.MATCH_ACCEPTED,
        priority=priority,
        title="t",
        body="b",
        html_body="<p>b</p>",
        subject_id="pt-ada",
        created_at=NOW,
        event_id="e-1",
    )


def by_channel(
    notification: Notification, recipient: Recipient, preferences: Preferences, now: datetime
) -> dict[Channel, PlannedDelivery]:
    return {p.channel: p for p in plan_deliveries(notification, recipient, preferences, now)}


def test_in_app_is_sent_at_once_and_email_waits_its_turn_by_default() -> None:
    plans = by_channel(note(), ADA, Preferences.default("u-ada"), NOW)

    assert set(plans) == {Channel.IN_APP, Channel.EMAIL}
    in_app, email = plans[Channel.IN_APP], plans[Channel.EMAIL]
    assert in_app.status is DeliveryStatus.SENT
    assert email.status is DeliveryStatus.PENDING
    assert email.target == "ada@example.org"
    assert email.due_at == NOW
    assert email.delivery_id == delivery_id("n-1", Channel.EMAIL)


def test_no_address_no_email_and_the_preferred_address_wins() -> None:
    assert set(by_channel(note(recipient="pt-bob"), NO_MAIL, Preferences("u-bob"), NOW)) == {
        Channel.IN_APP
    }
    chosen = Preferences("u-bob", email="bob@example.org")
    plans = by_channel(note(recipient="pt-bob"), NO_MAIL, chosen, NOW)
    assert plans[Channel.EMAIL].target == "bob@example.org"


def test_a_webhook_url_adds_the_webhook_unless_the_kind_leaves_it_out() -> None:
    url = "https://hooks.example.org/x"
    plans = by_channel(note(), ADA, Preferences("u-ada", webhook_url=url), NOW)
    assert plans[Channel.WEBHOOK].target == url

    only_app = Preferences(
        "u-ada", webhook_url=url, channels={EventKind.MATCH_ACCEPTED: frozenset()}
    )
    assert set(by_channel(note(), ADA, only_app, NOW)) == {Channel.IN_APP}


def test_quiet_hours_hold_email_and_webhook_on_the_persons_own_clock() -> None:
    quiet = Preferences(
        "u-ada",
        quiet_hours=QuietHours.parse("22:00", "07:00"),
        webhook_url="https://hooks.example.org/x",
    )
    plans = by_channel(note(), ADA, quiet, NOW)

    morning = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    assert plans[Channel.EMAIL].due_at == morning
    assert plans[Channel.WEBHOOK].due_at == morning
    assert plans[Channel.IN_APP].due_at == NOW

    in_new_york = Preferences(
        "u-ada", quiet_hours=QuietHours.parse("22:00", "07:00"), timezone="America/New_York"
    )
    assert by_channel(note(), ADA, in_new_york, NOW)[Channel.EMAIL].due_at == NOW


def test_urgent_news_ignores_quiet_hours_and_the_digest() -> None:
    both = Preferences(
        "u-ada", quiet_hours=QuietHours.parse("22:00", "07:00"), digest=DigestMode.DAILY
    )
    email = by_channel(note(Priority.HIGH), ADA, both, NOW)[Channel.EMAIL]
    assert email.due_at == NOW
    assert email.digest is False


def test_the_digest_is_for_email_only_and_waits_for_its_hour() -> None:
    daily = Preferences(
        "u-ada", digest=DigestMode.DAILY, digest_hour=8, webhook_url="https://hooks.example.org/x"
    )
    plans = by_channel(note(), ADA, daily, NOW)

    assert plans[Channel.EMAIL].digest is True
    assert plans[Channel.EMAIL].due_at == datetime(2026, 11, 3, 7, 0, tzinfo=UTC)
    assert plans[Channel.WEBHOOK].digest is False
    assert plans[Channel.WEBHOOK].due_at == NOW


def test_planning_twice_gives_the_same_deliveries() -> None:
    first = plan_deliveries(note(), ADA, Preferences("u-ada"), NOW)
    again = plan_deliveries(note(), ADA, Preferences("u-ada"), NOW + timedelta(seconds=5))
    assert [p.delivery_id for p in first] == [p.delivery_id for p in again]


def test_refuses_a_notification_for_someone_else_or_a_naive_time() -> None:
    with pytest.raises(Invalid, match="recipient"):
        plan_deliveries(note(recipient="pt-bob"), ADA, Preferences("u-ada"), NOW)
    with pytest.raises(Invalid, match="now"):
        plan_deliveries(note(), ADA, Preferences("u-ada"), NOW.replace(tzinfo=None))


@pytest.mark.parametrize(
    "address",
    [
        "ada",
        "ada@",
        "@example.org",
        "ada@example",
        "a b@example.org",
        "ada@exa_mple.org",
        "ada@example.org\n",
        "Ada <ada@example.org>",
        "é@example.org",
        "x" * 65 + "@example.org",
    ],
)
def test_email_overrides_are_plain_addresses(address: str) -> None:
    with pytest.raises(Invalid) as refused:
        Preferences("u-ada", email=address)
    assert refused.value.field == "email"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "UTC\x00", "../etc/localtime", "x" * 65])
def test_time_zone_overrides_are_iana_names(zone: str) -> None:
    with pytest.raises(Invalid) as refused:
        Preferences("u-ada", timezone=zone or " ")
    assert refused.value.field == "timezone"
