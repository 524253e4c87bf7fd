"""The progress service's reads of a mentee's history in detail (for the gateway): milestones,
check-ins, a module's confidence series and sessions, page by page, and one check-in or session
by id. Each answer says how much the caller sees (``sight``): ``full`` (the mentee, their current
mentor) or ``figures`` (an admin of the program: every text a person wrote is null)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from progress.domain.history import ConfidencePoint, MilestoneLine, Sight
from progress.domain.tracking import CheckIn, MilestoneEntry, Session
from progress.entrypoints.http import Caller, Ctx
from progress.service_layer import history
from progress.service_layer.queries import MAX_PAGE

router = APIRouter()

MenteeId = Annotated[str, Path(max_length=64)]
First = Annotated[int, Query(ge=1, le=MAX_PAGE)]
After = Annotated[str | None, Query(max_length=400, description="a page's next_cursor")]


class SightOut(BaseModel):
    mentee_id: str
    sight: Sight


class MilestoneEntryOut(BaseModel):
    kind: str
    by: str
    at: datetime
    evidence: str | None
    reason: str | None

    @classmethod
    def of(cls, entry: MilestoneEntry) -> MilestoneEntryOut:
        return cls(
            kind=entry.kind, by=entry.by, at=entry.at, evidence=entry.evidence, reason=entry.reason
        )


class MilestoneOut(BaseModel):
    milestone_id: str
    module_id: str
    title: str
    done: bool
    completed_at: datetime | None
    completed_by: str | None
    evidence: str | None
    history: list[MilestoneEntryOut]

    @classmethod
    def of(cls, line: MilestoneLine) -> MilestoneOut:
        return cls(
            milestone_id=line.milestone_id,
            module_id=line.module_id,
            title=line.title,
            done=line.done,
            completed_at=line.completed_at,
            completed_by=line.completed_by,
            evidence=line.evidence,
            history=[MilestoneEntryOut.of(e) for e in line.history],
        )


class CheckInOut(BaseModel):
    check_in_id: str
    module_id: str
    confidence: int
    assessed_by: str
    note: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, check_in: CheckIn) -> CheckInOut:
        return cls(
            check_in_id=check_in.id,
            module_id=check_in.module_id,
            confidence=check_in.confidence,
            assessed_by=check_in.assessed_by,
            note=check_in.note,
            recorded_at=check_in.recorded_at,
        )


class PointOut(BaseModel):
    check_in_id: str
    recorded_at: datetime
    confidence: int
    assessed_by: str

    @classmethod
    def of(cls, point: ConfidencePoint) -> PointOut:
        return cls(
            check_in_id=point.check_in_id,
            recorded_at=point.recorded_at,
            confidence=point.confidence,
            assessed_by=point.assessed_by,
        )


class SessionOut(BaseModel):
    session_id: str
    held_on: date
    duration_minutes: int
    module_ids: list[str]
    notes: str | None
    logged_at: datetime
    mentee_rating: int | None
    mentor_rating: int | None

    @classmethod
    def of(cls, session: Session) -> SessionOut:
        return cls(
            session_id=session.id,
            held_on=session.held_on,
            duration_minutes=session.duration_minutes,
            module_ids=list(session.module_ids),
            notes=session.notes,
            logged_at=session.logged_at,
            mentee_rating=session.mentee_rating,
            mentor_rating=session.mentor_rating,
        )


class MilestonesPage(BaseModel):
    items: list[MilestoneOut]
    next_cursor: str | None


class CheckInsPage(BaseModel):
    items: list[CheckInOut]
    next_cursor: str | None


class SeriesPage(BaseModel):
    items: list[PointOut]
    next_cursor: str | None


class SessionsPage(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None


@router.get("/mentees/{mentee_id}/sight")
async def sight(mentee_id: MenteeId, caller: Caller, ctx: Ctx) -> SightOut:
    """How much of the mentee's history the caller sees (404 when nothing)."""
    return SightOut(mentee_id=mentee_id, sight=await history.sight(ctx, caller, mentee_id))


@router.get("/mentees/{mentee_id}/milestones")
async def milestones(
    mentee_id: MenteeId, caller: Caller, ctx: Ctx, first: First = 20, after: After = None
) -> MilestonesPage:
    """The milestones of the path version the mentee follows, in its order."""
    page = await history.milestones(ctx, caller, mentee_id, first=first, after=after)
    return MilestonesPage(
        items=[MilestoneOut.of(x) for x in page.items], next_cursor=page.next_cursor
    )


@router.get("/mentees/{mentee_id}/check-ins")
async def check_ins(
    mentee_id: MenteeId,
    caller: Caller,
    ctx: Ctx,
    module_id: Annotated[str | None, Query(max_length=64)] = None,
    first: First = 20,
    after: After = None,
) -> CheckInsPage:
    """Check-ins, newest first, of every module or of one."""
    page = await history.check_ins(
        ctx, caller, mentee_id, module_id=module_id, first=first, after=after
    )
    return CheckInsPage(items=[CheckInOut.of(x) for x in page.items], next_cursor=page.next_cursor)


@router.get("/mentees/{mentee_id}/check-ins/{check_in_id}")
async def check_in(
    mentee_id: MenteeId,
    check_in_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    ctx: Ctx,
) -> CheckInOut:
    return CheckInOut.of(await history.check_in(ctx, caller, mentee_id, check_in_id))


@router.get("/mentees/{mentee_id}/confidence/{module_id}")
async def confidence_series(
    mentee_id: MenteeId,
    module_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    ctx: Ctx,
    first: First = 20,
    after: After = None,
) -> SeriesPage:
    """One module's confidence levels, oldest first, by both assessors."""
    page = await history.confidence_series(
        ctx, caller, mentee_id, module_id=module_id, first=first, after=after
    )
    return SeriesPage(items=[PointOut.of(x) for x in page.items], next_cursor=page.next_cursor)


@router.get("/mentees/{mentee_id}/sessions")
async def sessions(
    mentee_id: MenteeId, caller: Caller, ctx: Ctx, first: First = 20, after: After = None
) -> SessionsPage:
    """Sessions, the latest held first."""
    page = await history.sessions(ctx, caller, mentee_id, first=first, after=after)
    return SessionsPage(items=[SessionOut.of(x) for x in page.items], next_cursor=page.next_cursor)


@router.get("/mentees/{mentee_id}/sessions/{session_id}")
async def session(
    mentee_id: MenteeId,
    session_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    ctx: Ctx,
) -> SessionOut:
    return SessionOut.of(await history.session(ctx, caller, mentee_id, session_id))
