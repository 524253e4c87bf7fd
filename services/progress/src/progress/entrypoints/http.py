"""The progress service's internal HTTP API, for the gateway: thin, it parses and hands over."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, status

from mentorship_runtime.auth import Principal, TokenVerifier, principal_dependency
from progress.adapters.store import Stored
from progress.domain.dashboards import count_by_status, program_overview
from progress.domain.errors import Forbidden, Invalid, NotFound
from progress.domain.views import progress_view
from progress.entrypoints import schemas as s
from progress.service_layer import handlers
from progress.service_layer.handlers import Context


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


Caller = Annotated[Principal, Depends(principal_dependency(_verifier))]


def _context(request: Request) -> Context:
    factory: Callable[[str | None], Context] = request.app.state.context
    return factory(request.headers.get("x-correlation-id"))


Ctx = Annotated[Context, Depends(_context)]
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


def _id(prefix: str, given: str | None, key: str | None, actor: Principal) -> str:
    if given:
        return given
    if key:
        return f"{prefix}_{uuid.uuid5(uuid.NAMESPACE_URL, f'{actor.user_id}:{key}').hex}"
    return f"{prefix}_{uuid.uuid4().hex}"


router = APIRouter()


def _view(stored: Stored, ctx: Context) -> s.ProgressOut:
    tracking = stored.tracking
    path = ctx.store.path(tracking.path_id, tracking.path_version)
    return s.ProgressOut.of(
        progress_view(tracking, path, now=ctx.clock(), stall_window=ctx.stall_window)
    )


async def _visible(ctx: Context, actor: Principal, found: list[Stored]) -> list[Stored]:
    admins = await ctx.store.admins_of(sorted({x.tracking.program_id for x in found}))
    visible = []
    for stored in found:
        try:
            handlers.require_visible(stored, actor, admins)
        except NotFound:
            continue
        visible.append(stored)
    return visible


@router.post("/mentees/{mentee_id}/check-ins", status_code=status.HTTP_201_CREATED)
async def check_in(
    mentee_id: str,
    body: s.CheckInIn,
    caller: Caller,
    ctx: Ctx,
    idempotency_key: IdempotencyKey = None,
) -> s.ProgressOut:
    stored = await handlers.record_check_in(
        ctx,
        caller,
        mentee_id,
        check_in_id=_id("ci", body.check_in_id, idempotency_key, caller),
        module_id=body.module_id,
        confidence=body.confidence,
        note=body.note,
    )
    return _view(stored, ctx)


@router.post("/mentees/{mentee_id}/milestones/{milestone_id}/complete")
async def complete(
    mentee_id: str, milestone_id: str, body: s.MilestoneIn, caller: Caller, ctx: Ctx
) -> s.ProgressOut:
    stored = await handlers.complete_milestone(ctx, caller, mentee_id, milestone_id, body.evidence)
    return _view(stored, ctx)


@router.post("/mentees/{mentee_id}/milestones/{milestone_id}/reopen")
async def reopen(
    mentee_id: str, milestone_id: str, body: s.ReopenIn, caller: Caller, ctx: Ctx
) -> s.ProgressOut:
    stored = await handlers.reopen_milestone(ctx, caller, mentee_id, milestone_id, body.reason)
    return _view(stored, ctx)


@router.post("/mentees/{mentee_id}/sessions", status_code=status.HTTP_201_CREATED)
async def log_session(
    mentee_id: str,
    body: s.SessionIn,
    caller: Caller,
    ctx: Ctx,
    idempotency_key: IdempotencyKey = None,
) -> s.ProgressOut:
    stored = await handlers.log_session(
        ctx,
        caller,
        mentee_id,
        session_id=_id("ss", body.session_id, idempotency_key, caller),
        held_on=body.held_on,
        duration_minutes=body.duration_minutes,
        module_ids=list(body.module_ids),
        notes=body.notes,
        rating=body.rating,
    )
    return _view(stored, ctx)


@router.get("/mentees/{mentee_id}/progress")
async def progress_of(mentee_id: str, caller: Caller, ctx: Ctx) -> s.ProgressOut:
    visible = await _visible(ctx, caller, [await ctx.store.get(mentee_id)])
    if not visible:
        raise NotFound("mentee", mentee_id)
    return _view(visible[0], ctx)


@router.get("/progress")
async def progress_batch(
    caller: Caller,
    ctx: Ctx,
    mentee_ids: Annotated[
        str, Query(max_length=20_000, description="comma-separated, at most 500")
    ],
) -> list[s.ProgressOut]:
    ids = [i for i in mentee_ids.split(",") if i]
    if len(ids) > 500:
        raise Invalid("mentee_ids", "at most 500 ids per call")
    found = await _visible(ctx, caller, await ctx.store.many(ids))
    return [_view(x, ctx) for x in found]


@router.get("/mentors/me/mentees")
async def my_mentees(caller: Caller, ctx: Ctx) -> dict[str, Any]:
    views = [_view(x, ctx) for x in await ctx.store.of_mentor(caller.user_id)]
    counts: dict[str, int] = {}
    for view in views:
        counts[view.status] = counts.get(view.status, 0) + 1
    return {"by_status": counts, "mentees": views}


@router.get("/programs/{program_id}/health")
async def program_health(program_id: str, caller: Caller, ctx: Ctx) -> s.HealthOut:
    admins = await ctx.store.admins_of([program_id])
    if not (caller.is_admin and caller.user_id in admins.get(program_id, set())):
        raise Forbidden(f"only an admin of program {program_id!r} sees its health")
    trackings = await ctx.store.of_program(program_id)
    views = [
        progress_view(
            x.tracking,
            ctx.store.path(x.tracking.path_id, x.tracking.path_version),
            now=ctx.clock(),
            stall_window=ctx.stall_window,
        )
        for x in trackings
    ]
    paths = {(x.tracking.path_id, x.tracking.path_version) for x in trackings}
    funnel: list[dict[str, object]] = []
    if len(paths) == 1:
        overview = program_overview(views, ctx.store.path(*paths.pop()))
        funnel = [
            {"module_id": f.module_id, "title": f.title, "completed": f.completed}
            for f in overview.funnel
        ]
    return s.HealthOut(
        program_id=program_id,
        mentees=len(views),
        by_status={k.value: v for k, v in count_by_status(views).items()},
        funnel=funnel,
    )


@router.get("/learning-paths/{path_id}")
async def learning_path(path_id: str, caller: Caller, ctx: Ctx) -> s.PathOut:
    return s.PathOut.of(ctx.store.path(path_id))
