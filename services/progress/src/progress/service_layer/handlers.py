"""Handlers of the progress service: mentoring's events start, pause and stop a mentee's tracking;
commands from the HTTP API record activity; the detection job looks for stalls.

Every handler is idempotent: events arrive at least once, and the domain says when a transition
changes nothing (the same check-in id twice, a pause of a paused tracking), in which case nothing
is written and nothing is published.

Mentoring's events may also arrive out of order (a dead letter replayed after newer events, an
event overtaken by another topic's). Those that set who a mentee's current mentor is (a match
accepted, declined or ended) are applied only if they are not older than the event that last set
it (``Stored.mentor_set_by``, ``EventOrder``): an old one is skipped, and never rolls the mentor
back. A program's state is kept the same way (``ports.Programs.remember_program``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from mentorship_contracts import Envelope, decode_event
from mentorship_contracts.events import (
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    ParticipantWithdrawn,
    ProgramPublished,
)
from mentorship_runtime.concurrency import retrying
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.logging import get_logger
from mentorship_runtime.principal import Principal
from progress.domain.detection import ESCALATION_FACTOR, detect
from progress.domain.errors import Conflict, Forbidden, NotFound
from progress.domain.learning_paths import LearningPath, build_path
from progress.domain.seed import DEFAULT_PATH_ID
from progress.domain.tracking import Tracking, Transition
from progress.service_layer import commands
from progress.service_layer.events import envelopes
from progress.service_layer.ports import (
    Clock,
    Detected,
    ErasedParticipations,
    PlannedSessions,
    ReportMarks,
    Stored,
    TrackingStore,
)

Role = Literal["mentee", "mentor"]
log = get_logger("progress.handlers")


@dataclass
class Context:
    store: TrackingStore
    clock: Clock
    stall_window: timedelta
    """The stall window of a program whose own is not known yet."""
    planned: PlannedSessions
    """Planned sessions, cancelled when their match ends (``service_layer.planned_sessions``)."""
    erasures: ErasedParticipations
    """The participations erased: a match of one of them starts no tracking."""
    reports: ReportMarks
    """The report's read model (``service_layer.report``)."""
    correlation_id: str | None = None


def event_key(event: Envelope[Any]) -> str:
    return str(event.event_id)


async def _apply(
    ctx: Context,
    stored: Stored,
    transition: Transition,
    *,
    cause: Envelope[Any] | None = None,
    sets_mentor: bool = False,
    path: LearningPath | None = None,
    **people: str | None,
) -> Stored:
    """Save a transition; ``sets_mentor``: ``cause`` set who the current mentor is; ``path``:
    the mentee's path, whose titles the events naming a module or milestone carry."""
    if not transition.changed and not people and cause is None:
        return stored
    events = envelopes(
        transition.signals,
        clock=ctx.clock,
        cause=cause,
        correlation_id=ctx.correlation_id,
        path=path,
    )
    applied = event_key(cause) if cause is not None else None
    order = EventOrder.of(cause) if cause is not None and sets_mentor else None
    return await ctx.store.save(
        stored, transition.tracking, events, applied=applied, mentor_set_by=order, **people
    )


def _outdated(event: Envelope[Any], stored: Stored) -> bool:
    """The event happened before the one that last set the mentee's current mentor."""
    if EventOrder.of(event).supersedes(stored.mentor_set_by):
        return False
    log.info(
        "outdated_event_skipped",
        event_id=event_key(event),
        event_type=event.type,
        mentee_id=stored.tracking.mentee_id,
    )
    return True


# ---- mentoring's events ---------------------------------------------------------------------


async def on_match_accepted(event: Envelope[Any], ctx: Context) -> None:
    data: MatchAccepted = event.data
    now = ctx.clock()
    if await ctx.erasures.erased((data.mentee_id, data.mentor_id)):
        log.info("match_of_erased_participation_skipped", event_id=str(event.event_id))
        return

    async def attempt() -> None:
        existing = await ctx.store.find(data.mentee_id)
        if existing is None:
            path = await _enrolment_path(ctx, data)
            tracking = Tracking.start(
                mentee_id=data.mentee_id,
                program_id=data.program_id,
                path=path,
                mentor_id=data.mentor_id,
                now=now,
            )
            fresh = Stored(
                tracking,
                0,
                data.mentee_user_id,
                data.mentor_user_id,
                frozenset({event_key(event)}),
                EventOrder.of(event),
            )
            if not await ctx.store.insert(fresh, []):
                raise ConcurrentUpdate("tracking", data.mentee_id)  # created meanwhile: go again
            return
        if event_key(event) in existing.seen_events or _outdated(event, existing):
            return  # a redelivery, or a match older than the current state
        transition = existing.tracking.assign_mentor(mentor_id=data.mentor_id, now=now)
        await _apply(
            ctx,
            existing,
            transition,
            cause=event,
            sets_mentor=True,
            mentee_user_id=data.mentee_user_id or existing.mentee_user_id,
            mentor_user_id=data.mentor_user_id,
        )

    await retrying(attempt)
    await _replay_parked(data.mentee_id, ctx)


async def _enrolment_path(ctx: Context, data: MatchAccepted) -> LearningPath:
    """The latest version of the program's path when the mentee is enrolled; they stay on it.

    The path named by the match, else by the program, else the default one. A path progress does
    not know (yet) falls back to the default path, with a warning: the mentee is tracked rather
    than left out.
    """
    path_id = data.learning_path_id
    if path_id is None:
        program = await ctx.store.program(data.program_id)
        path_id = program.learning_path_id if program else None
    try:
        return await ctx.store.latest_path(path_id or DEFAULT_PATH_ID)
    except NotFound:
        log.warning(
            "unknown_learning_path", path_id=path_id, program_id=data.program_id, default=True
        )
        return await ctx.store.latest_path(DEFAULT_PATH_ID)


async def on_match_closed(event: Envelope[Any], ctx: Context) -> None:
    """A declined or ended match pauses the tracking, unless the mentee has another mentor or
    the event is older than the one that set the current mentor (an earlier match with the same
    mentor)."""
    data: MatchDeclined | MatchEnded = event.data

    async def attempt() -> None:
        stored = await ctx.store.find(data.mentee_id)
        if stored is None:
            if isinstance(data, MatchEnded):
                await _park(event, ctx)
            return  # a declined proposal of someone never tracked: nothing to pause
        if event_key(event) in stored.seen_events or _outdated(event, stored):
            return
        transition = stored.tracking.pause(now=ctx.clock(), mentor_id=data.mentor_id)
        if transition.changed:
            await _apply(
                ctx, stored, transition, cause=event, sets_mentor=True, mentor_user_id=None
            )

    await retrying(attempt)


async def on_participant_withdrawn(event: Envelope[Any], ctx: Context) -> None:
    """Stop the tracking, whenever the withdrawal arrives: it is final in mentoring, so newer
    match events do not undo it. It also counts as setting the current mentor (to none), so that
    an older match replayed after it is skipped rather than refused by the stopped tracking."""
    data: ParticipantWithdrawn = event.data

    async def attempt() -> None:
        stored = await ctx.store.find(data.participant_id)
        if stored is None:
            await _park(event, ctx)  # the match may still be on its way, on another topic
            return
        if event_key(event) not in stored.seen_events:
            newer = EventOrder.of(event).supersedes(stored.mentor_set_by)
            transition = stored.tracking.stop(now=ctx.clock())
            await _apply(ctx, stored, transition, cause=event, sets_mentor=newer)

    await retrying(attempt)


async def on_program_published(event: Envelope[Any], ctx: Context) -> None:
    data: ProgramPublished = event.data
    await ctx.store.remember_program(
        data.program_id,
        admin_ids=[a.user_id for a in data.admins],
        name=data.name,
        learning_path_id=data.learning_path_id,
        stall_window_days=data.stall_window_days,
        published=EventOrder.of(event),
    )


async def _park(event: Envelope[Any], ctx: Context) -> None:
    """Keep an event for a mentee not tracked yet; it is applied when their match arrives."""
    log.info("event_parked", mentee_id=event.key)
    await ctx.store.park(
        event.key, str(event.event_id), event.occurred_at, event.to_bytes().decode()
    )


async def _replay_parked(mentee_id: str, ctx: Context) -> None:
    for parked in await ctx.store.parked_for(mentee_id):
        event = decode_event(parked.raw)
        if isinstance(event.data, ParticipantWithdrawn):
            await on_participant_withdrawn(event, ctx)
        elif isinstance(event.data, MatchEnded):
            await on_match_closed(event, ctx)
        await ctx.store.unpark(parked.event_id)


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
    change: Callable[[Stored, LearningPath, Role], Transition],
) -> Stored:
    async def attempt() -> Stored:
        stored = await ctx.store.get(mentee_id)
        role = _role_of(stored, actor)
        path = await ctx.store.path(stored.tracking.path_id, stored.tracking.path_version)
        return await _apply(ctx, stored, change(stored, path, role), path=path)

    return await retrying(attempt)


async def record_check_in(command: commands.RecordCheckIn, ctx: Context) -> Stored:
    def change(stored: Stored, path: LearningPath, role: Role) -> Transition:
        return stored.tracking.record_check_in(
            path=path,
            check_in_id=command.check_in_id,
            module_id=command.module_id,
            confidence=command.confidence,
            by=role,
            note=command.note,
            now=ctx.clock(),
        )

    return await _act(ctx, command.actor, command.mentee_id, change)


async def complete_milestone(command: commands.CompleteMilestone, ctx: Context) -> Stored:
    def change(stored: Stored, path: LearningPath, role: Role) -> Transition:
        return stored.tracking.complete_milestone(
            path=path,
            milestone_id=command.milestone_id,
            evidence=command.evidence,
            by=role,
            now=ctx.clock(),
        )

    return await _act(ctx, command.actor, command.mentee_id, change)


async def reopen_milestone(command: commands.ReopenMilestone, ctx: Context) -> Stored:
    def change(stored: Stored, path: LearningPath, role: Role) -> Transition:
        return stored.tracking.reopen_milestone(
            path=path,
            milestone_id=command.milestone_id,
            by=role,
            reason=command.reason,
            now=ctx.clock(),
        )

    return await _act(ctx, command.actor, command.mentee_id, change)


async def log_session(command: commands.LogSession, ctx: Context) -> Stored:
    def change(stored: Stored, path: LearningPath, role: Role) -> Transition:
        return stored.tracking.log_session(
            path=path,
            session_id=command.session_id,
            held_on=command.held_on,
            duration_minutes=command.duration_minutes,
            module_ids=list(command.module_ids),
            notes=command.notes,
            now=ctx.clock(),
            rating=command.rating,
            by=role,
        )

    return await _act(ctx, command.actor, command.mentee_id, change)


async def rate_session(command: commands.RateSession, ctx: Context) -> tuple[Stored, Role]:
    """The caller rates a session on their side (mentee or current mentor)."""

    async def attempt() -> tuple[Stored, Role]:
        stored = await ctx.store.get(command.mentee_id)
        role = _role_of(stored, command.actor)
        transition = stored.tracking.rate_session(
            session_id=command.session_id, by=role, rating=command.rating
        )
        return await _apply(ctx, stored, transition), role

    return await retrying(attempt)


# ---- learning paths (admins) ----------------------------------------------------------------


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Forbidden("only admins create and edit learning paths")


async def create_path(command: commands.CreatePath, ctx: Context) -> LearningPath:
    """A new path, as its version 1."""
    _require_admin(command.actor)
    path_id = command.path_id
    path = build_path(path_id=path_id, version=1, title=command.title, modules=command.modules)
    if not await ctx.store.add_path(path, created_by=command.actor.user_id):
        existing = await ctx.store.path(path_id, 1)
        if existing == path:
            return existing  # a retried request
        raise Conflict(
            f"learning path {path_id!r} exists already; publish a new version of it instead"
        )
    return path


async def publish_path_version(
    command: commands.PublishPathVersion, ctx: Context
) -> tuple[LearningPath, bool]:
    """The next version of a path; every tracking stays on the version it follows.

    Publishing the same content as the latest version again (a retried request) creates nothing
    and returns that version with False.
    """
    _require_admin(command.actor)
    path_id = command.path_id

    async def attempt() -> tuple[LearningPath, bool]:
        latest = await ctx.store.latest_path(path_id)
        path = build_path(
            path_id=path_id,
            version=latest.version + 1,
            title=command.title,
            modules=command.modules,
        )
        if (path.title, path.modules) == (latest.title, latest.modules):
            return latest, False
        if not await ctx.store.add_path(path, created_by=command.actor.user_id):
            raise ConcurrentUpdate("learning path", path_id)  # someone published meanwhile
        return path, True

    return await retrying(attempt)


# ---- detection (worker) ---------------------------------------------------------------------


async def detect_stalls(ctx: Context, *, batch: int = 1000) -> int:
    """Look at every active tracking that may have stalled; returns how many emitted a signal.

    Detection is a pure function of the tracking and the time, so running it late (after
    downtime) or twice emits each stall once. Each program has its own stall window (the
    setting is the fallback for a program not known yet). Only the trackings that may stall or
    escalate under the shortest window are read, a few fields of each; they are written back in
    batches, one bulk write each, every update guarded by the tracking's version.
    """
    now = ctx.clock()
    windows = await ctx.store.stall_windows()
    shortest = min([ctx.stall_window, *windows.values()])
    signalled = 0
    pages = ctx.store.detection_candidates(
        stall_before=now - shortest,
        escalate_before=now - ESCALATION_FACTOR * shortest,
        batch=batch,
    )
    async for page in pages:
        detected = []
        for candidate in page:
            window = windows.get(candidate.tracking.program_id, ctx.stall_window)
            transition = detect(candidate.tracking, now=now, stall_window=window)
            if transition.changed:
                events = envelopes(
                    transition.signals, clock=ctx.clock, correlation_id=ctx.correlation_id
                )
                detected.append(Detected(candidate, transition.tracking, events))
        signalled += await ctx.store.save_detected(detected)
    return signalled
