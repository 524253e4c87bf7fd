"""Notify's internal HTTP API for the gateway: a person's inbox, and only their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from mentorship_runtime.auth import TokenVerifier, principal_dependency
from mentorship_runtime.principal import Principal
from notify.service_layer import handlers, preferences, queries
from notify.service_layer.commands import MarkRead, QuietHoursChoice, UpdatePreferences
from notify.service_layer.context import Context
from notify.service_layer.ports import InboxEntry
from notify.service_layer.preferences import PreferencesView


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


def _context(request: Request) -> Context:
    factory: Callable[[str | None], Context] = request.app.state.context
    return factory(request.headers.get("x-correlation-id"))


Caller = Annotated[Principal, Depends(principal_dependency(_verifier))]
Ctx = Annotated[Context, Depends(_context)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]


class NotificationOut(BaseModel):
    id: str
    kind: str
    priority: str
    title: str
    body: str
    html_body: str
    subject_id: str | None = None
    created_at: datetime
    read_at: datetime | None
    about: dict[str, str] = Field(
        default_factory=dict,
        description="Ids of what it is about (program_id, mentee_id, match_id, module_id, "
        "milestone_id, check_in_id, session_id, learning_path_id, planned_session_id); none for "
        "older ones.",
    )


class InboxPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notification_ids: list[Id] = Field(min_length=1, max_length=200)


router = APIRouter()


@router.get("/inbox")
async def inbox(
    caller: Caller,
    ctx: Ctx,
    unread_only: bool = False,
    first: int = Query(20, ge=1, le=100),
    after: str | None = Query(None, max_length=400),
) -> InboxPage:
    page = await queries.inbox(ctx, caller, unread_only=unread_only, first=first, after=after)
    return InboxPage(
        items=[_out(entry) for entry in page.items],
        next_cursor=page.next_cursor,
        unread=page.unread,
    )


@router.get("/inbox/notifications/{notification_id}")
async def one_notification(notification_id: Id, caller: Caller, ctx: Ctx) -> NotificationOut:
    """One of the caller's notifications, texts included (the event announcing it names no
    one); 404 for an unknown id and for another person's."""
    return _out(await queries.notification(ctx, caller, notification_id))


def _out(entry: InboxEntry) -> NotificationOut:
    return NotificationOut(
        id=entry.notification_id,
        kind=entry.kind,
        priority=entry.priority,
        title=entry.title,
        body=entry.body,
        html_body=entry.html_body,
        subject_id=entry.subject_id,
        created_at=entry.created_at,
        read_at=entry.read_at,
        about=entry.about.document(),
    )


@router.get("/inbox/unread-count")
async def unread_count(caller: Caller, ctx: Ctx) -> dict[str, int]:
    return {"unread": await queries.unread_count(ctx, caller)}


class UnreadBySubject(BaseModel):
    counts: dict[str, int]


@router.get("/inbox/unread-count/by-subject")
async def unread_count_by_subject(
    caller: Caller,
    ctx: Ctx,
    subject_id: Annotated[list[Id], Query(min_length=1, max_length=200)],
) -> UnreadBySubject:
    """The caller's unread notifications per subject (the mentee a notification is about),
    for the gateway's batched loaders: every asked id is in the answer, 0 when none."""
    return UnreadBySubject(counts=await queries.unread_by_subject(ctx, caller, subject_id))


@router.post("/inbox/read")
async def mark_read(body: ReadIn, caller: Caller, ctx: Ctx) -> dict[str, int]:
    marked = await handlers.mark_read(MarkRead(caller, tuple(body.notification_ids)), ctx)
    return {"marked": marked, "unread": await queries.unread_count(ctx, caller)}


# ---- preferences: the caller's own, never anyone else's -----------------------------------

Short = Annotated[str, StringConstraints(max_length=64)]


class QuietHoursIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: Annotated[str, StringConstraints(max_length=5)] = Field(examples=["22:00"])
    end: Annotated[str, StringConstraints(max_length=5)] = Field(examples=["07:00"])


class PreferencesIn(BaseModel):
    """Replaces the caller's preferences as a whole; what is left out takes its default."""

    model_config = ConfigDict(extra="forbid")
    channels: dict[Short, Annotated[list[Short], Field(max_length=3)]] = Field(
        default_factory=dict,
        max_length=32,
        description="per notification kind, the channels among in_app, email, webhook",
    )
    quiet_hours: QuietHoursIO | None = None
    timezone: Short | None = Field(None, description="IANA name; default: the directory's")
    digest: Literal["immediate", "daily"] = "immediate"
    digest_hour: StrictInt = Field(8, description="local hour of the daily digest, 0 to 23")
    webhook_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = Field(
        None, description="overrides the directory's address for e-mails"
    )


class PreferencesOut(BaseModel):
    channels: dict[str, list[str]]
    quiet_hours: QuietHoursIO | None
    timezone: str | None
    digest: str
    digest_hour: int
    webhook_url: str | None
    email: str | None
    webhook_secret: str | None = Field(
        description="the key of the X-Notify-Signature HMAC; made with the first save"
    )


@router.get("/preferences")
async def get_preferences(caller: Caller, ctx: Ctx) -> PreferencesOut:
    return _preferences_out(await preferences.get_preferences(ctx, caller))


@router.put("/preferences")
async def put_preferences(body: PreferencesIn, caller: Caller, ctx: Ctx) -> PreferencesOut:
    quiet = body.quiet_hours
    command = UpdatePreferences(
        actor=caller,
        channels={kind: list(chosen) for kind, chosen in body.channels.items()},
        quiet_hours=QuietHoursChoice(quiet.start, quiet.end) if quiet else None,
        timezone=body.timezone,
        digest=body.digest,
        digest_hour=body.digest_hour,
        webhook_url=body.webhook_url,
        email=body.email,
    )
    return _preferences_out(await preferences.update_preferences(command, ctx))


def _preferences_out(view: PreferencesView) -> PreferencesOut:
    chosen = view.preferences
    quiet = chosen.quiet_hours
    return PreferencesOut(
        channels={
            kind.value: sorted(c.value for c in channels)
            for kind, channels in sorted(chosen.channels.items())
        },
        quiet_hours=(
            QuietHoursIO(start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M"))
            if quiet
            else None
        ),
        timezone=chosen.timezone,
        digest=chosen.digest.value,
        digest_hour=chosen.digest_hour,
        webhook_url=chosen.webhook_url,
        email=chosen.email,
        webhook_secret=view.webhook_secret,
    )
