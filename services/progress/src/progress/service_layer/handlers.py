"""Handlers of the progress service: mentoring's events start, pause and stop a mentee's tracking;
commands from the HTTP API record activity; the detection job looks for stalls.

Every handler is idempotent: events arrive at least once, and the domain says when a transition
changes nothing (the same check-in id twice, a pause of a paused tracking), in which case nothing
is written and nothing is published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from mentorship_contracts import Envelope, decode_event
from mentorship_contracts.events import (
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    ParticipantWithdrawn,
    ProgramPublished,
)
from mentorship_runtime.auth import Principal
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.jobs import retrying
from mentorship_runtime.logging import get_logger
from progress.adapters.store import ProgressStore, Stored
from progress.domain.detection import detect
from progress.domain.errors import Forbidden, NotFound
from progress.domain.seed import DEFAULT_PATH_ID
from progress.domain.tracking import Tracking, Transition
from progress.service_layer.events import envelopes

Role = Literal["mentee", "mentor"]
log = get_logger("progress.handlers")


@dataclass
class Context:
    store: ProgressStore
    clock: Callable[[], datetime]
    stall_window: timedelta
    correlation_id: str | None = None


def event_key(event: Envelope[Any]) -> str:
    return str(event.event_id)


async def _apply(
    ctx: Context,
    stored: Stored,
    transition: Transition,
    *,
    cause: Envelope[Any] | None = None,
    **people: str | None,
) -> Stored:
    if not transition.changed and not people and cause is None:
        return stored
    events = envelopes(
        transition.signals, clock=ctx.clock, cause=cause, correlation_id=ctx.correlation_id
    )
    applied = event_key(cause) if cause is not None else None
    return await ctx.store.save(stored, transition.tracking, events, applied=applied, **people)


# ---- mentoring's events ---------------------------------------------------------------------


async def on_match_accepted(event: Envelope[Any], ctx: Context) -> None:
    data: MatchAccepted = event.data
    now = ctx.clock()

    async def attempt() -> None:
        existing = await ctx.store.find(data.mentee_id)
        if existing is None:
            path = ctx.store.path(data.learning_path_id or DEFAULT_PATH_ID)
            tracking = Tracking.start(
                mentee_id=data.mentee_id,
                program_id=data.program_id,
                path=path,
                mentor_id=data.mentor_id,
                now=now,
            )
            fresh = Stored(
                tracking, 0, data.mentee_user_id, data.mentor_user_id, frozenset({event_key(event)})
            )
            if not await ctx.store.insert(fresh, []):
                raise ConcurrentUpdate("tracking", data.mentee_id)  # created meanwhile: go again
            return
        if event_key(event) in existing.seen_events:
            return  # a redelivery
        transition = existing.tracking.assign_mentor(mentor_id=data.mentor_id, now=now)
        await _apply(
            ctx,
            existing,
            transition,
            cause=event,
            mentee_user_id=data.mentee_user_id or existing.mentee_user_id,
            mentor_user_id=data.mentor_user_id,
        )

    await retrying(attempt)
    await _replay_parked(data.mentee_id, ctx)


async def on_match_closed(event: Envelope[Any], ctx: Context) -> None:
    """A declined or ended match pauses the tracking, unless the mentee has a newer mentor."""
    data: MatchDeclined | MatchEnded = event.data

    async def attempt() -> None:
        stored = await ctx.store.find(data.mentee_id)
        if stored is None:
            if isinstance(data, MatchEnded):
                await _park(event, ctx)
            return  # a declined proposal of someone never tracked: nothing to pause
        if event_key(event) in stored.seen_events:
            return
        transition = stored.tracking.pause(now=ctx.clock(), mentor_id=data.mentor_id)
        if transition.changed:
            await _apply(ctx, stored, transition, cause=event, mentor_user_id=None)

    await retrying(attempt)


async def on_participant_withdrawn(event: Envelope[Any], ctx: Context) -> None:
    data: ParticipantWithdrawn = event.data

    async def attempt() -> None:
        stored = await ctx.store.find(data.participant_id)
        if stored is None:
            await _park(event, ctx)  # the match may still be on its way, on another topic
            return
        if event_key(event) not in stored.seen_events:
            await _apply(ctx, stored, stored.tracking.stop(now=ctx.clock()), cause=event)

    await retrying(attempt)


async def on_program_published(event: Envelope[Any], ctx: Context) -> None:
    data: ProgramPublished = event.data
    await ctx.store.remember_program(data.program_id, [a.user_id for a in data.admins], data.name)


async def _park(event: Envelope[Any], ctx: Context) -> None:
    """Keep an event for a mentee not tracked yet; it is applied when their match arrives."""
    log.info("event_parked", mentee_id=event.key)
    await ctx.store.park(
        event.key, str(event.event_id), event.occurred_at, event.to_bytes().decode()
    )


async def _replay_parked(mentee_id: str, ctx: Context) -> None:
    for parked in await ctx.store.parked_for(mentee_id):
        event = decode_event(parked["raw"])
        if isinstance(event.data, ParticipantWithdrawn):
            await on_participant_withdrawn(event, ctx)
        elif isinstance(event.data, MatchEnded):
            await on_match_closed(event, ctx)
        await ctx.store.unpark(parked["_id"])


# ---- activity (HTTP commands) ---------------------------------------------------------------


def _role_of(stored: Stored, actor: Principal) -> Role:
    """Only the mentee and their current mentor act on a tracking."""
    if actor.user_id == stored.mentee_user_id:
        return "mentee"
    if actor.user_id == stored.mentor_user_id and stored.mentor_user_id is not None:
        return "mentor"
    raise Forbidden("only the mentee and their current mentor can record activity")


async def _act(
    ctx: Context,
    actor: Principal,
    mentee_id: str,
    change: Callable[[Stored, Role], Transition],
) -> Stored:
    async def attempt() -> Stored:
        stored = await ctx.store.get(mentee_id)
        return await _apply(ctx, stored, change(stored, _role_of(stored, actor)))

    return await retrying(attempt)


async def record_check_in(
    ctx: Context,
    actor: Principal,
    mentee_id: str,
    *,
    check_in_id: str,
    module_id: str,
    confidence: int,
    note: str | None,
) -> Stored:
    def change(stored: Stored, role: Role) -> Transition:
        return stored.tracking.record_check_in(
            path=ctx.store.path(stored.tracking.path_id, stored.tracking.path_version),
            check_in_id=check_in_id,
            module_id=module_id,
            confidence=confidence,
            by=role,
            note=note,
            now=ctx.clock(),
        )

    return await _act(ctx, actor, mentee_id, change)


async def complete_milestone(
    ctx: Context, actor: Principal, mentee_id: str, milestone_id: str, evidence: str | None
) -> Stored:
    def change(stored: Stored, role: Role) -> Transition:
        return stored.tracking.complete_milestone(
            path=ctx.store.path(stored.tracking.path_id, stored.tracking.path_version),
            milestone_id=milestone_id,
            evidence=evidence,
            by=role,
            now=ctx.clock(),
        )

    return await _act(ctx, actor, mentee_id, change)


async def reopen_milestone(
    ctx: Context, actor: Principal, mentee_id: str, milestone_id: str, reason: str
) -> Stored:
    def change(stored: Stored, role: Role) -> Transition:
        return stored.tracking.reopen_milestone(
            path=ctx.store.path(stored.tracking.path_id, stored.tracking.path_version),
            milestone_id=milestone_id,
            by=role,
            reason=reason,
            now=ctx.clock(),
        )

    return await _act(ctx, actor, mentee_id, change)


async def log_session(
    ctx: Context,
    actor: Principal,
    mentee_id: str,
    *,
    session_id: str,
    held_on: date,
    duration_minutes: int,
    module_ids: list[str],
    notes: str | None,
    rating: int | None,
) -> Stored:
    def change(stored: Stored, role: Role) -> Transition:
        transition = stored.tracking.log_session(
            path=ctx.store.path(stored.tracking.path_id, stored.tracking.path_version),
            session_id=session_id,
            held_on=held_on,
            duration_minutes=duration_minutes,
            module_ids=module_ids,
            notes=notes,
            now=ctx.clock(),
        )
        if rating is None:
            return transition
        rated = transition.tracking.rate_session(session_id=session_id, by=role, rating=rating)
        return Transition(
            rated.tracking, transition.signals + rated.signals, transition.changed or rated.changed
        )

    return await _act(ctx, actor, mentee_id, change)


# ---- detection (worker) ---------------------------------------------------------------------


async def detect_stalls(ctx: Context) -> int:
    """Look at every active tracking once; returns how many emitted a signal.

    Detection is a pure function of the tracking and the time, so running it late (after
    downtime) or twice emits each stall once.
    """
    signalled, after = 0, ""
    while ids := await ctx.store.active_ids(after):
        for mentee_id in ids:
            stored = await ctx.store.find(mentee_id)
            if stored is None:
                continue
            transition = detect(stored.tracking, now=ctx.clock(), stall_window=ctx.stall_window)
            if transition.changed:
                try:
                    await _apply(ctx, stored, transition)
                except ConcurrentUpdate:
                    continue  # activity landed meanwhile; the next round looks again
                signalled += bool(transition.signals)
        after = ids[-1]
    return signalled


def require_visible(stored: Stored, actor: Principal, admins: dict[str, set[str]]) -> None:
    program_admins = admins.get(stored.tracking.program_id, set())
    if actor.user_id in (stored.mentee_user_id, stored.mentor_user_id):
        return
    if actor.is_admin and actor.user_id in program_admins:
        return
    raise NotFound("mentee", stored.tracking.mentee_id)
