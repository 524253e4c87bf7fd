"""Reads for the gateway, with who may see what.

A mentee sees their own progress, a mentor their current mentees', an admin the mentees of the
programs they administer. A mentee someone may not see is reported as not found (its existence is
not disclosed); in a batch, unknown and invisible ids are simply absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mentorship_runtime.principal import Principal
from progress.domain.dashboards import ProgramOverview, count_by_status, program_overview
from progress.domain.errors import Forbidden, Invalid, NotFound
from progress.domain.learning_paths import LearningPath
from progress.domain.status import ProgressStatus
from progress.domain.views import ProgressView, progress_view
from progress.service_layer.handlers import Context
from progress.service_layer.ports import MentorRef, PathSummary, ProgramInfo, Stored

MAX_BATCH = 500
MAX_PAGE = 100


@dataclass(frozen=True)
class MenteesPage:
    items: list[ProgressView]
    next_cursor: str | None
    by_status: dict[ProgressStatus, int]
    """Every current mentee of the mentor (within the programs the caller may see)."""


def _may_see(stored: Stored, actor: Principal, programs: dict[str, ProgramInfo]) -> bool:
    if actor.user_id in (stored.mentee_user_id, stored.mentor_user_id):
        return True
    program = programs.get(stored.tracking.program_id)
    return actor.is_admin and program is not None and actor.user_id in program.admin_ids


async def _views(
    ctx: Context, found: Sequence[Stored], programs: dict[str, ProgramInfo]
) -> list[ProgressView]:
    """Each tracking against the path version it follows, under its program's stall window."""
    now = ctx.clock()
    views = []
    for stored in found:
        tracking = stored.tracking
        path = await ctx.store.path(tracking.path_id, tracking.path_version)
        program = programs.get(tracking.program_id)
        window = program.stall_window if program and program.stall_window else ctx.stall_window
        views.append(progress_view(tracking, path, now=now, stall_window=window))
    return views


async def _visible_views(ctx: Context, actor: Principal, found: list[Stored]) -> list[ProgressView]:
    programs = await ctx.store.programs_of(sorted({x.tracking.program_id for x in found}))
    return await _views(ctx, [x for x in found if _may_see(x, actor, programs)], programs)


async def progress_of(ctx: Context, actor: Principal, mentee_id: str) -> ProgressView:
    views = await _visible_views(ctx, actor, [await ctx.store.get(mentee_id)])
    if not views:
        raise NotFound("mentee", mentee_id)
    return views[0]


async def progress_batch(
    ctx: Context, actor: Principal, mentee_ids: Sequence[str]
) -> list[ProgressView]:
    """Many mentees in one call, in the order asked; unknown or invisible ids are left out."""
    ids = list(dict.fromkeys(mentee_ids))
    if len(ids) > MAX_BATCH:
        raise Invalid("mentee_id", f"at most {MAX_BATCH} ids per call, got {len(ids)}")
    views = await _visible_views(ctx, actor, await ctx.store.many(ids))
    order = {mentee_id: i for i, mentee_id in enumerate(ids)}
    return sorted(views, key=lambda v: order[v.mentee_id])


async def mentees_of(
    ctx: Context, actor: Principal, mentor_id: str | None, *, first: int, after: str | None
) -> MenteesPage:
    """A mentor's current mentees, page by page: the caller's own (``mentor_id`` None), or, for
    an admin, those of the mentor with that participant id in the programs they administer."""
    if not 1 <= first <= MAX_PAGE:
        raise Invalid("first", f"must be 1 to {MAX_PAGE}")
    program_ids: list[str] | None = None
    if mentor_id is None:
        mentor = MentorRef.account(actor.user_id)
    else:
        if not actor.is_admin:
            raise Forbidden("only admins see the mentees of another mentor")
        mentor = MentorRef.participant(mentor_id)
        program_ids = await ctx.store.programs_administered_by(actor.user_id)
    page = await ctx.store.mentees_page(mentor, program_ids=program_ids, first=first, after=after)
    everyone = await ctx.store.of_mentor(mentor)
    if program_ids is not None:
        everyone = [x for x in everyone if x.tracking.program_id in program_ids]
    programs = await ctx.store.programs_of(
        sorted({x.tracking.program_id for x in [*everyone, *page.items]})
    )
    all_views = await _views(ctx, everyone, programs)
    by_id = {v.mentee_id: v for v in all_views}
    missing = [x for x in page.items if x.tracking.mentee_id not in by_id]
    by_id.update({v.mentee_id: v for v in await _views(ctx, missing, programs)})
    return MenteesPage(
        items=[by_id[x.tracking.mentee_id] for x in page.items],
        next_cursor=page.next_cursor,
        by_status=count_by_status(all_views),
    )


async def program_health(ctx: Context, actor: Principal, program_id: str) -> ProgramOverview:
    """Counts by status and the completion funnel, across every path version followed."""
    program = await ctx.store.program(program_id)
    if not (actor.is_admin and program is not None and actor.user_id in program.admin_ids):
        raise Forbidden(f"only an admin of program {program_id!r} sees its health")
    trackings = await ctx.store.of_program(program_id)
    views = await _views(ctx, trackings, {program_id: program})
    keys = {(x.tracking.path_id, x.tracking.path_version) for x in trackings}
    paths: list[LearningPath] = [await ctx.store.path(*key) for key in sorted(keys)]
    if not paths and program.learning_path_id:
        try:
            paths = [await ctx.store.latest_path(program.learning_path_id)]
        except NotFound:
            paths = []
    return program_overview(views, paths)


async def learning_paths(ctx: Context) -> list[PathSummary]:
    """Every learning path's latest version (anyone signed in)."""
    return await ctx.store.path_summaries()


async def learning_path(ctx: Context, path_id: str, version: int | None) -> LearningPath:
    """A version of a path, the latest when ``version`` is None (anyone signed in)."""
    return await ctx.store.path(path_id, version)
