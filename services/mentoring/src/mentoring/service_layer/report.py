"""A program's report (its admins): the funnel of the mentees registered in a period, their time
to match, and the load of its mentors now. Two queries, as a roster page: the program's
participants and its matches, each by ``program_id``."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from mentoring.domain.errors import Invalid
from mentoring.domain.report import FunnelReport, funnel_report
from mentoring.service_layer.handlers import Context, require_admin
from mentorship_runtime.principal import Principal

MAX_WEEKS = 53


def require_period(start: date, end: date) -> None:
    """``start`` not after ``end``, within at most 53 ISO weeks (as progress's weekly counts)."""
    if start > end:
        raise Invalid("from", "must not be after to")
    first = start - timedelta(days=start.weekday())
    last = end - timedelta(days=end.weekday())
    weeks = (last - first).days // 7 + 1
    if weeks > MAX_WEEKS:
        raise Invalid("to", f"a report covers at most {MAX_WEEKS} weeks, not {weeks}")


async def program_report(
    ctx: Context, actor: Principal, program_id: str, start: date, end: date
) -> FunnelReport:
    require_period(start, end)
    program = await ctx.store.program(program_id)
    require_admin(program, actor)
    people, matches = await asyncio.gather(
        ctx.roster.program_participants(program.id),
        ctx.roster.program_match_facts(program.id),
    )
    return funnel_report(people, matches, start=start, end=end)
