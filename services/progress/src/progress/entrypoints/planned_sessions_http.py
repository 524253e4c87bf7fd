"""The HTTP routes of planned sessions, for the gateway: plan (with an ``Idempotency-Key``),
reschedule, cancel, confirm as held, and a mentee's planned sessions a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import Field, StrictInt, StringConstraints

from mentorship_runtime.idempotency import IdempotencyKey
from mentorship_runtime.request_keys import fingerprint
from progress.domain.planned_sessions import PlannedSession, Schedule, When, schedule_of
from progress.entrypoints.http import Caller, Ctx, Ledger, _key_id
from progress.entrypoints.schemas import Id, Strict, Text
from progress.service_layer import commands
from progress.service_layer import planned_sessions as use
from progress.service_layer.handlers import Context
from progress.service_layer.queries import MAX_PAGE

LocalStart = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Zone = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Place = Annotated[str, StringConstraints(max_length=1000)]
Link = Annotated[str, StringConstraints(max_length=2000)]
PlannedId = Annotated[str, Path(max_length=64)]


class ScheduleIn(Strict):
    local_start: LocalStart = Field(
        description="the wall-clock start where the session is held, e.g. 2027-01-12T14:30"
    )
    time_zone: Zone = Field(description="an IANA time zone, e.g. Europe/Paris")
    duration_minutes: StrictInt = Field(description="5 to 480")
    location: Place | None = None
    video_url: Link | None = Field(default=None, description="an https:// meeting link")
    module_ids: list[Id] = Field(default_factory=list, max_length=20)

    def schedule(self) -> Schedule:
        return schedule_of(
            local_start=self.local_start,
            time_zone=self.time_zone,
            duration_minutes=self.duration_minutes,
            location=self.location,
            video_url=self.video_url,
            module_ids=self.module_ids,
        )


class PlanIn(ScheduleIn):
    planned_session_id: Id | None = Field(default=None, description="your id, for safe retries")


class CancelIn(Strict):
    reason: Text | None = None


class ConfirmIn(Strict):
    notes: Text | None = None
    rating: StrictInt | None = Field(default=None, ge=1, le=5)


class PlannedSessionOut(Strict):
    id: str
    mentee_id: str
    mentor_id: str
    program_id: str
    status: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    local_start: str
    duration_minutes: int
    location: str | None
    video_url: str | None
    module_ids: list[str]
    planned_by: str
    changed_by: str
    cancel_reason: str | None
    unconfirmed: bool = Field(description="scheduled, its end passed, not confirmed held")

    @classmethod
    def of(cls, session: PlannedSession, now: datetime) -> PlannedSessionOut:
        schedule = session.schedule
        return cls(
            id=session.id,
            mentee_id=session.mentee_id,
            mentor_id=session.mentor_id,
            program_id=session.program_id,
            status=session.status.value,
            sequence=session.sequence,
            starts_at=schedule.starts_at,
            ends_at=schedule.ends_at,
            time_zone=schedule.time_zone,
            local_start=schedule.local_start.strftime("%Y-%m-%dT%H:%M"),
            duration_minutes=schedule.duration_minutes,
            location=schedule.location,
            video_url=schedule.video_url,
            module_ids=list(schedule.module_ids),
            planned_by=session.planned_by,
            changed_by=session.changed_by,
            cancel_reason=session.cancel_reason,
            unconfirmed=session.status.value == "scheduled" and schedule.ends_at <= now,
        )


router = APIRouter()


def _out(session: PlannedSession, ctx: Context) -> PlannedSessionOut:
    return PlannedSessionOut.of(session, ctx.clock())


@router.post("/mentees/{mentee_id}/planned-sessions", status_code=status.HTTP_201_CREATED)
async def plan_session(
    mentee_id: Annotated[str, Path(max_length=64)],
    body: PlanIn,
    caller: Caller,
    ctx: Ctx,
    ledger: Ledger,
    idempotency_key: IdempotencyKey,
) -> PlannedSessionOut:
    """Plan a session with the mentee's current mentor (the mentee or that mentor)."""
    key_id = _key_id("ps", idempotency_key, caller)
    planned_id = body.planned_session_id or key_id
    request = fingerprint(["planned-session", mentee_id, body.model_dump(mode="json")])
    async with ledger.bound(
        idempotency_key, key_id, request, creates=f"planned session {planned_id!r}"
    ):
        command = commands.PlanSession(caller, mentee_id, planned_id, body.schedule())
        session = await use.plan_session(command, ctx)
    return _out(session, ctx)


class PlannedPageOut(Strict):
    items: list[PlannedSessionOut]
    next_cursor: str | None


@router.get("/mentees/{mentee_id}/planned-sessions")
async def planned_sessions(
    mentee_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    ctx: Ctx,
    when: When = When.UPCOMING,
    first: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    after: Annotated[str | None, Query(max_length=400, description="a page's next_cursor")] = None,
) -> PlannedPageOut:
    """A page of a mentee's planned sessions: ``upcoming`` (not started yet, the earliest
    first) or ``past`` (started, the latest first), every status; for the mentee and their
    current mentor, a 404 for anyone else."""
    page = await use.planned_of(ctx, caller, mentee_id, when=when, first=first, after=after)
    return PlannedPageOut(items=[_out(p, ctx) for p in page.items], next_cursor=page.next_cursor)


@router.get("/planned-sessions/{planned_session_id}")
async def planned_session(
    planned_session_id: PlannedId, caller: Caller, ctx: Ctx
) -> PlannedSessionOut:
    """One planned session: for the mentee and their current mentor; a 404 for anyone else."""
    return _out(await use.planned_session(ctx, caller, planned_session_id), ctx)


@router.put("/planned-sessions/{planned_session_id}")
async def reschedule(
    planned_session_id: PlannedId, body: ScheduleIn, caller: Caller, ctx: Ctx
) -> PlannedSessionOut:
    """Move a planned session or change its place, link, duration or modules."""
    command = commands.RescheduleSession(caller, planned_session_id, body.schedule())
    session = await use.reschedule_session(command, ctx)
    return _out(session, ctx)


@router.post("/planned-sessions/{planned_session_id}/cancel")
async def cancel(
    planned_session_id: PlannedId, body: CancelIn, caller: Caller, ctx: Ctx
) -> PlannedSessionOut:
    command = commands.CancelSession(caller, planned_session_id, body.reason)
    session = await use.cancel_session(command, ctx)
    return _out(session, ctx)


@router.post("/planned-sessions/{planned_session_id}/held")
async def confirm_held(
    planned_session_id: PlannedId, body: ConfirmIn, caller: Caller, ctx: Ctx
) -> PlannedSessionOut:
    """Say the session took place (after its start): it is logged as a session."""
    command = commands.ConfirmHeld(caller, planned_session_id, body.notes, body.rating)
    session = await use.confirm_held(command, ctx)
    return _out(session, ctx)
