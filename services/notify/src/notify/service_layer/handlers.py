"""Handlers of notify: keep the directory from mentoring's events, and turn what happens into
notifications in each recipient's in-app inbox.

Idempotent by construction: a notification's id derives from the event, the recipient and the
kind, so a redelivered event finds its notifications stored already and publishes nothing more.
An event that names someone the directory does not know yet is parked and planned again when
they arrive (events come out of order across topics); the ones already stored are not repeated.

Someone is named as a recipient, or in the text: the mentee (the notification's subject) and
their mentor, when the event does not carry their name (progress's events carry ids only). An
event naming an unknown recipient plans the notifications of the others at once; an event naming
an unknown mentee or mentor plans nothing until they arrive, since every text would read "the
mentee" instead of a name. That wait has a bound (``NAMES_WAIT``), for someone who never arrives
(withdrawn before notify saw them, erased): past it ``plan_overdue`` plans the event with the
generic wording, and it waits on only for recipients still unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any

from mentorship_contracts import Envelope, decode_event, new_envelope
from mentorship_contracts.events import (
    NotificationRead,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrawn,
    ProgramPublished,
)
from mentorship_runtime.batched import Batched
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.logging import get_logger
from mentorship_runtime.tracing import continuing, trace_headers
from notify.domain.directory import Directory, Recipient
from notify.domain.events import Occurrence
from notify.domain.rules import UnknownRecipient, plan
from notify.service_layer.commands import MarkRead
from notify.service_layer.context import Context
from notify.service_layer.delivery import PRODUCER, Addressed, store_all
from notify.service_layer.ports import AdminFacts, ParkedEvent, PersonFacts, ProgramFacts
from notify.service_layer.translate import occurrence_of

NAMES_WAIT = timedelta(minutes=10)
"""How long an event waits for the name of someone it names before it is planned without it."""
OVERDUE_BATCH = 200
"""How many events waiting past ``NAMES_WAIT`` one round of ``plan_overdue`` plans."""
OVERDUE_POLL_SECONDS = 60.0
"""How often the worker looks for them: an event waits ``NAMES_WAIT`` plus up to this long."""
log = get_logger("notify.handlers")


ADMINS_KEY = "admins:"
"""Parked events waiting for a program's admins wait for ``admins:<program id>``."""


def _admins_key(program_id: str) -> str:
    return ADMINS_KEY + program_id


# ---- the directory --------------------------------------------------------------------------


async def on_participant(event: Envelope[Any], ctx: Context) -> None:
    """Keep what an event says of a person, field by field, unless a newer event said otherwise
    (``Store.remember_person``), then plan what was parked for them; a withdrawal is
    also told to the program's admins (``on_occurrence``)."""
    data = event.data
    facts: PersonFacts
    if isinstance(data, ParticipantRegistered):
        facts = PersonFacts(
            program_id=data.program_id,
            user_id=data.user_id,
            display_name=data.display_name,
            email=data.email,
            language=data.language,
            timezone=data.timezone,
            roles=tuple(data.roles),
            withdrawn=False,
        )
    elif isinstance(data, ParticipantUpdated):
        said = data.model_dump(exclude_none=True, exclude={"participant_id", "program_id"})
        if "roles" in said:
            said["roles"] = tuple(said["roles"])
        facts = PersonFacts(program_id=data.program_id, **said)
    elif isinstance(data, ParticipantWithdrawn):
        facts = PersonFacts(program_id=data.program_id, withdrawn=True)
    else:
        return
    await ctx.store.remember_person(data.participant_id, facts, EventOrder.of(event))
    await _replay(data.participant_id, ctx)
    if isinstance(data, ParticipantWithdrawn):  # the admins are told who left
        await on_occurrence(event, ctx)


async def on_program(event: Envelope[Any], ctx: Context) -> None:
    data: ProgramPublished = event.data
    program = ProgramFacts(
        program_id=data.program_id,
        name=data.name,
        admins=tuple(AdminFacts(**admin.model_dump()) for admin in data.admins),
        check_in_reminder_days=data.check_in_reminder_days,
    )
    await ctx.store.remember_program(program, EventOrder.of(event))
    await _replay(_admins_key(data.program_id), ctx)


async def _replay(key: str, ctx: Context) -> None:
    """Plan the events parked for ``key`` again, then let them go: a crash in between leaves
    them parked for the redelivery of the event that called this. An event still waiting for
    someone else is parked again meanwhile (with a new mark), and then stays."""
    for parked in await ctx.store.parked_for(key):
        await _plan_parked(parked, ctx)


async def plan_overdue(ctx: Context) -> int:
    """Plan, with the generic wording where a name is missing, the events that have waited
    ``NAMES_WAIT`` for the name of someone they name; returns how many. Planned first, let go
    after, as a replay is: a crash leaves them parked for the next round. An event still waiting
    for a recipient stays parked for them, no longer for a name, and is not planned again here."""
    overdue = await ctx.store.overdue(ctx.clock(), OVERDUE_BATCH)
    for parked in overdue:
        await _plan_parked(parked, ctx)
    if overdue:
        log.info("overdue_events_planned", events=len(overdue))
    return len(overdue)


async def _plan_parked(parked: ParkedEvent, ctx: Context) -> None:
    """Plan a parked event (without waiting for names any more once its wait is over), then let
    go of the parking read, unless the event was parked again meanwhile."""
    event = decode_event(parked.raw)
    occurrence = occurrence_of(event)
    if occurrence is not None:
        due = parked.names_due
        waived = due is not None and due <= ctx.clock()
        scope = partial(continuing, dict(parked.trace), "notify plan parked")
        await notify_all([Pending(occurrence, event, scope, names_waived=waived)], ctx)
    await ctx.store.unpark(parked.event_id, parked.mark)


# ---- notifications --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """An occurrence to notify, with the event that caused it and the scope (log fields, trace)
    its announcements are made in."""

    occurrence: Occurrence
    cause: Envelope[Any] | None
    scope: Callable[[], AbstractContextManager[None]] = nullcontext
    names_waived: bool = False
    """Planned even if someone it names is unknown (their wait is over): generic wording."""


async def on_occurrence(event: Envelope[Any], ctx: Context) -> int:
    """Plan and store the notifications an event causes; returns how many were new."""
    occurrence = occurrence_of(event)
    if occurrence is None:
        return 0
    return await notify_all([Pending(occurrence, event)], ctx)


async def on_occurrences(items: Sequence[Batched], ctx: Context) -> int:
    """``on_occurrence`` for a batch of events, with one write for all their notifications and
    one for all their deliveries."""
    pending = []
    for item in items:
        occurrence = occurrence_of(item.event)
        if occurrence is not None:
            pending.append(Pending(occurrence, item.event, item.scope))
    return await notify_all(pending, ctx)


async def notify(occurrence: Occurrence, ctx: Context, cause: Envelope[Any] | None) -> int:
    return await notify_all([Pending(occurrence, cause)], ctx)


async def notify_all(pending: Sequence[Pending], ctx: Context) -> int:
    """Store the occurrences' notifications, each once, and plan their deliveries; returns how
    many notifications were new. Deliveries are planned even for a notification stored before:
    a crash between the writes is repaired by the redelivery, and planning twice inserts nothing
    twice (derived ids)."""
    if not pending:
        return 0
    wanted = [i for p in pending for i in (p.occurrence.mentee_id, p.occurrence.mentor_id) if i]
    people = {person.person_id: person for person in await ctx.store.recipients(wanted)}
    admins_of = {
        program_id: await ctx.store.program_admins(program_id)
        for program_id in dict.fromkeys(p.occurrence.program_id for p in pending)
    }
    plans = []
    for item in pending:
        named = (item.occurrence.mentee_id, item.occurrence.mentor_id)
        mine = [people[i] for i in dict.fromkeys(named) if i and i in people]
        admins = admins_of[item.occurrence.program_id]
        recipient_of = {r.person_id: r for r in [*mine, *(admins.admins if admins else ())]}
        planned = plan(item.occurrence, Directory.of(mine, [admins] if admins else []))
        unnamed = _unnamed(item, people)
        if unnamed:  # planned when they arrive, or when their wait is over
            planned = replace(planned, notifications=())
        plans.append((item, planned, recipient_of, unnamed))
    addressed = [
        Addressed(
            notification,
            recipient_of[notification.recipient_id],
            item.cause,
            ctx.correlation_id or item.occurrence.event_id,
            item.scope,
        )
        for item, planned, recipient_of, _ in plans
        for notification in planned.notifications
    ]
    new = await store_all(addressed, ctx)
    created = len(new)
    unknown = waiting = 0
    for item, planned, _, unnamed in plans:
        if (planned.unknown or unnamed) and item.cause is not None:
            unknown += len(planned.unknown)
            waiting += bool(unnamed)
            with item.scope():
                await _park(planned.unknown, unnamed, item.occurrence.program_id, item.cause, ctx)
    log.info(
        "notifications_planned",
        events=len(pending),
        created=created,
        unknown=unknown,
        waiting_for_names=waiting,
    )
    return created


def _unnamed(item: Pending, people: Mapping[str, Recipient]) -> list[str]:
    """Who the occurrence names (its mentee, their mentor) without carrying their name and the
    directory does not know: its texts would say "the mentee" or "the mentor". Nobody once the
    wait for them is over, nor for an occurrence that no event caused (a reminder: nothing to
    park)."""
    if item.names_waived or item.cause is None:
        return []
    occurrence = item.occurrence
    named = [
        (occurrence.mentee_id, occurrence.mentee_name),
        (occurrence.mentor_id, occurrence.mentor_name),
    ]
    return [i for i, name in named if i and not (name and name.strip()) and i not in people]


async def _park(
    unknown: tuple[UnknownRecipient, ...],
    unnamed: Sequence[str],
    program_id: str,
    cause: Envelope[Any],
    ctx: Context,
) -> None:
    waiting = await _park_for(unknown, unnamed, program_id, cause, ctx)
    # Whoever was missing may have arrived between the lookup and the parking, their handler
    # finding nothing parked yet (directory events travel on other topics, handled at the same
    # time): look again, and replay now what has become known. Between the two handlers one
    # sees the other's write, so the event is never left parked for good.
    for key in waiting:
        if await _known(key, ctx):
            await _replay(key, ctx)


async def _known(key: str, ctx: Context) -> bool:
    if key.startswith(ADMINS_KEY):
        return await ctx.store.program_admins(key.removeprefix(ADMINS_KEY)) is not None
    return bool(await ctx.store.recipients([key]))


async def _park_for(
    unknown: tuple[UnknownRecipient, ...],
    unnamed: Sequence[str],
    program_id: str,
    event: Envelope[Any],
    ctx: Context,
) -> list[str]:
    waiting = sorted({u.person_id or _admins_key(program_id) for u in unknown} | set(unnamed))
    names_due = ctx.clock() + NAMES_WAIT if unnamed else None
    await ctx.store.park(
        str(event.event_id),
        event.to_bytes().decode(),
        waiting,
        event.occurred_at,
        names_due,
        trace=trace_headers(),
    )
    return waiting


async def mark_read(command: MarkRead, ctx: Context) -> int:
    """Mark the actor's notifications read, each with its ``NotificationRead`` event; returns
    how many were unread and theirs."""
    actor = command.actor
    marked = 0
    for notification_id in dict.fromkeys(command.notification_ids):
        event = new_envelope(
            NotificationRead(
                recipient_id=actor.user_id, notification_ids=[notification_id], read_at=ctx.clock()
            ),
            producer=PRODUCER,
            correlation_id=ctx.correlation_id,
            clock=ctx.clock,
        )
        marked += await ctx.store.mark_read(actor.user_id, notification_id, [event])
    return marked
