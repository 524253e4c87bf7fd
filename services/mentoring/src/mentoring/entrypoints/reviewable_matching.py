"""Routes of reviewable matching: previews, stored reports, and cancelling a proposal."""

from __future__ import annotations

from fastapi import APIRouter, Query

from mentoring.entrypoints import run_schemas as r
from mentoring.entrypoints import schemas as s
from mentoring.entrypoints.http import MAX_PAGE, Caller, Ctx
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import matching_runs
from mentoring.service_layer.cancellation import cancel_proposal

router = APIRouter()
Cursor = Query(None, max_length=400)


@router.post("/programs/{program_id}/matching-previews", response_model=r.RunOut)
async def preview(program_id: str, body: s.RunIn, caller: Caller, ctx: Ctx) -> r.RunOut:
    report = await matching_runs.preview_matching(
        cmd.PreviewMatching(actor=caller, program_id=program_id, objective=body.objective), ctx
    )
    return r.RunOut.of(report)


@router.get("/programs/{program_id}/matching-runs", response_model=r.RunPage)
async def runs_of_program(
    program_id: str,
    caller: Caller,
    ctx: Ctx,
    first: int = Query(20, ge=1, le=MAX_PAGE),
    after: str | None = Cursor,
    previews: bool = True,
) -> r.RunPage:
    found, cursor = await matching_runs.matching_runs(
        ctx, caller, program_id, first, after, previews=previews
    )
    return r.RunPage(items=[r.RunOut.of(report) for report in found], next_cursor=cursor)


@router.get("/matching-runs/{run_id}", response_model=r.RunOut)
async def run(run_id: str, caller: Caller, ctx: Ctx) -> r.RunOut:
    return r.RunOut.of(await matching_runs.matching_run(ctx, caller, run_id))


@router.get("/matching-runs/{run_id}/pairs", response_model=r.PairPage)
async def pairs(
    run_id: str,
    caller: Caller,
    ctx: Ctx,
    first: int = Query(20, ge=1, le=MAX_PAGE),
    after: str | None = Cursor,
) -> r.PairPage:
    items, cursor = await matching_runs.run_entries(ctx, caller, run_id, "pairs", first, after)
    return r.PairPage(items=r.page(r.PairOut, items), next_cursor=cursor)


@router.get("/matching-runs/{run_id}/blocking-pairs", response_model=r.BlockingPage)
async def blocking_pairs(
    run_id: str,
    caller: Caller,
    ctx: Ctx,
    first: int = Query(20, ge=1, le=MAX_PAGE),
    after: str | None = Cursor,
) -> r.BlockingPage:
    items, cursor = await matching_runs.run_entries(ctx, caller, run_id, "blocking", first, after)
    return r.BlockingPage(items=r.page(r.BlockingPairOut, items), next_cursor=cursor)


@router.post("/matches/{match_id}/cancel", response_model=s.MatchOut)
async def cancel(match_id: str, body: r.CancelIn, caller: Caller, ctx: Ctx) -> s.MatchOut:
    match = await cancel_proposal(cmd.CancelProposal(caller, match_id, body.reason), ctx)
    return s.MatchOut.of(match)
