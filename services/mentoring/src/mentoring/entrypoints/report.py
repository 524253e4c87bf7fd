"""The internal HTTP route of a program's report (funnel, time to match, mentors' load)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from mentoring.domain.report import FunnelReport
from mentoring.entrypoints.http import Caller, Ctx
from mentoring.service_layer import report

router = APIRouter()


class FunnelStepOut(BaseModel):
    stage: str
    count: int
    conversion: float | None


class TimeToMatchOut(BaseModel):
    matched: int
    median_hours: float | None
    mean_hours: float | None


class MentorLoadOut(BaseModel):
    mentor_id: str
    display_name: str
    capacity: int
    active: int
    proposed: int
    load: float | None


class FunnelReportOut(BaseModel):
    program_id: str
    funnel: list[FunnelStepOut]
    time_to_match: TimeToMatchOut
    mentors: list[MentorLoadOut]

    @classmethod
    def of(cls, program_id: str, found: FunnelReport) -> FunnelReportOut:
        ttm = found.time_to_match
        return cls(
            program_id=program_id,
            funnel=[
                FunnelStepOut(stage=s.stage, count=s.count, conversion=s.conversion)
                for s in found.funnel
            ],
            time_to_match=TimeToMatchOut(
                matched=ttm.matched, median_hours=ttm.median_hours, mean_hours=ttm.mean_hours
            ),
            mentors=[
                MentorLoadOut(
                    mentor_id=m.mentor.id,
                    display_name=m.mentor.display_name,
                    capacity=m.mentor.capacity,
                    active=m.active,
                    proposed=m.proposed,
                    load=m.load,
                )
                for m in found.mentors
            ],
        )


@router.get("/programs/{program_id}/report")
async def program_report(
    program_id: Annotated[str, Path(max_length=64)],
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    caller: Caller,
    ctx: Ctx,
) -> FunnelReportOut:
    """The funnel of the mentees registered from ``from`` to ``to`` (both included), their time
    to match, and the program's mentors' load now (its admins)."""
    found = await report.program_report(ctx, caller, program_id, start, end)
    return FunnelReportOut.of(program_id, found)
