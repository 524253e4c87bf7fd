"""Who takes part in a program and how they stand (its admins only), and a person's own
participations.

A roster page is cut from the whole program: its participants and its matches (sides and status
only) are read with one query each, every participant's standing derived (``domain.roster``),
the filters applied, and the page taken by keyset on (registered_at, id). Two queries per page
whatever the filters, since a standing is derived and cannot be filtered on by the database; the
cost grows with the program (thousands of people and matches), not with the collection.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from mentoring.domain.errors import Invalid
from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentoring.domain.roster import SEARCH_MAX, Standing, found_by, standing
from mentoring.service_layer.handlers import Context, require_admin
from mentoring.service_layer.ports import MatchSides, Page
from mentorship_runtime.pagination import decode_cursor, encode_cursor
from mentorship_runtime.principal import Principal

T = TypeVar("T")


@dataclass(frozen=True)
class RosterEntry:
    participant: Participant
    standing: Standing


@dataclass(frozen=True)
class MentorLoad:
    mentor: Participant
    open_matches: tuple[MatchSides, ...]
    """The mentor's proposed and active matches, oldest first."""


@dataclass(frozen=True)
class Participation:
    participant: Participant
    standing: Standing
    program: Program


def _statuses(matches: Sequence[MatchSides]) -> dict[str, list[MatchStatus]]:
    """The statuses of the matches naming each participant, on either side."""
    found: dict[str, list[MatchStatus]] = defaultdict(list)
    for match in matches:
        found[match.mentee_id].append(match.status)
        found[match.mentor_id].append(match.status)
    return found


def _page(
    items: list[T], who: Callable[[T], Participant], first: int, after: str | None
) -> Page[T]:
    """The ``first`` items after the cursor, in (registered_at, id) order."""

    def key(item: T) -> tuple[datetime, str]:
        person = who(item)
        return person.registered_at, person.id

    ordered = sorted(items, key=key)
    if after is not None:
        start = decode_cursor(after)
        if start[0].utcoffset() is None:  # every stored moment is aware: not one of ours
            raise Invalid("after", "not a cursor returned by this API")
        ordered = [item for item in ordered if key(item) > start]
    page = ordered[:first]
    if len(ordered) <= first or not page:
        return Page(page, None)
    last = who(page[-1])
    return Page(page, encode_cursor(last.registered_at, last.id))


async def _program_of_admin(actor: Principal, program_id: str, ctx: Context) -> Program:
    program = await ctx.store.program(program_id)
    require_admin(program, actor)
    return program


async def participants(
    ctx: Context,
    actor: Principal,
    program_id: str,
    *,
    role: str | None,
    wanted: Standing | None,
    search: str | None,
    first: int,
    after: str | None,
) -> Page[RosterEntry]:
    """A page of the program's participants with their standing: those with ``role`` (mentor
    or mentee, a person with both roles counts for each), standing ``wanted``, and ``search`` in
    their name or e-mail address."""
    if search is not None and len(search) > SEARCH_MAX:
        raise Invalid("search", f"at most {SEARCH_MAX} characters")
    program = await _program_of_admin(actor, program_id, ctx)
    people, matches = await asyncio.gather(
        ctx.roster.program_participants(program.id), ctx.roster.program_matches(program.id)
    )
    statuses = _statuses(matches)
    entries = [
        RosterEntry(p, standing(p, statuses.get(p.id, ())))
        for p in people
        if (role is None or role in p.roles) and found_by(p, search)
    ]
    if wanted is not None:
        entries = [e for e in entries if e.standing is wanted]
    return _page(entries, lambda e: e.participant, first, after)


async def mentor_loads(
    ctx: Context, actor: Principal, program_id: str, *, first: int, after: str | None
) -> Page[MentorLoad]:
    """A page of the program's mentors who have not withdrawn, each with their open matches."""
    program = await _program_of_admin(actor, program_id, ctx)
    people, matches = await asyncio.gather(
        ctx.roster.program_participants(program.id), ctx.roster.program_matches(program.id)
    )
    held: dict[str, list[MatchSides]] = defaultdict(list)
    for match in matches:
        if match.status.is_open:
            held[match.mentor_id].append(match)
    loads = [
        MentorLoad(p, tuple(held.get(p.id, ()))) for p in people if p.is_mentor and p.is_active
    ]
    return _page(loads, lambda load: load.mentor, first, after)


async def participations(ctx: Context, actor: Principal) -> list[Participation]:
    """The caller's participations in every program, with their standing and the program,
    oldest registration first."""
    mine = await ctx.roster.participants_of_user(actor.user_id)
    if not mine:
        return []
    matches, programs = await asyncio.gather(
        ctx.roster.matches_naming([p.id for p in mine]),
        ctx.store.programs_by_ids(sorted({p.program_id for p in mine})),
    )
    statuses = _statuses(matches)
    by_id = {p.id: p for p in programs}
    found = [
        Participation(p, standing(p, statuses.get(p.id, ())), by_id[p.program_id])
        for p in mine
        if p.program_id in by_id
    ]
    return sorted(found, key=lambda f: (f.participant.registered_at, f.participant.id))
