"""Handlers of notify: keep the directory from mentoring's events, and turn what happens into
notifications in each recipient's in-app inbox.

Idempotent by construction: a notification's id derives from the event, the recipient and the
kind, so a redelivered event finds its notifications stored already and publishes nothing more.
An event that names someone the directory does not know yet is parked and planned again when
they arrive (events come out of order across topics); the ones already stored are not repeated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mentorship_contracts import Envelope, decode_event, new_envelope
from mentorship_contracts.events import (
    NotificationCreated,
    NotificationRead,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrawn,
    ProgramPublished,
)
from mentorship_runtime.auth import Principal
from mentorship_runtime.logging import get_logger
from notify.adapters.deliveries import DeliveryStore
from notify.adapters.store import NotifyStore
from notify.domain.directory import Directory
from notify.domain.dispatch import plan_deliveries
from notify.domain.errors import Invalid
from notify.domain.events import Occurrence
from notify.domain.notifications import Notification
from notify.domain.preferences import Preferences
from notify.domain.rules import UnknownRecipient, plan
from notify.service_layer.preferences import preferences_of
from notify.service_layer.translate import occurrence_of

PRODUCER = "notify"
log = get_logger("notify.handlers")


@dataclass
class Context:
    store: NotifyStore
    deliveries: DeliveryStore
    clock: Callable[[], datetime]
    correlation_id: str | None = None
    reminder_delay: timedelta = timedelta(days=2)


ADMINS_KEY = "admins:"
"""Parked events waiting for a program's admins wait for ``admins:<program id>``."""


def _admins_key(program_id: str) -> str:
    return ADMINS_KEY + program_id


# ---- the directory --------------------------------------------------------------------------


async def on_participant(event: Envelope[Any], ctx: Context) -> None:
    data = event.data
    fields: dict[str, Any]
    if isinstance(data, ParticipantRegistered):
        fields = {
            "user_id": data.user_id,
            "display_name": data.display_name,
            "email": data.email,
            "language": data.language,
            "timezone": data.timezone,
            "roles": list(data.roles),
            "program_id": data.program_id,
            "withdrawn": False,
        }
    elif isinstance(data, ParticipantUpdated):
        changed = data.model_dump(exclude_none=True, exclude={"participant_id"})
        fields = {"program_id": data.program_id, **changed}
    elif isinstance(data, ParticipantWithdrawn):
        fields = {"program_id": data.program_id, "withdrawn": True}
    else:
        return
    await ctx.store.remember_person(data.participant_id, fields)
    await _replay(data.participant_id, ctx)


async def on_program(event: Envelope[Any], ctx: Context) -> None:
    data: ProgramPublished = event.data
    await ctx.store.remember_program(
        data.program_id, data.name, [admin.model_dump() for admin in data.admins]
    )
    await _replay(_admins_key(data.program_id), ctx)


async def _replay(key: str, ctx: Context) -> None:
    """Plan the events parked for ``key`` again, then let them go: a crash in between leaves
    them parked for the redelivery of the event that called this. An event still waiting for
    someone else is parked again meanwhile (with a new mark), and then stays."""
    for parked in await ctx.store.parked_for(key):
        await on_occurrence(decode_event(parked["raw"]), ctx)
        await ctx.store.unpark(parked["_id"], parked.get("mark"))


# ---- notifications --------------------------------------------------------------------------


async def on_occurrence(event: Envelope[Any], ctx: Context) -> int:
    """Plan and store the notifications an event causes; returns how many were new."""
    occurrence = occurrence_of(event)
    if occurrence is None:
        return 0
    return await notify(occurrence, ctx, event)


async def notify(occurrence: Occurrence, ctx: Context, cause: Envelope[Any] | None) -> int:
    """Store the occurrence's notifications, each once, and plan their deliveries. Deliveries are
    planned even for a notification stored before: a crash between the two writes is repaired
    by the redelivery, and planning twice inserts nothing twice (derived ids)."""
    people = await ctx.store.recipients([occurrence.mentee_id, occurrence.mentor_id or ""])
    admins = await ctx.store.program_admins(occurrence.program_id)
    directory = Directory.of(people, [admins] if admins else [])
    planned = plan(occurrence, directory)
    user_of = {p.person_id: p.user_id for p in people}
    if admins is not None:
        user_of.update({a.person_id: a.user_id for a in admins.admins})
    recipient_of = {p.person_id: p for p in people}
    if admins is not None:
        recipient_of.update({a.person_id: a for a in admins.admins})
    preferences = await ctx.store.preferences_of([u for u in user_of.values() if u])
    created = 0
    for notification in planned.notifications:
        user_id = user_of.get(notification.recipient_id)
        announcement = _created(notification, user_id, occurrence, cause, ctx)
        if await ctx.store.add(notification, user_id, [announcement]):
            created += 1
        chosen = _preferences(user_id, preferences.get(user_id or ""))
        await ctx.deliveries.plan(
            user_id,
            plan_deliveries(
                notification, recipient_of[notification.recipient_id], chosen, ctx.clock()
            ),
        )
    if planned.unknown and cause is not None:
        waiting = await _park_for(planned.unknown, occurrence.program_id, cause, ctx)
        # Whoever was missing may have arrived between the lookup above and the parking, their
        # handler finding nothing parked yet (directory events travel on other topics, handled
        # at the same time): look again, and replay now what has become known. Between the two
        # handlers one sees the other's write, so the event is never left parked for good.
        for key in waiting:
            if await _known(key, ctx):
                await _replay(key, ctx)
    log.info("notifications_planned", created=created, unknown=len(planned.unknown))
    return created


async def _known(key: str, ctx: Context) -> bool:
    if key.startswith(ADMINS_KEY):
        return await ctx.store.program_admins(key.removeprefix(ADMINS_KEY)) is not None
    return bool(await ctx.store.recipients([key]))


def _preferences(user_id: str | None, stored: dict[str, Any] | None) -> Preferences:
    try:
        return preferences_of(user_id or "-", stored)
    except Invalid as exc:  # stored preferences are validated; an edit by hand is not
        log.warning("preferences_unreadable", user_id=user_id, error=str(exc))
        return Preferences.default(user_id or "-")


async def _park_for(
    unknown: tuple[UnknownRecipient, ...], program_id: str, event: Envelope[Any], ctx: Context
) -> list[str]:
    waiting = sorted({u.person_id or _admins_key(program_id) for u in unknown})
    await ctx.store.park(str(event.event_id), event.to_bytes().decode(), waiting, event.occurred_at)
    return waiting


def _created(
    notification: Notification,
    user_id: str | None,
    occurrence: Occurrence,
    cause: Envelope[Any] | None,
    ctx: Context,
) -> Envelope[Any]:
    return new_envelope(
        NotificationCreated(
            notification_id=notification.notification_id,
            recipient_id=user_id or notification.recipient_id,
            kind=notification.kind.value,
            priority=notification.priority.value,
            title=notification.title,
            body=notification.body,
            subject_id=notification.subject_id,
            created_at=notification.created_at,
        ),
        producer=PRODUCER,
        cause=cause,
        correlation_id=ctx.correlation_id or occurrence.event_id,
        clock=ctx.clock,
    )


async def mark_read(ctx: Context, actor: Principal, notification_ids: list[str]) -> int:
    marked = 0
    for notification_id in dict.fromkeys(notification_ids):
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
