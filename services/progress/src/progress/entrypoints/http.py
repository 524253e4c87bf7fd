"""The progress service's internal HTTP API, for the gateway: thin, it parses and hands over."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from mentorship_runtime.auth import Principal, TokenVerifier, principal_dependency
from progress.adapters.store import Stored
from progress.domain.errors import Invalid
from progress.entrypoints import schemas as s
from progress.service_layer import handlers, queries
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


async def _view(stored: Stored, ctx: Context, caller: Principal) -> s.ProgressOut:
    """The progress of whoever just acted (they may see it: only the mentee and mentor act)."""
    return s.ProgressOut.of(await queries.progress_of(ctx, caller, stored.tracking.mentee_id))


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
    return await _view(stored, ctx, caller)


@router.post("/mentees/{mentee_id}/milestones/{milestone_id}/complete")
async def complete(
    mentee_id: str, milestone_id: str, body: s.MilestoneIn, caller: Caller, ctx: Ctx
) -> s.ProgressOut:
    stored = await handlers.complete_milestone(ctx, caller, mentee_id, milestone_id, body.evidence)
    return await _view(stored, ctx, caller)


@router.post("/mentees/{mentee_id}/milestones/{milestone_id}/reopen")
async def reopen(
    mentee_id: str, milestone_id: str, body: s.ReopenIn, caller: Caller, ctx: Ctx
) -> s.ProgressOut:
    stored = await handlers.reopen_milestone(ctx, caller, mentee_id, milestone_id, body.reason)
    return await _view(stored, ctx, caller)


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
    return await _view(stored, ctx, caller)


@router.put("/mentees/{mentee_id}/sessions/{session_id}/rating")
async def rate_session(
    mentee_id: str, session_id: str, body: s.RatingIn, caller: Caller, ctx: Ctx
) -> s.RatingOut:
    """The caller rates a session on their side: the mentee's rating, or the mentor's."""
    stored, role = await handlers.rate_session(ctx, caller, mentee_id, session_id, body.rating)
    session = next(x for x in stored.tracking.sessions if x.id == session_id)
    return s.RatingOut(
        session_id=session_id,
        rated_by=role,
        mentee_rating=session.mentee_rating,
        mentor_rating=session.mentor_rating,
    )


@router.get("/mentees/{mentee_id}/progress")
async def progress_of(mentee_id: str, caller: Caller, ctx: Ctx) -> s.ProgressOut:
    return s.ProgressOut.of(await queries.progress_of(ctx, caller, mentee_id))


@router.get("/progress")
async def progress_batch(
    caller: Caller,
    ctx: Ctx,
    mentee_id: Annotated[
        list[Annotated[str, Query(max_length=64)]] | None,
        Query(description=f"repeat for each mentee, at most {queries.MAX_BATCH}"),
    ] = None,
    mentee_ids: Annotated[
        str | None, Query(max_length=40_000, description="comma-separated, the same ids")
    ] = None,
) -> list[s.ProgressOut]:
    """Many mentees in one call; ids that are unknown, or that the caller may not see, are
    absent from the answer."""
    ids = [*(mentee_id or []), *(i for i in (mentee_ids or "").split(",") if i)]
    if not ids:
        raise Invalid("mentee_id", "give at least one mentee id")
    return [s.ProgressOut.of(v) for v in await queries.progress_batch(ctx, caller, ids)]


@router.get("/mentors/{mentor}/mentees")
async def mentees_of(
    caller: Caller,
    ctx: Ctx,
    mentor: Annotated[str, Path(max_length=64, description="'me', or a mentor's participant id")],
    first: Annotated[int, Query(ge=1, le=queries.MAX_PAGE)] = 20,
    after: Annotated[str | None, Query(max_length=400)] = None,
) -> s.MenteesPageOut:
    """A mentor's current mentees at a glance, page by page (``after``: the ``next_cursor``
    of the previous page). Admins look at another mentor's mentees in their own programs."""
    mentor_id = None if mentor == "me" else mentor
    page = await queries.mentees_of(ctx, caller, mentor_id, first=first, after=after)
    return s.MenteesPageOut.of(page.items, page.next_cursor, page.by_status)


@router.get("/programs/{program_id}/health")
async def program_health(program_id: str, caller: Caller, ctx: Ctx) -> s.HealthOut:
    return s.HealthOut.of(program_id, await queries.program_health(ctx, caller, program_id))


# ---- learning paths -------------------------------------------------------------------------


@router.get("/learning-paths")
async def learning_paths(caller: Caller, ctx: Ctx) -> list[s.PathSummaryOut]:
    return [
        s.PathSummaryOut(id=d["path_id"], title=d["title"], latest_version=d["version"])
        for d in await ctx.store.path_summaries()
    ]


@router.get("/learning-paths/{path_id}")
async def learning_path(
    path_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    ctx: Ctx,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> s.PathOut:
    """The latest version of a path, or the one asked for."""
    return s.PathOut.of(await ctx.store.path(path_id, version))


@router.post("/learning-paths", status_code=status.HTTP_201_CREATED)
async def create_learning_path(body: s.PathIn, caller: Caller, ctx: Ctx) -> s.PathOut:
    """A new path (admins only), as its version 1."""
    path = await handlers.create_path(
        ctx, caller, path_id=body.id, title=body.title, modules=body.specs()
    )
    return s.PathOut.of(path)


@router.post("/learning-paths/{path_id}/versions", status_code=status.HTTP_201_CREATED)
async def publish_learning_path_version(
    path_id: Annotated[str, Path(max_length=64)],
    body: s.PathVersionIn,
    caller: Caller,
    ctx: Ctx,
    response: Response,
) -> s.PathOut:
    """The next version of a path (admins only); mentees stay on the version they follow, new
    enrolments get this one. The same content as the latest version creates nothing (200)."""
    path, created = await handlers.publish_path_version(
        ctx, caller, path_id=path_id, title=body.title, modules=body.specs()
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return s.PathOut.of(path)
