"""A program's report: its read model fed by events, and the query its admins make.

The projection (group ``progress-report``) reads progress's own events and mentoring's match and
withdrawal events, and marks the week of each in the read model (``ports.ReportMarks``). It keeps
nothing else and never reads a tracking, so its writes and the report's reads cost the same
whatever number of check-ins was recorded before.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts.events.matches import MatchAccepted
from mentorship_contracts.events.participants import ParticipantWithdrawn
from mentorship_contracts.events.progress import (
    CheckInRecorded,
    ConfidenceDropped,
    SessionLogged,
)
from mentorship_runtime.logging import get_logger
from mentorship_runtime.principal import Principal
from progress.domain.errors import Forbidden
from progress.domain.report import (
    STOPPED_MARK,
    ProgressReport,
    moment_mark,
    progress_report,
    report_weeks,
    storable_module,
    tag,
    week_of,
)
from progress.service_layer.handlers import Context

log = get_logger("progress.report")


async def _mark(
    ctx: Context, event: Envelope[Any], mentee_id: str, **marks: dict[str, str]
) -> None:
    await ctx.reports.mark(
        program_id=event.data.program_id,
        mentee_id=mentee_id,
        week=week_of(event.occurred_at),
        **marks,
    )


async def on_check_in(event: Envelope[CheckInRecorded], ctx: Context) -> None:
    data = event.data
    at = moment_mark(event.occurred_at)
    if not storable_module(data.module_id):
        log.warning("report_module_id_skipped", module_id=data.module_id)
        await _mark(ctx, event, data.mentee_id, latest={"activity": at})
        return
    level = f"{at}|{data.confidence}|{tag(data.check_in_id)}"
    where = f"{data.assessed_by}.{data.module_id}"
    await _mark(
        ctx,
        event,
        data.mentee_id,
        latest={"activity": at, f"last.{where}": level},
        earliest={f"first.{where}": level},
    )


async def on_confidence_dropped(event: Envelope[ConfidenceDropped], ctx: Context) -> None:
    if event.data.check_in_id is None:
        return  # from a producer that did not name the check-in: it cannot be told apart
    drop = f"drops.{tag(event.data.check_in_id)}"
    await _mark(ctx, event, event.data.mentee_id, named={drop: "1"})


async def on_session_logged(event: Envelope[SessionLogged], ctx: Context) -> None:
    data = event.data
    await _mark(
        ctx,
        event,
        data.mentee_id,
        latest={"activity": moment_mark(event.occurred_at)},
        named={f"sessions.{tag(data.session_id)}": data.mentor_id or ""},
    )


async def on_activity(event: Envelope[Any], ctx: Context) -> None:
    """A milestone completed or reopened: activity, as the tracking counts it."""
    activity = moment_mark(event.occurred_at)
    await _mark(ctx, event, event.data.mentee_id, latest={"activity": activity})


async def on_path_completed(event: Envelope[Any], ctx: Context) -> None:
    await _mark(ctx, event, event.data.mentee_id, earliest={"done": moment_mark(event.occurred_at)})


async def on_match_accepted(event: Envelope[MatchAccepted], ctx: Context) -> None:
    data = event.data
    at = moment_mark(event.occurred_at)
    state = f"{at}|active|{data.mentor_id}"
    await _mark(ctx, event, data.mentee_id, latest={"state": state}, earliest={"started": at})


async def on_match_closed(event: Envelope[Any], ctx: Context) -> None:
    """Declined or ended: the mentee waits, unless a later acceptance says otherwise."""
    state = f"{moment_mark(event.occurred_at)}|paused"
    await _mark(ctx, event, event.data.mentee_id, latest={"state": state})


async def on_participant_withdrawn(event: Envelope[ParticipantWithdrawn], ctx: Context) -> None:
    """Final whenever it arrives; a mentor's withdrawal marks a mentee that never started."""
    await _mark(ctx, event, event.data.participant_id, latest={"state": STOPPED_MARK})


async def program_report(
    ctx: Context, actor: Principal, program_id: str, start: date, end: date
) -> ProgressReport:
    """The weeks from ``start``'s to ``end``'s and the figures now (the program's admins)."""
    weeks = report_weeks(start, end)
    program = await ctx.store.program(program_id)
    if not (actor.is_admin and program is not None and actor.user_id in program.admin_ids):
        raise Forbidden(f"only an admin of program {program_id!r} sees its report")
    marks = await ctx.reports.of_program(program_id)
    window = program.stall_window or ctx.stall_window
    return progress_report(marks, weeks=weeks, now=ctx.clock(), stall_window=window)
