# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Notifications: the inbox, unread counts, preferences, and the live feed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    INPUT,
    SLOW_SUBSCRIBER,
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    as_field_error,
    field_error,
    invalid,
    unauthenticated,
)
from gateway.features.enums import (
    DigestMode,
    NotificationChannel,
    NotificationKind,
    NotificationPriority,
)
from gateway.features.mutations import mutate
from gateway.features.notification_subject import NotificationSubject
from gateway.live import SlowSubscriber
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable
from gateway.timestamps import millis, moment, moment_or_none
from mentorship_contracts.events import NotificationCreated, NotificationCreatedV1

MAX_MARK = 200


@strawberry.type
class Notification:
    id: strawberry.ID
    kind: NotificationKind
    priority: NotificationPriority
    title: str
    body: str
    html_body: str | None = strawberry.field(description="Escaped HTML (inbox only).")
    subject_id: strawberry.ID | None = strawberry.field(
        description="Whom it is about, e.g. a mentee."
    )
    created_at: datetime
    read_at: datetime | None
    about: NotificationSubject = strawberry.field(
        description="What it is about, id by id, each resolvable: the page to open."
    )

    @classmethod
    def of(cls, body: dict[str, Any]) -> Notification:
        return cls(
            id=strawberry.ID(body["id"]),
            kind=NotificationKind(body["kind"]),
            priority=NotificationPriority(body["priority"]),
            title=body["title"],
            body=body["body"],
            html_body=body.get("html_body"),
            subject_id=body.get("subject_id"),
            created_at=moment(body["created_at"]),
            read_at=moment_or_none(body.get("read_at")),
            about=NotificationSubject.of(body.get("about"), body.get("subject_id"), body["kind"]),
        )

    @classmethod
    def created(cls, event: NotificationCreatedV1) -> Notification:
        """From an announcement that carried the texts (version 1 of the event)."""
        return cls(
            id=strawberry.ID(event.notification_id),
            kind=NotificationKind(event.kind),
            priority=NotificationPriority(event.priority),
            title=event.title,
            body=event.body,
            html_body=None,
            subject_id=None if event.subject_id is None else strawberry.ID(event.subject_id),
            created_at=millis(event.created_at),
            read_at=None,
            about=NotificationSubject.created(event.about, event.subject_id, event.kind),
        )


@strawberry.type
class Inbox:
    unread: int
    notifications: Connection[Notification]


@strawberry.type
class NotificationsMarked:
    marked: int
    unread: int


@strawberry.type(description="The channels one kind of notification reaches you on.")
class KindChannels:
    kind: NotificationKind
    channels: list[NotificationChannel]


@strawberry.type
class QuietHours:
    start: str = strawberry.field(description="HH:MM on your clock")
    end: str


@strawberry.type
class NotificationPreferences:
    channels: list[KindChannels]
    quiet_hours: QuietHours | None
    digest: DigestMode
    digest_hour: int
    webhook_url: str | None
    timezone: str | None
    email: str | None
    webhook_secret: str | None = strawberry.field(
        description="Your key of the X-Notify-Signature HMAC on webhook calls."
    )

    @classmethod
    def of(cls, body: dict[str, Any]) -> NotificationPreferences:
        quiet = body.get("quiet_hours")
        return cls(
            channels=[
                KindChannels(kind=NotificationKind(k), channels=[NotificationChannel(c) for c in v])
                for k, v in (body.get("channels") or {}).items()
            ],
            quiet_hours=QuietHours(start=quiet["start"], end=quiet["end"])
            if isinstance(quiet, dict)
            else None,
            digest=DigestMode(body.get("digest", "immediate")),
            digest_hour=body.get("digest_hour", 8),
            webhook_url=body.get("webhook_url"),
            timezone=body.get("timezone"),
            email=body.get("email"),
            webhook_secret=body.get("webhook_secret"),
        )


@strawberry.input
class KindChannelsInput:
    kind: NotificationKind
    channels: list[NotificationChannel]


@strawberry.input
class QuietHoursInput:
    start: str
    end: str


@strawberry.input(description="Your whole set of preferences (it replaces the current one).")
class NotificationPreferencesInput:
    channels: list[KindChannelsInput] = strawberry.field(default_factory=list)
    quiet_hours: QuietHoursInput | None = None
    digest: DigestMode = DigestMode.IMMEDIATE
    digest_hour: int = strawberry.field(default=8, description="0 to 23, on your clock.")
    webhook_url: str | None = None
    timezone: str | None = None
    email: str | None = None


MARK_READ = Arguments(fields={"notification_ids": ("ids",)})
PREFERENCES = Arguments(prefix=INPUT.prefix, keyed={"channels": NotificationKind})
"""``channels`` is a map of notification kinds (with dots, kept whole, named as the enum does)."""

MarkReadResult = Annotated[
    NotificationsMarked | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("MarkReadResult"),
]
PreferencesResult = Annotated[
    NotificationPreferences | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("PreferencesResult"),
]


@strawberry.type
class Query:
    @strawberry.field(description="Your inbox, newest first.")
    async def notifications(
        self,
        info: GatewayInfo,
        unread_only: bool = False,
        first: int = 20,
        after: str | None = None,
    ) -> Inbox | None:
        principal_of(info)
        params: dict[str, Any] = {"unread_only": unread_only, "first": page_size(info, first)}
        if cursor_argument(after) is not None:
            params["after"] = after
        try:
            page = await info.context.services.get("notify", "/inbox", params)
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "inbox") from None
        return Inbox(
            unread=page["unread"],
            notifications=connection(page["items"], page.get("next_cursor"), Notification.of),
        )

    @strawberry.field(description="How you want to be told.")
    async def notification_preferences(self, info: GatewayInfo) -> NotificationPreferences | None:
        principal_of(info)
        try:
            body = await info.context.services.get("notify", "/preferences")
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "preferences") from None
        return NotificationPreferences.of(body)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Mark some of your notifications read.")
    async def mark_notifications_read(
        self, info: GatewayInfo, ids: list[strawberry.ID]
    ) -> MarkReadResult | None:
        principal_of(info)
        body = {"notification_ids": [str(i) for i in ids]}
        result: MarkReadResult = await mutate(
            info.context.services.post("notify", "/inbox/read", body),
            lambda b: NotificationsMarked(marked=b["marked"], unread=b["unread"]),
            MARK_READ,
        )
        return result

    @strawberry.mutation(description="Replace your notification preferences.")
    async def update_notification_preferences(
        self, info: GatewayInfo, input: NotificationPreferencesInput
    ) -> PreferencesResult | None:
        principal_of(info)
        channels: dict[str, list[str]] = {}
        for chosen in input.channels:
            if chosen.kind.value in channels:
                return invalid(
                    [*INPUT.prefix, "channels", chosen.kind.name], "this kind is given twice"
                )
            channels[chosen.kind.value] = [channel.value for channel in chosen.channels]
        body = {
            "channels": channels,
            "quiet_hours": {"start": input.quiet_hours.start, "end": input.quiet_hours.end}
            if input.quiet_hours
            else None,
            "digest": input.digest.value,
            "digest_hour": input.digest_hour,
            "webhook_url": input.webhook_url,
            "timezone": input.timezone,
            "email": input.email,
        }
        result: PreferencesResult = await mutate(
            info.context.services.request("notify", "PUT", "/preferences", json=body),
            NotificationPreferences.of,
            PREFERENCES,
        )
        return result


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Your new notifications, as they are created.")
    async def notifications(self, info: GatewayInfo) -> AsyncGenerator[Notification, None]:
        principal = principal_of(info)
        expires_at = info.context.expires_at
        async with info.context.runtime.hub.subscribe(principal.user_id) as subscription:
            while True:
                remaining = None if expires_at is None else max(expires_at - time.time(), 0)
                try:
                    created = await asyncio.wait_for(anext(subscription), remaining)
                except SlowSubscriber:
                    raise field_error(
                        SLOW_SUBSCRIBER,
                        "notifications arrived faster than they were read and some were "
                        "dropped: subscribe again and read the inbox for what was missed",
                    ) from None
                except TimeoutError:
                    raise unauthenticated(
                        "your token expired: connect again with a fresh one"
                    ) from None
                yield await _announced(info, created)


async def _announced(info: GatewayInfo, created: NotificationCreated) -> Notification:
    """The notification an event announced. Its texts name people, so the event carries them
    no more (version 2): they are read from the subscriber's inbox in notify."""
    if isinstance(created, NotificationCreatedV1):
        return Notification.created(created)
    path = f"/inbox/notifications/{created.notification_id}"
    try:
        return Notification.of(await info.context.services.get("notify", path))
    except (ServiceUnavailable, ServiceRejected) as exc:  # ends the subscription, with a code
        raise as_field_error(exc, "notification", created.notification_id) from None
