"""Reminders notify schedules from the events it reads, each sent once per episode:

- a mentor ``PROPOSAL_LEAD`` (24 hours) before a proposal they have not answered expires; the
  episode is the proposal. A proposal whose whole window is shorter gets none (its own
  notification gives the deadline), and one that expired before the worker came round gets none
  either. With the lead a full day, the reminder reaches the mentor before the deadline even
  when a daily digest or quiet hours hold it back. It is dropped as soon as the proposal stops
  waiting on the mentor: accepted, declined, expired, cancelled by an admin, accepted by the
  mentor where the mentee must accept too, or either side withdrawn from the program.
- a mentee who has gone the program's ``check_in_reminder_days`` (7 by default) without a
  check-in of their own (see ``notify.domain.check_ins``); the episode is the stretch of silence.
- the mentee and the mentor of a planned session, ``CONFIRM_AFTER`` its end, to confirm it took
  place (or cancel it); the episode is the planned session. A reschedule moves it (an older plan
  arriving late does not: it goes by the plan's ``sequence``); the session's cancellation, its
  confirmation (``SessionLogged`` under the planned session's id), the end of the pair's match or
  either side's withdrawal drops it (a session can only be confirmed within the current match),
  even when the drop arrives before the plan. A reminder sent stays sent; one the worker reaches
  more than ``CONFIRM_LAPSES`` after it was due lapses unsent.

All go through the path every notification takes (rules, preferences, quiet hours, digests).
A reminder's notification ids derive from the episode, so two workers that find the same
reminder due, or a worker that dies after notifying and before marking it sent, notify once; the
schedule is stored, so a restart loses nothing and a redelivered event schedules nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts import events as contract
from mentorship_runtime.logging import get_logger
from notify.domain import check_ins
from notify.domain.events import Detail, EventKind, Occurrence
from notify.service_layer.context import Context
from notify.service_layer.handlers import notify
from notify.service_layer.ports import ConfirmationReminder, Nudges, ProposalReminder
from notify.service_layer.reminders import reminder_occurrence

PROPOSAL_LEAD = timedelta(hours=24)
CONFIRM_AFTER = timedelta(hours=2)
"""How long after a planned session's end both sides are asked to confirm it: long enough for a
session that ran over, or for the two to confirm it themselves on their way out, and still the
same day, while they remember it (a digest or quiet hours may hold it back until later)."""
CONFIRM_LAPSES = timedelta(days=7)
"""A reminder to confirm that the worker reaches this long after it was due is not sent (it
lapses): a plan read again long after its session (a replay of old events) would otherwise ask
about a session its confirmation, read later in the same replay, shows as confirmed."""
BATCH = 200
log = get_logger("notify.nudges")


def proposal_reminder_id(match_id: str) -> str:
    return f"expiring:{match_id}"


def confirmation_reminder_id(planned_session_id: str) -> str:
    return f"confirm:{planned_session_id}"


async def on_event(event: Envelope[Any], ctx: Context) -> None:
    """Schedule, move or cancel the reminders an event bears on; nothing for the others."""
    data = event.data
    nudges = ctx.nudges
    match data:
        case contract.MatchProposed():
            await _expect_answer(event, data, nudges)
        case contract.MatchAccepted():
            await nudges.answered(proposal_reminder_id(data.match_id), data.match_id)
            await nudges.change_watch(
                data.mentee_id,
                lambda watch: check_ins.started(
                    watch,
                    mentee_id=data.mentee_id,
                    program_id=data.program_id,
                    mentor_id=data.mentor_id,
                    at=event.occurred_at,
                ),
            )
        case contract.MatchDeclined() | contract.MatchExpired() | contract.MatchCancelled():
            await nudges.answered(proposal_reminder_id(data.match_id), data.match_id)
        case contract.MatchAcceptanceGiven() if data.accepted_by == "mentor":
            # it waits on the mentee now
            await nudges.answered(proposal_reminder_id(data.match_id), data.match_id)
        case contract.MatchEnded():
            await nudges.answered(proposal_reminder_id(data.match_id), data.match_id)
            await nudges.pair_ended(data.mentee_id, data.mentor_id)
            await _stop(data.mentee_id, data.program_id, event, nudges)
        case contract.PathCompleted():
            await _stop(data.mentee_id, data.program_id, event, nudges)
        case contract.ParticipantWithdrawn():
            await nudges.left(data.participant_id)
            await _stop(data.participant_id, data.program_id, event, nudges)
        case contract.SessionPlanned() | contract.PlannedSessionRescheduled():
            await nudges.expect_confirmation(confirmation_reminder(data))
        case contract.PlannedSessionCancelled():
            await nudges.confirmation_dropped(
                confirmation_reminder_id(data.planned_session_id),
                data.planned_session_id,
                data.mentee_id,
                data.mentor_id,
                "cancelled",
            )
        case contract.SessionLogged():
            # a planned session confirmed is logged under its id; any other session drops a
            # reminder that will never exist (a small record, read by nothing but an erasure)
            await nudges.confirmation_dropped(
                confirmation_reminder_id(data.session_id),
                data.session_id,
                data.mentee_id,
                data.mentor_id,
                "confirmed",
            )
        case contract.CheckInRecorded() if data.assessed_by == "mentee":
            await nudges.change_watch(
                data.mentee_id,
                lambda watch: check_ins.checked_in(
                    watch,
                    mentee_id=data.mentee_id,
                    program_id=data.program_id,
                    mentor_id=data.mentor_id,
                    at=event.occurred_at,
                ),
            )


async def _expect_answer(
    event: Envelope[Any], data: contract.MatchProposed, nudges: Nudges
) -> None:
    due_at = data.expires_at - PROPOSAL_LEAD
    if due_at <= event.occurred_at:
        return  # the proposal's own notification is the reminder
    await nudges.expect_answer(
        ProposalReminder(
            reminder_id=proposal_reminder_id(data.match_id),
            match_id=data.match_id,
            program_id=data.program_id,
            mentee_id=data.mentee_id,
            mentor_id=data.mentor_id,
            expires_at=data.expires_at,
            due_at=due_at,
        )
    )


def confirmation_reminder(
    data: contract.SessionPlanned | contract.PlannedSessionRescheduled,
) -> ConfirmationReminder:
    """The reminder a plan schedules: due ``CONFIRM_AFTER`` after the session's end."""
    ends_at = data.starts_at + timedelta(minutes=data.duration_minutes)
    return ConfirmationReminder(
        reminder_id=confirmation_reminder_id(data.planned_session_id),
        planned_session_id=data.planned_session_id,
        program_id=data.program_id,
        mentee_id=data.mentee_id,
        mentor_id=data.mentor_id,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        time_zone=data.time_zone,
        planned_by=data.planned_by,
        sequence=data.sequence,
        due_at=ends_at + CONFIRM_AFTER,
    )


async def _stop(mentee_id: str, program_id: str, event: Envelope[Any], nudges: Nudges) -> None:
    await nudges.change_watch(
        mentee_id,
        lambda watch: check_ins.stopped(
            watch, mentee_id=mentee_id, program_id=program_id, at=event.occurred_at
        ),
    )


# ---- the worker's job -----------------------------------------------------------------------


async def send_due_nudges(ctx: Context) -> int:
    """Send the reminders due by now; returns how many notifications were new."""
    nudges = ctx.nudges
    sent = (
        await _send_proposal_reminders(ctx, nudges)
        + await _send_check_in_reminders(ctx, nudges)
        + await _send_confirmation_reminders(ctx, nudges)
    )
    if sent:
        log.info("nudges_sent", notifications=sent)
    return sent


async def _send_proposal_reminders(ctx: Context, nudges: Nudges) -> int:
    sent = 0
    now = ctx.clock()
    for reminder in await nudges.due_answers(now, BATCH):
        if reminder.expires_at <= now:  # the worker came too late: the proposal has lapsed
            await nudges.proposal_done(reminder.reminder_id, "lapsed")
            continue
        occurrence = reminder_occurrence(
            EventKind.PROPOSAL_EXPIRING,
            reminder,
            {
                Detail.EXPIRES_AT: reminder.expires_at.isoformat(),
                Detail.MATCH_ID: reminder.match_id,
            },
        )
        sent += await notify(occurrence, ctx, None)
        await nudges.proposal_done(reminder.reminder_id, "sent")
    return sent


async def _send_check_in_reminders(ctx: Context, nudges: Nudges) -> int:
    sent = 0
    now = ctx.clock()
    for program_id, told in (await nudges.reminder_days()).items():
        days = told or check_ins.DEFAULT_DAYS
        for watch in await nudges.silent_since(program_id, now - timedelta(days=days), BATCH):
            occurrence = Occurrence(
                kind=EventKind.CHECK_IN_OVERDUE,
                event_id=watch.episode_id(),
                occurred_at=watch.due_at(days),
                program_id=watch.program_id,
                mentee_id=watch.mentee_id,
                mentor_id=watch.mentor_id,
                details={Detail.DAYS: days},
            )
            sent += await notify(occurrence, ctx, None)
            await nudges.reminded(watch)
    return sent


async def _send_confirmation_reminders(ctx: Context, nudges: Nudges) -> int:
    sent = 0
    now = ctx.clock()
    for reminder in await nudges.due_confirmations(now, BATCH):
        if now - reminder.due_at > CONFIRM_LAPSES:
            await nudges.confirmation_done(reminder.reminder_id, "lapsed")
            continue
        occurrence = reminder_occurrence(
            EventKind.SESSION_TO_CONFIRM,
            reminder,
            {
                Detail.PLANNED_SESSION_ID: reminder.planned_session_id,
                Detail.STARTS_AT: reminder.starts_at.isoformat(),
                Detail.TIME_ZONE: reminder.time_zone,
                Detail.DURATION_MINUTES: reminder.duration_minutes,
                Detail.SEQUENCE: reminder.sequence,
                Detail.PLANNED_BY: reminder.planned_by,
            },
        )
        sent += await notify(occurrence, ctx, None)
        await nudges.confirmation_done(reminder.reminder_id, "sent")
    return sent
