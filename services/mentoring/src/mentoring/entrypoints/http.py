"""The internal HTTP API, called by the gateway. Thin: parse, build a command, hand it over.

Every creating route (programs, participants, matches, matching runs) takes an
``Idempotency-Key`` header: see ``mentorship_runtime.idempotency``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import JSONResponse

from mentoring.domain.errors import AlreadyRegistered, Invalid, NotFound
from mentoring.domain.participants import WeeklySlot
from mentoring.domain.programs import ProgramStatus
from mentoring.entrypoints import schemas as s
from mentoring.entrypoints.run_schemas import RunOut
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import governance, handlers, queries
from mentoring.service_layer.handlers import Context
from mentorship_runtime.auth import TokenVerifier, principal_dependency
from mentorship_runtime.idempotency import IdempotencyKey
from mentorship_runtime.principal import Principal

MAX_PAGE = 100
IdsQuery = Annotated[str, Query(max_length=20_000, description="comma-separated ids (at most 500)")]


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


Caller = Annotated[Principal, Depends(principal_dependency(_verifier))]


def _context(request: Request) -> Context:
    factory: Callable[[str | None], Context] = request.app.state.context
    return factory(request.headers.get("x-correlation-id"))


Ctx = Annotated[Context, Depends(_context)]


def _ids(raw: str) -> list[str]:
    ids = [part for part in raw.split(",") if part]
    if len(ids) > 500:
        raise Invalid("ids", "at most 500 ids per call")
    return ids


router = APIRouter()


async def already_registered(_: Request, exc: Exception) -> JSONResponse:
    """A second registration of a person in a program: 409, naming their participant id."""
    assert isinstance(exc, AlreadyRegistered)
    return JSONResponse({"detail": str(exc), "participant_id": exc.participant_id}, 409)


# ---- programs -------------------------------------------------------------------------------


@router.post("/programs", status_code=status.HTTP_201_CREATED, response_model=s.ProgramOut)
async def create_program(
    body: s.ProgramIn, caller: Caller, ctx: Ctx, idempotency_key: IdempotencyKey
) -> s.ProgramOut:
    program = await handlers.create_program(
        cmd.CreateProgram(
            actor=caller,
            name=body.name,
            description=body.description,
            learning_path_id=body.learning_path_id,
            weights=s.weight_pairs(body.weights),
            department_preference=body.department_preference,
            proposal_expiry_days=body.proposal_expiry_days,
            default_mentor_capacity=body.default_mentor_capacity,
            status=ProgramStatus(body.status),
            stall_window_days=body.stall_window_days,
            mutual_acceptance=body.mutual_acceptance,
            check_in_reminder_days=body.check_in_reminder_days,
            idempotency_key=idempotency_key,
        ),
        ctx,
    )
    return s.ProgramOut.of(program)


@router.get("/programs", response_model=list[s.ProgramOut])
async def list_programs(
    caller: Caller,
    ctx: Ctx,
    ids: IdsQuery | None = None,
    first: int = Query(50, ge=1, le=MAX_PAGE),
    after: str | None = Query(None, min_length=1, max_length=200),
) -> list[s.ProgramOut]:
    programs = await queries.programs(ctx, caller, _ids(ids) if ids else None, first, after)
    return [s.ProgramOut.of(p) for p in programs]


@router.get("/programs/{program_id}", response_model=s.ProgramOut)
async def get_program(program_id: str, caller: Caller, ctx: Ctx) -> s.ProgramOut:
    return s.ProgramOut.of(await queries.program(ctx, caller, program_id))


@router.patch("/programs/{program_id}", response_model=s.ProgramOut)
async def update_program(
    program_id: str, body: s.ProgramPatch, caller: Caller, ctx: Ctx
) -> s.ProgramOut:
    program = await governance.update_program(
        cmd.UpdateProgram(
            actor=caller,
            program_id=program_id,
            name=body.name,
            description=body.description,
            weights=s.weight_pairs(body.weights),
            department_preference=body.department_preference,
            proposal_expiry_days=body.proposal_expiry_days,
            default_mentor_capacity=body.default_mentor_capacity,
            status=ProgramStatus(body.status) if body.status else None,
            stall_window_days=body.stall_window_days,
            mutual_acceptance=body.mutual_acceptance,
            check_in_reminder_days=body.check_in_reminder_days,
            self_erasure=body.self_erasure,
        ),
        ctx,
    )
    return s.ProgramOut.of(program)


@router.post("/programs/{program_id}/matching-runs", response_model=RunOut)
async def run_matching(
    program_id: str, body: s.RunIn, caller: Caller, ctx: Ctx, idempotency_key: IdempotencyKey
) -> RunOut:
    report = await handlers.run_matching(
        cmd.RunMatching(
            actor=caller,
            program_id=program_id,
            objective=body.objective,
            idempotency_key=idempotency_key,
        ),
        ctx,
    )
    return RunOut.of(report)


# ---- participants ---------------------------------------------------------------------------


@router.post(
    "/programs/{program_id}/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ParticipantOut,
    responses={409: {"description": "already registered: `participant_id` names them"}},
)
async def register(
    program_id: str,
    body: s.ParticipantIn,
    caller: Caller,
    ctx: Ctx,
    idempotency_key: IdempotencyKey,
) -> s.ParticipantOut:
    participant = await handlers.register_participant(
        cmd.RegisterParticipant(
            actor=caller,
            program_id=program_id,
            user_id=body.user_id or caller.user_id,
            roles=frozenset(body.roles),
            display_name=body.display_name,
            email=body.email,
            language=body.language,
            languages=frozenset(body.languages),
            timezone=body.timezone,
            department=body.department,
            manager_id=body.manager_id,
            availability=tuple(
                WeeklySlot(a.day, a.start_hour, a.end_hour) for a in body.availability
            ),
            competencies=dict(body.competencies),
            goals=dict(body.goals),
            capacity=body.capacity,
            ranked_mentors=tuple(body.ranked_mentors),
            idempotency_key=idempotency_key,
        ),
        ctx,
    )
    return s.ParticipantOut.of(participant)


@router.get("/participants", response_model=list[s.ParticipantOut])
async def participants_by_ids(ids: IdsQuery, caller: Caller, ctx: Ctx) -> list[s.ParticipantOut]:
    found = await queries.participants(ctx, caller, _ids(ids))
    return [s.ParticipantOut.of(p) for p in found]


@router.get("/participants/{participant_id}", response_model=s.ParticipantOut)
async def get_participant(participant_id: str, caller: Caller, ctx: Ctx) -> s.ParticipantOut:
    found = await queries.participants(ctx, caller, [participant_id])
    if not found:
        raise NotFound("participant", participant_id)
    return s.ParticipantOut.of(found[0])


@router.patch("/participants/{participant_id}", response_model=s.ParticipantOut)
async def update_participant(
    participant_id: str, body: s.ParticipantPatch, caller: Caller, ctx: Ctx
) -> s.ParticipantOut:
    participant = await handlers.update_participant(
        cmd.UpdateParticipant(actor=caller, participant_id=participant_id, changes=body.changes()),
        ctx,
    )
    return s.ParticipantOut.of(participant)


@router.post("/participants/{participant_id}/withdraw", response_model=s.ParticipantOut)
async def withdraw(
    participant_id: str, body: s.WithdrawIn, caller: Caller, ctx: Ctx
) -> s.ParticipantOut:
    participant = await handlers.withdraw_participant(
        cmd.WithdrawParticipant(actor=caller, participant_id=participant_id, reason=body.reason),
        ctx,
    )
    return s.ParticipantOut.of(participant)


@router.get("/participants/{participant_id}/suggestions", response_model=list[s.SuggestionOut])
async def suggestions(
    participant_id: str, caller: Caller, ctx: Ctx, k: int = Query(5, ge=1, le=20)
) -> list[s.SuggestionOut]:
    found = await queries.suggest_mentors(ctx, caller, participant_id, k)
    return [
        s.SuggestionOut(
            mentor=s.ParticipantOut.of(mentor),
            score=round(scored.score, 2),
            breakdown=[
                s.CriterionOut(
                    criterion=str(c.criterion),
                    value=round(c.value, 4),
                    points=round(c.points, 2),
                    reason=c.reason,
                )
                for c in scored.breakdown
            ],
            reasons=list(scored.reasons),
        )
        for scored, mentor in found
    ]


# ---- matches --------------------------------------------------------------------------------


@router.post("/matches", status_code=status.HTTP_201_CREATED, response_model=s.MatchOut)
async def propose(
    body: s.ProposalIn, caller: Caller, ctx: Ctx, idempotency_key: IdempotencyKey
) -> s.MatchOut:
    match = await handlers.propose_match(
        cmd.ProposeMatch(
            actor=caller,
            mentee_id=body.mentee_id,
            mentor_id=body.mentor_id,
            idempotency_key=idempotency_key,
        ),
        ctx,
    )
    return s.MatchOut.of(match)


@router.get("/matches", response_model=s.MatchPage)
async def list_matches(
    caller: Caller,
    ctx: Ctx,
    ids: IdsQuery | None = None,
    program_id: str | None = Query(None, max_length=64),
    status_: str | None = Query(
        None,
        alias="status",
        pattern=r"^(proposed|active|declined|expired|completed|ended_early|cancelled)$",
    ),
    mentor_id: str | None = Query(None, max_length=64),
    mentee_id: str | None = Query(None, max_length=64),
    first: int = Query(20, ge=1, le=MAX_PAGE),
    after: str | None = Query(None, max_length=400),
) -> s.MatchPage:
    if ids:
        items = await queries.matches_by_ids(ctx, caller, _ids(ids))
        return s.MatchPage(items=[s.MatchOut.of(m) for m in items], next_cursor=None)
    page = await queries.find_matches(
        ctx,
        caller,
        program_id=program_id,
        status=status_,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        first=first,
        after=after,
    )
    return s.MatchPage(items=[s.MatchOut.of(m) for m in page.items], next_cursor=page.next_cursor)


@router.get("/matches/{match_id}", response_model=s.MatchOut)
async def get_match(match_id: str, caller: Caller, ctx: Ctx) -> s.MatchOut:
    found = await queries.matches_by_ids(ctx, caller, [match_id])
    if not found:
        raise NotFound("match", match_id)
    return s.MatchOut.of(found[0])


@router.post("/matches/{match_id}/accept", response_model=s.MatchOut)
async def accept(match_id: str, caller: Caller, ctx: Ctx) -> s.MatchOut:
    return s.MatchOut.of(await handlers.accept_match(cmd.AcceptMatch(caller, match_id), ctx))


@router.post("/matches/{match_id}/decline", response_model=s.MatchOut)
async def decline(match_id: str, body: s.DeclineIn, caller: Caller, ctx: Ctx) -> s.MatchOut:
    match = await handlers.decline_match(cmd.DeclineMatch(caller, match_id, body.reason), ctx)
    return s.MatchOut.of(match)


@router.post("/matches/{match_id}/end", response_model=s.MatchOut)
async def end(match_id: str, body: s.EndIn, caller: Caller, ctx: Ctx) -> s.MatchOut:
    match = await handlers.end_match(cmd.EndMatch(caller, match_id, body.outcome, body.reason), ctx)
    return s.MatchOut.of(match)
