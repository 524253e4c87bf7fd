"""Planning sessions ahead: plan, reschedule, cancel, and confirm one as held.

Who may act: the mentee and their current mentor, while the mentee's tracking is active (an
accepted match in progress), and only on a session planned with that mentor. Admins do not plan
other people's sessions. Each change is written with its event (``SessionPlanned``,
``PlannedSessionRescheduled``, ``PlannedSessionCancelled``), from which notify sends both sides
a calendar invitation.

Confirming a planned session as held logs it in the mentee's tracking as a session (its id the
planned session's, held on the start's date in the session's time zone, with the planned duration
and modules, the confirmer's notes and rating), which publishes ``SessionLogged`` as logging does,
then marks the planned session held. A retry after a failure between the two finds the session
logged (the same id and values change nothing) and marks it held.

When a match ends (``MatchEnded``) or the mentee withdraws, the tracking is paused or stopped as
before, then the platform cancels the match's planned sessions still ahead, so that both sides'
calendars lose them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts import events as contract
from mentorship_runtime.concurrency import retrying
from mentorship_runtime.principal import Principal
from progress.domain.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from progress.domain.planned_sessions import (
    Change,
    PlannedSession,
    PlannedStatus,
    Role,
    Schedule,
    When,
)
from progress.domain.tracking import TrackingState
from progress.service_layer import commands, handlers
from progress.service_layer.events import PRODUCER
from progress.service_layer.handlers import Context
from progress.service_layer.ports import PlannedPage, Stored, StoredPlan
from progress.service_layer.queries import MAX_PAGE

# ---- mentoring's events: a match that ends takes its sessions ahead with it ------------------


async def on_match_ended(event: Envelope[Any], ctx: Context) -> None:
    """Pause the tracking (``handlers.on_match_closed``), then cancel the match's planned
    sessions still ahead, unless the mentee is active with that mentor again (an old ending
    replayed after a re-match with the same mentor)."""
    await handlers.on_match_closed(event, ctx)
    data: contract.MatchEnded = event.data
    stored = await ctx.store.find(data.mentee_id)
    if (
        stored is not None
        and stored.tracking.state is TrackingState.ACTIVE
        and stored.tracking.mentor_id == data.mentor_id
    ):
        return
    await cancel_ahead(ctx, event, data.mentee_id, data.mentor_id)


async def on_participant_withdrawn(event: Envelope[Any], ctx: Context) -> None:
    """Stop the tracking (``handlers.on_participant_withdrawn``), then cancel the planned
    sessions still ahead of the person, as a mentee (a mentor's matches end by their own
    events)."""
    await handlers.on_participant_withdrawn(event, ctx)
    data: contract.ParticipantWithdrawn = event.data
    await cancel_ahead(ctx, event, data.participant_id, None)


async def cancel_ahead(
    ctx: Context, cause: Envelope[Any], mentee_id: str, mentor_id: str | None
) -> int:
    """Cancel, as the platform, the mentee's sessions still scheduled and ahead with
    ``mentor_id`` (with anyone when None); returns how many. Repeating it cancels nothing more:
    a cancelled session stays as it is."""
    now = ctx.clock()
    ahead: list[str] = []
    after: str | None = None
    while True:
        page = await ctx.planned.page_of_mentee(
            mentee_id, when=When.UPCOMING, now=now, first=MAX_PAGE, after=after
        )
        ahead += [
            session.id
            for session in page.items
            if session.status is PlannedStatus.SCHEDULED
            and (mentor_id is None or session.mentor_id == mentor_id)
        ]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    for planned_session_id in ahead:
        await _cancel_as_platform(ctx, planned_session_id, cause)
    return len(ahead)


async def _cancel_as_platform(ctx: Context, planned_session_id: str, cause: Envelope[Any]) -> None:
    async def attempt() -> None:
        found = await ctx.planned.get(planned_session_id)
        after, what = found.session.cancel(by="platform", reason=None, now=ctx.clock())
        if what is not None:
            await ctx.planned.save(found, after, [_event(after, what, ctx, cause=cause)])

    await retrying(attempt)


def _side(stored: Stored, actor: Principal) -> Role:
    if actor.user_id == stored.mentee_user_id:
        return "mentee"
    if stored.mentor_user_id is not None and actor.user_id == stored.mentor_user_id:
        return "mentor"
    raise Forbidden("only the mentee and their current mentor can plan their sessions")


def _require_active(stored: Stored, action: str) -> str:
    tracking = stored.tracking
    if tracking.state is not TrackingState.ACTIVE or tracking.mentor_id is None:
        raise InvalidTransition("mentee", tracking.mentee_id, tracking.state.value, action)
    return tracking.mentor_id


async def _checked_modules(ctx: Context, stored: Stored, schedule: Schedule) -> None:
    path = await ctx.store.path(stored.tracking.path_id, stored.tracking.path_version)
    for module_id in schedule.module_ids:
        path.module(module_id)


def _event(
    session: PlannedSession,
    change: Change,
    ctx: Context,
    *,
    cause: Envelope[Any] | None = None,
    **extra: Any,
) -> Envelope[Any]:
    schedule = session.schedule
    fields: dict[str, Any] = {
        "mentee_id": session.mentee_id,
        "mentor_id": session.mentor_id,
        "program_id": session.program_id,
        "planned_session_id": session.id,
        "sequence": session.sequence,
        "starts_at": schedule.starts_at,
        "time_zone": schedule.time_zone,
        "duration_minutes": schedule.duration_minutes,
        "location": schedule.location,
        "video_url": schedule.video_url,
        "module_ids": list(schedule.module_ids),
        "changed_by": session.changed_by,
        "planned_by": session.planned_by,
        **extra,
    }
    payload_class = {
        Change.PLANNED: contract.SessionPlanned,
        Change.RESCHEDULED: contract.PlannedSessionRescheduled,
        Change.CANCELLED: contract.PlannedSessionCancelled,
    }[change]
    return new_envelope(
        payload_class(**fields),
        producer=PRODUCER,
        cause=cause,
        correlation_id=ctx.correlation_id,
        clock=ctx.clock,
    )


async def planned_of(
    ctx: Context,
    actor: Principal,
    mentee_id: str,
    *,
    when: When = When.UPCOMING,
    first: int = 20,
    after: str | None = None,
) -> PlannedPage:
    """A page of a mentee's planned sessions (``When``), for the mentee and their current
    mentor; anyone else is told the mentee is not found, as for every read of a mentee's
    history. A cursor names its list (``upcoming.…``, ``past.…``): another list's is refused."""
    if not 1 <= first <= MAX_PAGE:
        raise Invalid("first", f"must be 1 to {MAX_PAGE}")
    own = _cursor_of(when, after)
    stored = await ctx.store.get(mentee_id)
    try:
        _side(stored, actor)
    except Forbidden:
        raise NotFound("mentee", mentee_id) from None
    page = await ctx.planned.page_of_mentee(
        mentee_id, when=when, now=ctx.clock(), first=first, after=own
    )
    tagged = None if page.next_cursor is None else f"{when.value}.{page.next_cursor}"
    return PlannedPage(page.items, tagged)


def _cursor_of(when: When, after: str | None) -> str | None:
    """The store's cursor inside a list's cursor."""
    if after is None:
        return None
    name, dot, cursor = after.partition(".")
    if not dot or name != when.value or not cursor:
        raise Invalid("after", "not a cursor returned by this list")
    return cursor


async def planned_session(
    ctx: Context, actor: Principal, planned_session_id: str
) -> PlannedSession:
    """One planned session, for whom ``planned_of`` lists it (the mentee and their current
    mentor); anyone else is told it is not found, as is a session nobody planned."""
    session = await ctx.planned.find(planned_session_id)
    if session is None:
        raise NotFound("planned session", planned_session_id)
    try:
        _side(await ctx.store.get(session.mentee_id), actor)
    except Forbidden:
        raise NotFound("planned session", planned_session_id) from None
    return session


async def plan_session(command: commands.PlanSession, ctx: Context) -> PlannedSession:
    """Plan a session; the same request again (same id and schedule) answers the first one."""
    mentee_id, planned_session_id, schedule = (
        command.mentee_id,
        command.planned_session_id,
        command.schedule,
    )
    stored = await ctx.store.get(mentee_id)
    side = _side(stored, command.actor)
    mentor_id = _require_active(stored, "plan a session for")
    await _checked_modules(ctx, stored, schedule)
    try:
        session = PlannedSession.plan(
            planned_session_id=planned_session_id,
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            program_id=stored.tracking.program_id,
            schedule=schedule,
            by=side,
            now=ctx.clock(),
        )
    except Invalid:  # a retry once the start has passed still answers what it planned
        earlier = await ctx.planned.find(planned_session_id)
        if earlier is not None and (earlier.mentee_id, earlier.schedule, earlier.planned_by) == (
            mentee_id,
            schedule,
            side,
        ):
            return earlier
        raise
    if await ctx.planned.insert(session, [_event(session, Change.PLANNED, ctx)]):
        return session
    existing = (await ctx.planned.get(planned_session_id)).session
    if existing.same_plan(session):
        return existing
    raise Conflict(f"planned session {planned_session_id!r} exists with other values")


async def _change(
    ctx: Context,
    actor: Principal,
    planned_session_id: str,
    change: Callable[[PlannedSession, Role, Stored], tuple[PlannedSession, Change | None]],
) -> PlannedSession:
    """Read, decide and write under the version read, again if another change came first. A
    reschedule's event names the start it moved from, as read in the attempt that wrote it."""

    async def attempt() -> PlannedSession:
        found: StoredPlan = await ctx.planned.get(planned_session_id)
        stored = await ctx.store.get(found.session.mentee_id)
        side = _side(stored, actor)
        if side == "mentor" and stored.tracking.mentor_id != found.session.mentor_id:
            raise Forbidden("this session was planned with another mentor")
        after, what = change(found.session, side, stored)
        if what is None:
            return after
        extra: dict[str, Any] = {}
        if what is Change.RESCHEDULED:
            extra["previous_starts_at"] = found.session.schedule.starts_at
        events = [] if what is Change.HELD else [_event(after, what, ctx, **extra)]
        return (await ctx.planned.save(found, after, events)).session

    return await retrying(attempt)


def _with_current_mentor(session: PlannedSession, stored: Stored, action: str) -> None:
    """A reschedule or a confirmation needs the match it was planned in to be the current one."""
    mentor_id = _require_active(stored, action)
    if mentor_id != session.mentor_id:
        raise InvalidTransition("planned session", session.id, "ended_early", action)


async def reschedule_session(command: commands.RescheduleSession, ctx: Context) -> PlannedSession:
    schedule = command.schedule

    def change(
        session: PlannedSession, side: Role, stored: Stored
    ) -> tuple[PlannedSession, Change | None]:
        _with_current_mentor(session, stored, "reschedule a session of")
        return session.reschedule(schedule, by=side, now=ctx.clock())

    found = await ctx.planned.get(command.planned_session_id)
    stored = await ctx.store.get(found.session.mentee_id)
    _side(stored, command.actor)
    await _checked_modules(ctx, stored, schedule)
    return await _change(ctx, command.actor, command.planned_session_id, change)


async def cancel_session(command: commands.CancelSession, ctx: Context) -> PlannedSession:
    def change(
        session: PlannedSession, side: Role, stored: Stored
    ) -> tuple[PlannedSession, Change | None]:
        return session.cancel(by=side, reason=command.reason, now=ctx.clock())

    return await _change(ctx, command.actor, command.planned_session_id, change)


async def confirm_held(command: commands.ConfirmHeld, ctx: Context) -> PlannedSession:
    found = await ctx.planned.get(command.planned_session_id)
    session = found.session
    stored = await ctx.store.get(session.mentee_id)
    side = _side(stored, command.actor)
    if side == "mentor" and stored.tracking.mentor_id != session.mentor_id:
        raise Forbidden("this session was planned with another mentor")
    _, what = session.confirm_held(by=side, now=ctx.clock())  # refused before anything is logged
    if what is None:
        return session
    _with_current_mentor(session, stored, "confirm a session of")
    await handlers.log_session(
        commands.LogSession(
            actor=command.actor,
            mentee_id=session.mentee_id,
            session_id=session.id,
            held_on=session.schedule.local_start.date(),
            duration_minutes=session.schedule.duration_minutes,
            module_ids=session.schedule.module_ids,
            notes=command.notes,
            rating=command.rating,
        ),
        ctx,
    )

    def change(
        current: PlannedSession, by: Role, _stored: Stored
    ) -> tuple[PlannedSession, Change | None]:
        return current.confirm_held(by=by, now=ctx.clock())

    return await _change(ctx, command.actor, command.planned_session_id, change)
