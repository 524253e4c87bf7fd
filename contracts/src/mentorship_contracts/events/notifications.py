"""Notifications for people (producer: notify; topic ``notify.notifications``).

Keyed by recipient; the gateway consumes them to push live updates to open subscriptions.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Id, Name, Text
from mentorship_contracts.topics import Topic


class NotificationAbout(BaseModel):
    """What a notification is about, for a front end to open the right page: each id that the
    occurrence behind it named (none for a notification made before these were kept)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    program_id: Id | None = None
    mentee_id: Id | None = Field(default=None, description="The mentee's participant id.")
    match_id: Id | None = None
    module_id: Id | None = None
    milestone_id: Id | None = None
    check_in_id: Id | None = None
    session_id: Id | None = None
    learning_path_id: Id | None = None
    planned_session_id: Id | None = Field(
        default=None, description="The planned session, for a session planned ahead."
    )


class NotificationCreated(
    EventPayload,
    type="notify.notification.created",
    version=2,
    topic=Topic.NOTIFY_NOTIFICATIONS,
    key_field="recipient_id",
):
    """A notification was stored for its recipient. Its texts name people, so they stay in
    notify: a reader asks notify's inbox for them (``GET /inbox/{notification_id}``)."""

    notification_id: Id
    recipient_id: Id
    kind: Name
    priority: Literal["low", "normal", "high"] = "normal"
    subject_id: Id | None = Field(default=None, description="Whom it is about, e.g. a mentee.")
    created_at: datetime
    about: NotificationAbout | None = Field(
        default=None, description="What it is about, in detail (absent from older producers)."
    )


class _Texts(EventPayload):
    """What version 1 of ``NotificationCreated`` added to version 2."""

    title: Name
    body: Text


class NotificationCreatedV1(
    NotificationCreated,
    _Texts,
    type="notify.notification.created",
    version=1,
    topic=Topic.NOTIFY_NOTIFICATIONS,
    key_field="recipient_id",
):
    """``NotificationCreated`` as first written, with its texts (read, no longer written)."""


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
