"""The progress service's internal HTTP API, for the gateway: thin, it parses and hands over.

Every creating route (check-ins, sessions, learning paths and their versions) takes an
``Idempotency-Key`` header (``mentorship_runtime.idempotency``). With a key, a check-in or
session gets an id derived from the caller and the key (unless the body names its own id; a path
is named by its body), and the key is bound in a ``KeyLedger`` to the request (path parameters
and body): what these routes create lives inside a tracking or a path, where no fingerprint of
the request is kept. The same request again creates nothing new and answers as the first time;
another request with the key is a 409."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from mentorship_runtime.auth import TokenVerifier, principal_dependency
from mentorship_runtime.idempotency import IdempotencyKey, KeyLedger
from mentorship_runtime.principal import Principal
from mentorship_runtime.request_keys import derived_id, fingerprint
from progress.domain.errors import Invalid
from progress.domain.translations import in_language, title_in_language
from progress.entrypoints import schemas as s
from progress.service_layer import commands, handlers, queries
from progress.service_layer.handlers import Context
from progress.service_layer.ports import Stored


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


Caller = Annotated[Principal, Depends(principal_dependency(_verifier))]


def _context(request: Request) -> Context:
    factory: Callable[[str | None], Context] = request.app.state.context
    return factory(request.headers.get("x-correlation-id"))


Ctx = Annotated[Context, Depends(_context)]
ReaderLanguage = Annotated[
    Literal["en", "fr"] | None, Query(description="The reader's language (else the path's own).")
]
IDEMPOTENCY_KEYS = "idempotency_keys"


def _ledger(request: Request) -> KeyLedger:
    runtime = request.app.state.service.runtime
    return KeyLedger(runtime.database[IDEMPOTENCY_KEYS], clock=runtime.clock)


Ledger = Annotated[KeyLedger, Depends(_ledger)]


def _key_id(prefix: str, key: str | None, actor: Principal) -> str:
    """The id a key gives what ``actor`` creates with it (its ledger entry's id too)."""
    if key is None:
        return f"{prefix}_{uuid.uuid4().hex}"
    return derived_id(prefix, key, actor.user_id, namespace=uuid.NAMESPACE_URL)


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
    ledger: Ledger,
    idempotency_key: IdempotencyKey,
) -> s.ProgressOut:
    key_id = _key_id("ci", idempotency_key, caller)
    check_in_id = body.check_in_id or key_id
    request = fingerprint(["check-in", mentee_id, body.model_dump(mode="json")])
    async with ledger.bound(
        idempotency_key, key_id, request, creates=f"check-in {check_in_id!r} of {mentee_id!r}"
    ):
        command = commands.RecordCheckIn(
            actor=caller,
            mentee_id=mentee_id,
            check_in_id=check_in_id,
            module_id=body.module_id,
            confidence=body.confidence,
            note=body.note,
        )
        stored = await handlers.record_check_in(command, ctx)
    return await _view(stored, ctx, caller)


@router.post("/mentees/{mentee_id}/milestones/{milestone_id}/complete")
async def complete(
    mentee_id: str, milestone_id: str, body: s.MilestoneIn, caller: Caller, ctx: Ctx
) -> s.ProgressOut:
    command = commands.CompleteMilestone(caller, mentee_id, milestone_id, body.evidence)
    stored = await handlers.complete_milestone(command, ctx)
    return await _view(stored, ctx, caller)


@router.post("/mentees/{mentee_id}/milestones/{milestone_id}/reopen")
async def reopen(
    mentee_id: str, milestone_id: str, body: s.ReopenIn, caller: Caller, ctx: Ctx
) -> s.ProgressOut:
    command = commands.ReopenMilestone(caller, mentee_id, milestone_id, body.reason)
    stored = await handlers.reopen_milestone(command, ctx)
    return await _view(stored, ctx, caller)


@router.post("/mentees/{mentee_id}/sessions", status_code=status.HTTP_201_CREATED)
async def log_session(
    mentee_id: str,
    body: s.SessionIn,
    caller: Caller,
    ctx: Ctx,
    ledger: Ledger,
    idempotency_key: IdempotencyKey,
) -> s.ProgressOut:
    key_id = _key_id("ss", idempotency_key, caller)
    session_id = body.session_id or key_id
    request = fingerprint(["session", mentee_id, body.model_dump(mode="json")])
    async with ledger.bound(
        idempotency_key, key_id, request, creates=f"session {session_id!r} of {mentee_id!r}"
    ):
        command = commands.LogSession(
            actor=caller,
            mentee_id=mentee_id,
            session_id=session_id,
            held_on=body.held_on,
            duration_minutes=body.duration_minutes,
            module_ids=tuple(body.module_ids),
            notes=body.notes,
            rating=body.rating,
        )
        stored = await handlers.log_session(command, ctx)
    return await _view(stored, ctx, caller)


@router.put("/mentees/{mentee_id}/sessions/{session_id}/rating")
async def rate_session(
    mentee_id: str, session_id: str, body: s.RatingIn, caller: Caller, ctx: Ctx
) -> s.RatingOut:
    """The caller rates a session on their side: the mentee's rating, or the mentor's."""
    command = commands.RateSession(caller, mentee_id, session_id, body.rating)
    stored, role = await handlers.rate_session(command, ctx)
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
async def learning_paths(
    caller: Caller, ctx: Ctx, language: ReaderLanguage = None
) -> list[s.PathSummaryOut]:
    """Each path with its latest version, titled in ``language`` where the platform can."""
    return [
        s.PathSummaryOut(
            id=p.path_id,
            title=title_in_language(p.path_id, p.title, language),
            latest_version=p.version,
        )
        for p in await queries.learning_paths(ctx)
    ]


@router.get("/learning-paths/{path_id}")
async def learning_path(
    path_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    ctx: Ctx,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    language: ReaderLanguage = None,
) -> s.PathOut:
    """The latest version of a path, or the one asked for, in ``language`` where the platform
    has its texts in it (else in the path's own language)."""
    return s.PathOut.of(in_language(await queries.learning_path(ctx, path_id, version), language))


@router.post("/learning-paths", status_code=status.HTTP_201_CREATED)
async def create_learning_path(
    body: s.PathIn, caller: Caller, ctx: Ctx, ledger: Ledger, idempotency_key: IdempotencyKey
) -> s.PathOut:
    """A new path (admins only), as its version 1. The same path again answers it again."""
    request = fingerprint(["learning-path", body.model_dump(mode="json")])
    key_id = _key_id("lp", idempotency_key, caller)
    async with ledger.bound(idempotency_key, key_id, request, creates=f"learning path {body.id!r}"):
        command = commands.CreatePath(caller, body.id, body.title, body.specs())
        path = await handlers.create_path(command, ctx)
    return s.PathOut.of(path)


@router.post(
    "/learning-paths/{path_id}/versions",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": s.PathOut,
            "description": "The same content as the latest version: nothing new, that version",
        }
    },
)
async def publish_learning_path_version(
    path_id: Annotated[str, Path(max_length=64)],
    body: s.PathVersionIn,
    caller: Caller,
    ctx: Ctx,
    response: Response,
    ledger: Ledger,
    idempotency_key: IdempotencyKey,
) -> s.PathOut:
    """The next version of a path (admins only); mentees stay on the version they follow, new
    enrolments get this one. The same content as the latest version creates nothing (200).

    With a key, the version it published is kept in the ledger: a retry answers that version
    with the first status, even when other versions were published since."""
    request = fingerprint(["learning-path-version", path_id, body.model_dump(mode="json")])
    key_id = _key_id("lpv", idempotency_key, caller)
    async with ledger.bound(
        idempotency_key, key_id, request, creates=f"a version of learning path {path_id!r}"
    ) as binding:
        if binding.result is not None:
            path = await queries.learning_path(ctx, path_id, binding.result["version"])
            created = bool(binding.result["created"])
        else:
            command = commands.PublishPathVersion(caller, path_id, body.title, body.specs())
            path, created = await handlers.publish_path_version(command, ctx)
            await binding.keep({"version": path.version, "created": created})
    if not created:
        response.status_code = status.HTTP_200_OK
    return s.PathOut.of(path)
