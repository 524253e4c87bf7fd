"""A program's report (its admins): the route. (The subscriptions feeding its read model are in
``entrypoints.consumers``.)"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from progress.domain.report import ProgressReport
from progress.entrypoints.http import Caller, Ctx
from progress.service_layer import report

router = APIRouter()


class WeekOut(BaseModel):
    week: date
    by_status: dict[str, int]


class ModuleConfidenceOut(BaseModel):
    module_id: str
    assessed_by: str
    mentees: int
    at_start: float
    now: float


class ReportOut(BaseModel):
    program_id: str
    weeks: list[WeekOut]
    confidence: list[ModuleConfidenceOut]
    active_matches: int
    sessions_in_active_matches: int

    @classmethod
    def of(cls, program_id: str, found: ProgressReport) -> ReportOut:
        return cls(
            program_id=program_id,
            weeks=[
                WeekOut(week=w.week, by_status={k.value: v for k, v in w.counts.items()})
                for w in found.weeks
            ],
            confidence=[
                ModuleConfidenceOut(
                    module_id=c.module_id,
                    assessed_by=c.assessed_by,
                    mentees=c.mentees,
                    at_start=c.at_start,
                    now=c.now,
                )
                for c in found.confidence
            ],
            active_matches=found.active_matches,
            sessions_in_active_matches=found.sessions_in_active_matches,
        )


@router.get("/programs/{program_id}/report")
async def program_report(
    program_id: Annotated[str, Path(max_length=64)],
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    caller: Caller,
    ctx: Ctx,
) -> ReportOut:
    """Mentees by status at the end of each week from ``from``'s to ``to``'s (at most 53), the
    confidence per module at the start and now, and the sessions of the active matches."""
    found = await report.program_report(ctx, caller, program_id, start, end)
    return ReportOut.of(program_id, found)
