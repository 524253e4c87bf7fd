"""Running a program: changing it, closing it, and who its admins are.

Closing a program (status ``closed``, from draft or open; it never reopens):

- it takes no one new and matches no one (registration, proposals by anyone, escalations and
  matching runs are refused; a proposal that slipped in meanwhile cannot be accepted);
- while one of its proposals is open the close is refused (``Conflict``): each proposal is
  answered, lapses at its deadline, or is withdrawn by its mentor or mentee leaving, first;
- each of its active matches is ended with the outcome ``completed`` (the program ran its
  course), reason "the program closed", through the usual ``MatchEnded`` events: progress stops
  tracking the mentee, notify tells both sides, the places are released.

The matches are ended after the close is written; a close sent again (status ``closed`` on a
closed program) ends any that a failure left active, and changes nothing else.

Admins are kept in the program's document, changed by version-guarded updates (retried on a
concurrent change), so that concurrent removals never leave a program without an admin: each
removal decides on the admins it read, and only one of two that read the same version is written.

An admin's language follows their profile (``admin_language``): each participation registered, or
changed in language, is read back from its event (``on_participant_changed``), and the programs
the person administers whose entry says another language are saved with it and published again,
which is how notify learns it. The language is worked out from the stored participations, never
from the event's value, so events handled out of order or twice end in the same state.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mentoring.domain.errors import Conflict, NotFound
from mentoring.domain.matches import MatchStatus
from mentoring.domain.programs import Admin, Program, ProgramStatus
from mentoring.service_layer import admin_language, audit, handlers
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.handlers import Context, require_admin
from mentoring.service_layer.ports import MatchFilter
from mentorship_contracts import Envelope
from mentorship_contracts.events import ParticipantUpdated
from mentorship_runtime.concurrency import retrying
from mentorship_runtime.logging import get_logger
from mentorship_runtime.principal import Principal

CLOSING_REASON = "the program closed"
CLOSING_CONCURRENCY = 8
CLOSING_PAGE = 100
ADMINISTERED_AT_MOST = 1000
"""The programs a person may run whose admin entries a change of their language visits."""

log = get_logger("mentoring.governance")


async def update_program(c: cmd.UpdateProgram, ctx: Context) -> Program:
    """``handlers.update_program``, and what closing the program does (above)."""
    if c.status is ProgramStatus.CLOSED:
        program = await ctx.store.program(c.program_id)
        require_admin(program, c.actor)
        if program.status is not ProgramStatus.CLOSED:
            waiting = await _matches(ctx, program.id, MatchStatus.PROPOSED, limit=1)
            if waiting:
                raise Conflict(
                    f"program {program.id!r} has open proposals (e.g. {waiting[0]!r}): each is "
                    "answered, lapses or is cancelled before the program closes"
                )
    program = await handlers.update_program(c, ctx)
    if c.status is ProgramStatus.CLOSED:
        await _end_active_matches(program, c.actor, ctx)
    return program


async def _matches(ctx: Context, program_id: str, status: MatchStatus, limit: int) -> list[str]:
    page = await ctx.store.select_matches(
        MatchFilter(program_id=program_id, status=status), first=limit, after=None
    )
    return [m.id for m in page.items]


async def _end_active_matches(program: Program, actor: Principal, ctx: Context) -> None:
    gate = asyncio.Semaphore(CLOSING_CONCURRENCY)

    async def end(match_id: str) -> None:
        async with gate:
            await handlers.end_match(
                cmd.EndMatch(actor, match_id, "completed", CLOSING_REASON), ctx, recorded=False
            )

    while ids := await _matches(ctx, program.id, MatchStatus.ACTIVE, CLOSING_PAGE):
        await asyncio.gather(*(end(match_id) for match_id in ids))


async def add_admin(c: cmd.AddAdmin, ctx: Context) -> Program:
    """Make ``user_id`` an admin of the program (its admins only). Notify reaches them by the
    name, e-mail address and language given; what is not given is taken from their
    participation in the program, if they have one (else no name, no e-mail, and the language
    of their latest registration elsewhere, else English). Acting as an admin also takes the
    admin role in their token."""

    user_id = c.user_id

    async def attempt() -> Program:
        program = await ctx.store.program(c.program_id)
        require_admin(program, c.actor)
        name, address, tongue = c.display_name, c.email, c.language
        if name is None or address is None or tongue is None:
            joined = await ctx.store.participant_of_user(program.id, user_id)
            if joined is not None:
                name = name or joined.display_name
                address = address or joined.email
                tongue = tongue or joined.language
        tongue = tongue or await admin_language.profile_language(ctx.roster, user_id)
        updated = program.with_admin(Admin(user_id, name, address, tongue))
        if updated is program:
            return program
        return await ctx.store.save_program(
            updated,
            [
                ctx.events.program_published(updated),
                audit.admins_changed(ctx, c.actor.user_id, program, updated, user_id),
            ],
        )

    return await retrying(attempt, tries=50)


async def remove_admin(c: cmd.RemoveAdmin, ctx: Context) -> Program:
    """Remove an admin from the program (its admins only; one may remove themselves), never
    the last one (``LastAdmin``, a conflict)."""

    async def attempt() -> Program:
        program = await ctx.store.program(c.program_id)
        require_admin(program, c.actor)
        updated = program.without_admin(c.user_id)
        if updated is program:
            return program
        return await ctx.store.save_program(
            updated,
            [
                ctx.events.program_published(updated),
                audit.admins_changed(ctx, c.actor.user_id, program, updated, c.user_id),
            ],
        )

    return await retrying(attempt, tries=50)


async def admins_follow_profile(user_id: str, ctx: Context) -> list[str]:
    """Write ``user_id`` as an admin in the language of their profile in each program they run
    (``admin_language.language_in``); the ids of the programs changed, each published again."""
    administered = await ctx.store.programs_of_admin(user_id, ADMINISTERED_AT_MOST)
    changed = [p.id for p in administered if await _follow(p.id, user_id, ctx)]
    return changed


async def _follow(program_id: str, user_id: str, ctx: Context) -> bool:
    async def attempt() -> bool:
        program = await ctx.store.program(program_id)
        tongue = await admin_language.language_in(ctx.store, ctx.roster, program.id, user_id)
        updated = program.with_admin_language(user_id, tongue)
        if updated is program:
            return False
        await ctx.store.save_program(updated, [ctx.events.program_published(updated)])
        return True

    return await retrying(attempt, tries=50)


async def on_participant_changed(event: Envelope[Any], ctx: Context) -> None:
    """A participation registered, or a profile changed: the person's admin entries follow their
    language (a change of anything else, or a participation erased since, is left alone)."""
    data = event.data
    if isinstance(data, ParticipantUpdated) and data.language is None:
        return
    try:
        participant = await ctx.store.participant(data.participant_id)
    except NotFound:
        return
    changed = await admins_follow_profile(participant.user_id, ctx)
    log.info(
        "admin_language_followed",
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        participant_id=participant.id,
        programs=changed,
    )
