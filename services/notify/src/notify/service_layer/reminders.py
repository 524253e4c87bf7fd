"""Session-rating reminders: a session logged without one side's rating reminds that side after
a delay (two days by default), unless that side's ``SessionRated`` arrives first.

The schedule is stored (``reminders``, one document per session and side, id derived from both),
so a redelivered event schedules nothing twice, and a rating that overtakes the session's event
(they share a topic and key, but a replay may reorder them) still cancels the reminder. The
worker's job turns due reminders into notifications through the same path as events; their ids
derive from the reminder's, so two workers or a crash and a retry notify once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts.events import SessionLogged, SessionRated
from mentorship_runtime.logging import get_logger
from notify.domain.events import Detail, EventKind, Occurrence
from notify.service_layer.context import Context
from notify.service_layer.handlers import notify
from notify.service_layer.ports import RatingReminder, Scheduled

SIDES = ("mentee", "mentor")
BATCH = 200
log = get_logger("notify.reminders")


def reminder_occurrence(
    kind: EventKind, reminder: Scheduled, details: Mapping[str, str | int]
) -> Occurrence:
    """What a due reminder notifies, as an occurrence under the reminder's id and due time: the
    notifications' ids derive from the episode, so a reminder sent twice notifies once."""
    return Occurrence(
        kind=kind,
        event_id=reminder.reminder_id,
        occurred_at=reminder.due_at,
        program_id=reminder.program_id,
        mentee_id=reminder.mentee_id,
        mentor_id=reminder.mentor_id,
        details=details,
    )


def reminder_id(session_id: str, side: str) -> str:
    return f"rating:{session_id}:{side}"


async def on_session_logged(event: Envelope[Any], ctx: Context) -> None:
    data: SessionLogged = event.data
    for side in SIDES:
        if side in data.rated_by or (side == "mentor" and not data.mentor_id):
            continue
        await ctx.ratings.expect_rating(
            RatingReminder(
                reminder_id=reminder_id(data.session_id, side),
                session_id=data.session_id,
                side=side,
                mentee_id=data.mentee_id,
                mentor_id=data.mentor_id,
                program_id=data.program_id,
                held_on=data.held_on.isoformat(),
                due_at=event.occurred_at + ctx.reminder_delay,
                event_id=str(event.event_id),
            )
        )


async def on_session_rated(event: Envelope[Any], ctx: Context) -> None:
    data: SessionRated = event.data
    await ctx.ratings.rated(
        reminder_id(data.session_id, data.rated_by), data.session_id, data.rated_by
    )


async def send_due_reminders(ctx: Context) -> int:
    sent = 0
    for reminder in await ctx.ratings.due_ratings(ctx.clock(), BATCH):
        occurrence = reminder_occurrence(
            EventKind.SESSION_NOT_RATED,
            reminder,
            {
                Detail.NOT_RATED_BY: reminder.side,
                Detail.SESSION_DATE: reminder.held_on,
                Detail.SESSION_ID: reminder.session_id,
            },
        )
        sent += await notify(occurrence, ctx, None)
        await ctx.ratings.reminder_sent(reminder.reminder_id)
    if sent:
        log.info("rating_reminders_sent", notifications=sent)
    return sent
