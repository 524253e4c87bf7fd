"""The weekly digest of each mentor's mentees' status changes (``mentor.weekly_digest``).

From the events it reads, notify records each status change of a mentee (stalled, still
stalled, back on track, a confidence drop, a completed module or path) for the mentor the event
names, in the ISO week it happened on that mentor's clock (their preferences' time zone, else
the directory's). A change is recorded once per event, whatever the order of arrival or the
number of deliveries. Accepted and ended matches say which mentees are still each mentor's.

The worker's job sends, once the week is over and at the schedule's local moment (Monday 08:00
by default, the same for every program), one notification per mentor and week that had changes
of mentees still theirs at the end of the week: its id derives from the mentor and the week, so
two workers, a restart or a change arriving after the digest went out never send a second one.
It goes through the path every notification takes (preferences, quiet hours, channels); a
mentor who turned the kind off gets none. The week's changes are deleted once it is handled.
A mentor notify does not know yet is placed on UTC's clock.
"""

from __future__ import annotations

from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts import events as contract
from mentorship_runtime.logging import get_logger
from notify.domain.directory import Recipient
from notify.domain.events import EventKind
from notify.domain.notifications import Notification
from notify.domain.rules import RULES
from notify.domain.subjects import About
from notify.domain.weekly_digest import (
    CHANGES,
    Entry,
    Week,
    compose,
    digest_id,
    mentee_weeks,
    theirs_at,
)
from notify.service_layer.context import Context
from notify.service_layer.delivery import Addressed, store_all
from notify.service_layer.ports import RecordedChange, WeeklyDigests
from notify.service_layer.preferences import preferences_for
from notify.service_layer.translate import KINDS

KIND = EventKind.MENTOR_WEEKLY_DIGEST
BATCH = 200
"""How many digests of one week a round of the job sends at most."""
log = get_logger("notify.weekly_digests")


async def on_event(event: Envelope[Any], ctx: Context) -> None:
    """Record a status change for the mentor the event names, or a match's start or end;
    nothing for other events."""
    data = event.data
    store = ctx.digests
    match data:
        case contract.MatchAccepted():
            await store.accepted(data.match_id, data.mentor_id, data.mentee_id, event.occurred_at)
            return
        case contract.MatchEnded():
            await store.ended(data.match_id, data.mentor_id, data.mentee_id, event.occurred_at)
            return
    kind = KINDS.get(type(data))
    change = CHANGES.get(kind) if kind is not None else None
    mentor_id = getattr(data, "mentor_id", None)
    if change is None or not mentor_id:
        return
    entry = Entry(
        event_id=str(event.event_id),
        mentee_id=data.mentee_id,
        change=change,
        occurred_at=event.occurred_at,
        module_id=getattr(data, "module_id", None),
        module_titles=getattr(data, "module_title", None) or {},
        path_language=getattr(data, "path_language", None),
        previous_confidence=getattr(data, "previous_confidence", None),
        confidence=getattr(data, "confidence", None),
    )
    timezone = await _timezone(mentor_id, ctx)
    week = Week.of(entry.occurred_at, timezone)
    due_at = ctx.digest_schedule.due_at(week, timezone)
    await store.record(mentor_id, data.program_id, week, timezone, due_at, entry)


async def _timezone(mentor_id: str, ctx: Context) -> str:
    found = await ctx.store.recipients([mentor_id])
    if not found:
        return "UTC"
    mentor = found[0]
    stored = (await ctx.store.preferences_of([mentor.user_id])) if mentor.user_id else {}
    chosen = preferences_for(mentor.user_id, stored.get(mentor.user_id or ""))
    return chosen.timezone or mentor.timezone


# ---- the worker's job -----------------------------------------------------------------------


async def send_due_weekly_digests(ctx: Context) -> int:
    """Send the digests due by now; returns how many notifications were new."""
    store = ctx.digests
    now = ctx.clock()
    sent = 0
    for week in await store.weeks_waiting():
        for digest in await store.due_digests(week.week, now, BATCH):
            sent += await _send(digest, store, ctx)
        await store.forget_week(week)
    if sent:
        log.info("weekly_digests_sent", notifications=sent)
    return sent


async def _send(digest: str, store: WeeklyDigests, ctx: Context) -> int:
    changes = await store.changes_in(digest)
    if not changes:
        return 0  # handled by another worker meanwhile
    first = changes[0]
    mentor_id, program_id, timezone = first.mentor_id, first.program_id, first.timezone
    week = first.week
    notification = await _digest(mentor_id, program_id, week, timezone, changes, store, ctx)
    new: set[str] = set()
    if notification is not None:
        item, mentor = notification
        new = await store_all([Addressed(item, mentor, None, item.event_id)], ctx)
    await store.sent(digest)
    return len(new)


async def _digest(
    mentor_id: str,
    program_id: str,
    week: Week,
    timezone: str,
    changes: list[RecordedChange],
    store: WeeklyDigests,
    ctx: Context,
) -> tuple[Notification, Recipient] | None:
    """The mentor's digest of the week, or None: nobody to tell (unknown or withdrawn mentor,
    the kind turned off, no mentee of theirs left at the end of the week)."""
    found = await ctx.store.recipients([mentor_id])
    if not found or found[0].withdrawn:
        return None
    mentor = found[0]
    stored = (await ctx.store.preferences_of([mentor.user_id])) if mentor.user_id else {}
    if not preferences_for(mentor.user_id, stored.get(mentor.user_id or "")).wants(KIND):
        return None
    matches = await store.matches_of(mentor_id)
    end = week.ends_at(timezone)
    entries = [c.entry for c in changes if theirs_at(c.entry.mentee_id, matches, end)]
    if not entries:
        return None
    mentee_ids = sorted({e.mentee_id for e in entries})
    names = {p.person_id: p.display_name for p in await ctx.store.recipients(mentee_ids)}
    composed = compose(
        mentor, week, mentee_weeks(entries, names), await store.program_name(program_id), timezone
    )
    notification = Notification(
        notification_id=digest_id(mentor_id, week),
        recipient_id=mentor_id,
        kind=KIND,
        priority=RULES[KIND].priority,
        title=composed.title,
        body=composed.body,
        html_body=composed.html,
        subject_id=None,
        created_at=min(c.due_at for c in changes),
        event_id=f"weekly-digest:{mentor_id}:{week.key}",
        about=About(program_id=program_id),
    )
    return notification, mentor
