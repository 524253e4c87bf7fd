"""Which deliveries a notification gets, and when each may go out.

- In-app: always; the stored notification is the delivery, so it is sent when planned.
- E-mail: when the kind's channels include it and the person has an address (their own choice in
  the preferences first, else the directory's). Quiet hours and the daily digest apply.
- Webhook: when a URL is set and the kind's channels include it. Quiet hours apply; the digest
  does not (it is one daily *e-mail*): a chat room gets each message when the quiet hours end.

The time zone is the person's choice in the preferences, else the directory's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from notify.domain.delivery import DeliveryStatus
from notify.domain.directory import Language, Recipient
from notify.domain.errors import Invalid
from notify.domain.notifications import Notification, Priority
from notify.domain.preferences import Channel, DigestMode, Preferences, channels_to_use
from notify.domain.quiet_hours import next_delivery_time


def delivery_id(notification_id: str, channel: Channel) -> str:
    """Derived from the notification: planning twice yields the same deliveries."""
    return f"{notification_id}:{channel.value}"


@dataclass(frozen=True)
class PlannedDelivery:
    delivery_id: str
    notification_id: str
    recipient_id: str
    channel: Channel
    target: str | None
    due_at: datetime
    status: DeliveryStatus
    digest: bool
    display_name: str
    language: Language


def plan_deliveries(
    notification: Notification, recipient: Recipient, preferences: Preferences, now: datetime
) -> tuple[PlannedDelivery, ...]:
    if now.utcoffset() is None:
        raise Invalid("now", "must be timezone-aware")
    if notification.recipient_id != recipient.person_id:
        raise Invalid("recipient", f"the notification is for {notification.recipient_id!r}")
    now = now.astimezone(UTC)
    timezone = preferences.timezone or recipient.timezone
    channels = channels_to_use(preferences, recipient, notification.kind) | {Channel.IN_APP}

    def planned(
        channel: Channel, target: str | None, due: datetime, *, digest: bool = False
    ) -> PlannedDelivery:
        status = DeliveryStatus.SENT if channel is Channel.IN_APP else DeliveryStatus.PENDING
        return PlannedDelivery(
            delivery_id=delivery_id(notification.notification_id, channel),
            notification_id=notification.notification_id,
            recipient_id=recipient.person_id,
            channel=channel,
            target=target,
            due_at=due,
            status=status,
            digest=digest,
            display_name=recipient.display_name,
            language=recipient.language,
        )

    plans = [planned(Channel.IN_APP, None, now)]
    if Channel.EMAIL in channels:
        address = preferences.email or recipient.email
        digest = (  # an invitation goes alone: a digest would lose its calendar part
            preferences.digest is DigestMode.DAILY
            and notification.priority is not Priority.HIGH
            and notification.calendar is None
        )
        due = next_delivery_time(notification, preferences, timezone, now)
        plans.append(planned(Channel.EMAIL, address, due, digest=digest))
    if Channel.WEBHOOK in channels:
        immediate = replace(preferences, digest=DigestMode.IMMEDIATE)
        due = next_delivery_time(notification, immediate, timezone, now)
        plans.append(planned(Channel.WEBHOOK, preferences.webhook_url, due))
    return tuple(plans)
