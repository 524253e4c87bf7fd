"""Notify's internal HTTP API for the gateway: a person's inbox, and only their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mentorship_runtime.auth import Principal, TokenVerifier, principal_dependency
from notify.service_layer import handlers
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
    subject_id: str
    created_at: datetime
    read_at: datetime | None


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
        items=[
            NotificationOut(
                id=d["_id"], **{k: d[k] for k in NotificationOut.model_fields if k != "id"}
            )
            for d in items
        ],
        next_cursor=cursor,
        unread=await ctx.store.unread_count(caller.user_id),
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
