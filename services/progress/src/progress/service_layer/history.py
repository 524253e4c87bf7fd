"""A mentee's history in detail, for the gateway, with who sees what.

- The mentee and their current mentor read everything (``Sight.FULL``).
- An admin of the mentee's program reads the figures (``Sight.FIGURES``): no note, evidence or
  reason, which stay between the mentee and their mentor.
- Anyone else, a former mentor included (access follows the current match: once it ended, the
  mentor's account is no longer attached to the tracking), is told the mentee is not found, as
  by every other read of progress.
"""

from __future__ import annotations

from mentorship_runtime.principal import Principal
from progress.domain import history
from progress.domain.errors import Invalid, NotFound
from progress.domain.history import ConfidencePoint, MilestoneLine, Page, Sight
from progress.domain.tracking import CheckIn, Session
from progress.domain.validation import require_id
from progress.service_layer.handlers import Context
from progress.service_layer.ports import HistoryPart, Stored
from progress.service_layer.queries import MAX_PAGE


async def sight_of(ctx: Context, actor: Principal, stored: Stored) -> Sight:
    """How much of ``stored`` the actor sees; ``NotFound`` when nothing."""
    if actor.user_id in (stored.mentee_user_id, stored.mentor_user_id):
        return Sight.FULL
    if actor.is_admin:
        program = await ctx.store.program(stored.tracking.program_id)
        if program is not None and actor.user_id in program.admin_ids:
            return Sight.FIGURES
    raise NotFound("mentee", stored.tracking.mentee_id)


async def _read(
    ctx: Context, actor: Principal, mentee_id: str, part: HistoryPart | None
) -> tuple[Stored, Sight]:
    stored = await ctx.store.with_part(mentee_id, part)
    return stored, await sight_of(ctx, actor, stored)


def _first(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise Invalid("first", f"must be 1 to {MAX_PAGE}")
    return first


async def sight(ctx: Context, actor: Principal, mentee_id: str) -> Sight:
    _, seen = await _read(ctx, actor, mentee_id, None)
    return seen


async def milestones(
    ctx: Context, actor: Principal, mentee_id: str, *, first: int, after: str | None
) -> Page[MilestoneLine]:
    stored, seen = await _read(ctx, actor, mentee_id, "milestones")
    tracking = stored.tracking
    path = await ctx.store.path(tracking.path_id, tracking.path_version)
    return history.milestones(tracking, path, seen, first=_first(first), after=after)


async def check_ins(
    ctx: Context,
    actor: Principal,
    mentee_id: str,
    *,
    module_id: str | None,
    first: int,
    after: str | None,
) -> Page[CheckIn]:
    if module_id is not None:
        require_id("module_id", module_id)
    stored, seen = await _read(ctx, actor, mentee_id, "check_ins")
    return history.check_ins(
        stored.tracking, seen, module_id=module_id, first=_first(first), after=after
    )


async def confidence_series(
    ctx: Context, actor: Principal, mentee_id: str, *, module_id: str, first: int, after: str | None
) -> Page[ConfidencePoint]:
    require_id("module_id", module_id)
    stored, _ = await _read(ctx, actor, mentee_id, "check_ins")
    return history.confidence_series(
        stored.tracking, module_id=module_id, first=_first(first), after=after
    )


async def sessions(
    ctx: Context, actor: Principal, mentee_id: str, *, first: int, after: str | None
) -> Page[Session]:
    stored, seen = await _read(ctx, actor, mentee_id, "sessions")
    return history.sessions(stored.tracking, seen, first=_first(first), after=after)


async def check_in(ctx: Context, actor: Principal, mentee_id: str, check_in_id: str) -> CheckIn:
    stored, seen = await _read(ctx, actor, mentee_id, "check_ins")
    return history.check_in(stored.tracking, seen, check_in_id)


async def session(ctx: Context, actor: Principal, mentee_id: str, session_id: str) -> Session:
    stored, seen = await _read(ctx, actor, mentee_id, "sessions")
    return history.session(stored.tracking, seen, session_id)
