"""Notifications for people (producer: notify; topic ``notify.notifications``).

Keyed by recipient; the gateway consumes them to push live updates to open subscriptions.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Id, Name, Text
from mentorship_contracts.topics import Topic


class NotificationCreated(
    EventPayload,
    type="notify.notification.created",
    version=1,
    topic=Topic.NOTIFY_NOTIFICATIONS,
    key_field="recipient_id",
):
    notification_id: Id
    recipient_id: Id
    kind: Name
    priority: Literal["low", "normal", "high"] = "normal"
    title: Name
    body: Text
    subject_id: Id | None = Field(default=None, description="Whom it is about, e.g. a mentee.")
    created_at: datetime


class NotificationRead(
    EventPayload,
    type="notify.notification.read",
    version=1,
    topic=Topic.NOTIFY_NOTIFICATIONS,
    key_field="recipient_id",
):
    recipient_id: Id
    notification_ids: list[Id] = Field(min_length=1)
    read_at: datetime
