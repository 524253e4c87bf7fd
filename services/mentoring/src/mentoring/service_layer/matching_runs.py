"""Reviewable matching: a preview that proposes nothing, and the stored reports read again.

A preview runs the same engine on the same cohort as a run (``cohorts``) and stores its report
(``preview: true``), but writes no match and publishes no event, so nobody is told anything.
It is allowed in a draft program too, to review the matching before the program opens. Reports
are read by a program's admins only; to anyone else a report is missing, as a match they may
not see is.
"""

from __future__ import annotations

from mentoring.domain import matching as engine
from mentoring.domain.errors import Conflict, Invalid, NotFound
from mentoring.service_layer import audit, cohorts
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.candidates import policy_of
from mentoring.service_layer.handlers import Context, new_id, require_admin
from mentoring.service_layer.ports import ReportBlockingPair, ReportPair, RunSummary
from mentorship_runtime.moments import as_stored
from mentorship_runtime.principal import Principal

PAGED_SECTIONS = {"pairs", "blocking"}


async def preview_matching(c: cmd.PreviewMatching, ctx: Context) -> cohorts.Report:
    program = await ctx.store.program(c.program_id)
    require_admin(program, c.actor)
    if not program.accepts_participants:
        raise Conflict(f"program {program.id!r} is {program.status.value}: no matching now")
    now = as_stored(ctx.clock())
    cohort = await cohorts.cohort_of(program, now, ctx.store)
    result = engine.match_cohort(cohort.mentees, cohort.mentors, policy_of(program), c.objective)
    summary, sections = cohorts.report_of(
        run_id=new_id("run"),
        program=program,
        objective=c.objective,
        actor=c.actor,
        now=now,
        cohort=cohort,
        result=result,
        preview=True,
        proposed={},
    )
    return await cohorts.stored(
        summary, sections, ctx.reports, [audit.matching_reported(ctx, summary)]
    )


async def _visible(actor: Principal, run_id: str, ctx: Context) -> RunSummary:
    summary = await ctx.reports.summary(run_id)
    if summary is None:
        raise NotFound("matching run", run_id)
    program = await ctx.store.program(summary.program_id)
    if not (actor.is_admin and program.is_admin(actor.user_id)):
        raise NotFound("matching run", run_id)
    return summary


async def matching_run(ctx: Context, actor: Principal, run_id: str) -> cohorts.Report:
    return await cohorts.read_back(await _visible(actor, run_id, ctx), ctx.reports)


async def run_entries(
    ctx: Context, actor: Principal, run_id: str, section: str, first: int, after: str | None
) -> tuple[list[ReportPair] | list[ReportBlockingPair], str | None]:
    """A page of a report's pairs or blocking pairs; the cursor is the next entry's position."""
    if section not in PAGED_SECTIONS:
        raise Invalid("section", f"one of {sorted(PAGED_SECTIONS)}")
    offset = 0
    if after is not None:
        if not after.isdigit() or len(after) > 9:
            raise Invalid("after", "not a cursor returned by this API")
        offset = int(after)
    summary = await _visible(actor, run_id, ctx)
    items: list[ReportPair] | list[ReportBlockingPair]
    if section == "pairs":
        items = await ctx.reports.pairs(summary, offset, first)
    else:
        items = await ctx.reports.blocking(summary, offset, first)
    size = (summary.sizes or {}).get(section, 0)
    end = offset + len(items)
    return items, str(end) if end < size else None


async def matching_runs(
    ctx: Context,
    actor: Principal,
    program_id: str,
    first: int,
    after: str | None,
    *,
    previews: bool = True,
) -> tuple[list[cohorts.Report], str | None]:
    """A program's reports, newest first (its admins; anyone else gets ``NotFound``)."""
    program = await ctx.store.program(program_id)
    if not (actor.is_admin and program.is_admin(actor.user_id)):
        raise NotFound("program", program_id)
    found, cursor = await ctx.reports.of_program(
        program_id, first=first, after=after, previews=previews
    )
    return [await cohorts.read_back(s, ctx.reports) for s in found], cursor
