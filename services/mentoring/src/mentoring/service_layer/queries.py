"""Reads for the gateway, batched, with who-may-see-what applied here as well as in the gateway.

A person sees: their own profile and matches; the profiles of the mentors of programs they take
part in (to choose among them); the people they are or were matched with. An admin sees all of
their programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from mentoring.domain.errors import Forbidden, Invalid, NotFound
from mentoring.domain.matches import Match, MatchStatus
from mentoring.domain.matching import ScoredMentor
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentoring.service_layer.handlers import Context, require_self_or_admin, suggestions_for
from mentoring.service_layer.ports import MatchFilter, Page
from mentorship_runtime.principal import Principal


async def _admin_of(actor: Principal, program_ids: set[str], ctx: Context) -> set[str]:
    if not actor.is_admin or not program_ids:
        return set()
    programs = await ctx.store.programs_by_ids(sorted(program_ids))
    return {p.id for p in programs if p.is_admin(actor.user_id)}


async def program(ctx: Context, actor: Principal, program_id: str) -> Program:
    found = await programs(ctx, actor, [program_id], 1)
    if not found:
        raise NotFound("program", program_id)
    return found[0]


async def programs(
    ctx: Context,
    actor: Principal,
    ids: Sequence[str] | None,
    first: int,
    after: str | None = None,
) -> list[Program]:
    """Programs by id (those the caller administers or takes part in), or the caller's own by id
    (those after the id ``after``)."""
    if ids is None:
        return await ctx.store.programs_of_admin(actor.user_id, first, after)
    found = await ctx.store.programs_by_ids(ids)
    member_of = {p.program_id for p in await _participations(actor, {p.id for p in found}, ctx)}
    return [p for p in found if p.is_admin(actor.user_id) or p.id in member_of]


async def _participations(
    actor: Principal, program_ids: set[str], ctx: Context
) -> list[Participant]:
    found = []
    for program_id in sorted(program_ids):
        mine = await ctx.store.participant_of_user(program_id, actor.user_id)
        if mine is not None:
            found.append(mine)
    return found


async def participants(ctx: Context, actor: Principal, ids: Sequence[str]) -> list[Participant]:
    found = await ctx.store.participants_by_ids(ids)
    program_ids = {p.program_id for p in found}
    admin_of = await _admin_of(actor, program_ids, ctx)
    member_of = {p.program_id for p in await _participations(actor, program_ids, ctx)}
    counterparts = await _counterparts(actor, [p.id for p in found], ctx)
    visible = [
        p
        for p in found
        if p.user_id == actor.user_id
        or p.program_id in admin_of
        or (p.is_mentor and p.program_id in member_of)
        or p.id in counterparts
    ]
    return sorted(visible, key=lambda p: ids.index(p.id) if p.id in ids else 0)


async def _counterparts(actor: Principal, participant_ids: list[str], ctx: Context) -> set[str]:
    """Those among ``participant_ids`` who are or were matched with the caller."""
    if not participant_ids:
        return set()
    matched = await ctx.store.matched_with(actor.user_id, participant_ids, limit=1000)
    return {m.mentor.participant_id for m in matched} | {m.mentee.participant_id for m in matched}


async def matches_by_ids(ctx: Context, actor: Principal, ids: Sequence[str]) -> list[Match]:
    found = await ctx.store.matches_by_ids(ids)
    admin_of = await _admin_of(actor, {m.program_id for m in found}, ctx)
    return [m for m in found if m.involves(actor.user_id) or m.program_id in admin_of]


async def find_matches(
    ctx: Context,
    actor: Principal,
    *,
    program_id: str | None,
    status: str | None,
    mentor_id: str | None,
    mentee_id: str | None,
    first: int,
    after: str | None,
) -> Page[Match]:
    """Matches by program, status and side; an admin of the program sees all of them, anyone
    else their own only."""
    which = MatchFilter(
        program_id=program_id or None,
        status=MatchStatus(status) if status else None,
        mentor_id=mentor_id or None,
        mentee_id=mentee_id or None,
    )
    sees_program = program_id is not None and program_id in await _admin_of(
        actor, {program_id}, ctx
    )
    if not sees_program:
        if program_id is None and actor.is_admin and not (mentor_id or mentee_id):
            raise Forbidden("admins list matches per program: give program_id")
        which = replace(which, of_user=actor.user_id)
    return await ctx.store.select_matches(which, first=first, after=after)


async def suggest_mentors(
    ctx: Context, actor: Principal, mentee_id: str, k: int
) -> list[tuple[ScoredMentor, Participant]]:
    """The ``k`` mentors who suit a mentee best, best first (the mentee and the program's
    admins)."""
    mentee = await ctx.store.participant(mentee_id)
    program = await ctx.store.program(mentee.program_id)
    require_self_or_admin(mentee, program, actor)
    if not mentee.is_mentee:
        raise Invalid("mentee_id", f"{mentee_id!r} is not a mentee")
    scored = await suggestions_for(mentee, program, ctx, k=k)
    mentors = {p.id: p for p in await ctx.store.participants_by_ids([s.mentor_id for s in scored])}
    return [(s, mentors[s.mentor_id]) for s in scored]
