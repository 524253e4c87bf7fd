"""What a person reads of their inbox: only their own notifications, never anyone else's."""

from __future__ import annotations

from collections.abc import Sequence

from mentorship_runtime.errors import NotFound
from mentorship_runtime.principal import Principal
from notify.service_layer.context import Context
from notify.service_layer.ports import InboxEntry, InboxPage


async def inbox(
    ctx: Context, actor: Principal, *, unread_only: bool, first: int, after: str | None
) -> InboxPage:
    """Newest first, ``first`` at most after the cursor ``after``, with how many are unread."""
    items, cursor = await ctx.store.inbox(
        actor.user_id, unread_only=unread_only, first=first, after=after
    )
    return InboxPage(items, cursor, await ctx.store.unread_count(actor.user_id))


async def notification(ctx: Context, actor: Principal, notification_id: str) -> InboxEntry:
    """One of the actor's notifications; NotFound for an unknown id and for another person's."""
    found = await ctx.store.notification_of(actor.user_id, notification_id)
    if found is None:
        raise NotFound("notification", notification_id)
    return found


async def unread_count(ctx: Context, actor: Principal) -> int:
    return await ctx.store.unread_count(actor.user_id)


async def unread_by_subject(
    ctx: Context, actor: Principal, subject_ids: Sequence[str]
) -> dict[str, int]:
    """The actor's unread notifications per subject: every asked id, 0 when none."""
    return await ctx.store.unread_by_subject(actor.user_id, subject_ids)
