"""Notify's internal HTTP API for the gateway: a person's inbox, and only their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from mentorship_runtime.auth import Principal, TokenVerifier, principal_dependency
from mentorship_runtime.errors import NotFound
from notify.domain.subjects import About
from notify.service_layer import handlers, preferences
from notify.service_layer.handlers import Context


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
        "milestone_id, check_in_id, session_id, learning_path_id); none for older ones.",
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
    items, cursor = await ctx.store.inbox(
        caller.user_id, unread_only=unread_only, first=first, after=after
    )
    return InboxPage(
        items=[_out(d) for d in items],
        next_cursor=cursor,
        unread=await ctx.store.unread_count(caller.user_id),
    )


@router.get("/inbox/notifications/{notification_id}")
async def one_notification(notification_id: Id, caller: Caller, ctx: Ctx) -> NotificationOut:
    """One of the caller's notifications, texts included (the event announcing it names no
    one); 404 for an unknown id and for another person's."""
    found = await ctx.store.notification_of(caller.user_id, notification_id)
    if found is None:
        raise NotFound("notification", notification_id)
    return _out(found)


def _out(document: dict[str, Any]) -> NotificationOut:
    return NotificationOut(
        id=document["_id"],
        about=About.of_document(document.get("about")).document(),
        **{k: document[k] for k in NotificationOut.model_fields if k not in ("id", "about")},
    )


@router.get("/inbox/unread-count")
async def unread_count(caller: Caller, ctx: Ctx) -> dict[str, int]:
    return {"unread": await ctx.store.unread_count(caller.user_id)}


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
    return UnreadBySubject(counts=await ctx.store.unread_by_subject(caller.user_id, subject_id))


@router.post("/inbox/read")
async def mark_read(body: ReadIn, caller: Caller, ctx: Ctx) -> dict[str, int]:
    marked = await handlers.mark_read(ctx, caller, body.notification_ids)
    return {"marked": marked, "unread": await ctx.store.unread_count(caller.user_id)}


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
    return PreferencesOut(**await preferences.get_preferences(ctx, caller))


@router.put("/preferences")
async def put_preferences(body: PreferencesIn, caller: Caller, ctx: Ctx) -> PreferencesOut:
    raw: dict[str, Any] = body.model_dump()
    return PreferencesOut(**await preferences.update_preferences(ctx, caller, raw))
