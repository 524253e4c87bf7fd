"""Notify's part of a person's erasure (GDPR article 17), when mentoring announces it.

For each participation named: the notifications other people keep that name the person (about
them, for their mentors, mentees and their programs' admins) have the name replaced by a neutral
wording in the reader's language (``domain.erasure``), in the settled deliveries' copies too;
the person's own notifications go with all their deliveries, and so do the reminders, check-in
watches, weekly-digest records and parked events about them; their directory entry becomes a
pseudonym entry (marked erased: a later event brings no name or address back, notifies them no
more and names them no more). For the whole account (scope ``person``): their preferences
(webhook URL and secret included), their remaining deliveries and their export parts go. As an
admin of the programs named, their entry keeps their account id alone.

The directory is pseudonymised last: the names to replace are read from it, so a request
redelivered after a failure still finds them. Every step leaves what is erased erased, so a
redelivery or a second worker does it again harmlessly; the done event goes out once, in the
outbox of the erasure's record.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import NotifyErasureDone, PersonalDataErasureRequested
from mentorship_runtime.logging import get_logger
from mentorship_runtime.moments import as_stored
from notify.domain.directory import Language
from notify.domain.erasure import texts_without
from notify.service_layer.ports import Erasures, KeptNotification

log = get_logger("notify.erasures")
PRODUCER = "notify"
COUNTED = (
    "directory_entries",
    "notifications",
    "deliveries",
    "preferences",
    "records_about",
    "export_parts",
    "notifications_reworded",
    "program_admins",
)


@dataclass
class ErasureContext:
    erasures: Erasures
    clock: Callable[[], datetime]
    correlation_id: str | None = None
    settle_seconds: float = 2.0
    """How long the erasure waits before rewording again what planners that read the person's
    name just before the directory forgot it may have stored since."""


async def on_erasure_requested(event: Envelope[Any], ctx: ErasureContext) -> None:
    data: PersonalDataErasureRequested = event.data
    store = ctx.erasures
    if await store.done(data.erasure_id):
        log.info("erasure_already_done", erasure_id=data.erasure_id, event_id=str(event.event_id))
        return
    counts: Counter[str] = Counter(dict.fromkeys(COUNTED, 0))
    participant_ids = list(dict.fromkeys(data.participant_ids))
    # planners see them as naming and reaching no one from now on; what was planned from the
    # directory before is reworded, twice: a planner that read a name just before may store its
    # notification just after. Their entry keeps the name until the end (``pseudonymise``), so
    # a redelivered request finds it again after a crash.
    for participant_id in participant_ids:
        await store.mark_erasing(participant_id)
    entries = await store.entries(participant_ids)
    names = sorted({e.display_name for e in entries if e.display_name})
    emails = sorted({e.email for e in entries if e.email})
    if names or emails:
        counts["notifications_reworded"] += await _reword(ctx, data, names, emails)
        await asyncio.sleep(ctx.settle_seconds)
        counts["notifications_reworded"] += await _reword(ctx, data, names, emails)
    for notification_id in await store.notifications_of(
        data.subject_user_id if data.scope == "person" else None, participant_ids
    ):
        counts["deliveries"] += await store.delete_notification(notification_id)
        counts["notifications"] += 1
    for participant_id in participant_ids:
        counts["records_about"] += await store.delete_about(participant_id)
    if data.scope == "person":
        counts["deliveries"] += await store.delete_deliveries_of(data.subject_user_id)
        counts["preferences"] += await store.delete_preferences(data.subject_user_id)
    # an export of theirs holds what was erased, whatever it covered (they may ask again)
    counts["export_parts"] += await store.delete_parts(data.subject_user_id)
    counts["program_admins"] += await store.forget_admin(data.program_ids, data.subject_user_id)
    for participant_id in participant_ids:
        await store.pseudonymise(participant_id)
        counts["directory_entries"] += 1
    done_at = as_stored(ctx.clock())
    totals = {name: counts[name] for name in COUNTED}
    done = new_envelope(
        NotifyErasureDone(
            erasure_id=data.erasure_id, service=PRODUCER, counts=totals, done_at=done_at
        ),
        producer=PRODUCER,
        cause=event,
        clock=ctx.clock,
    )
    recorded = await store.record(data.erasure_id, participant_ids, totals, done_at, [done])
    log.info(
        "erasure_done",
        erasure_id=data.erasure_id,
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        recorded=recorded,
        **totals,
    )


async def _reword(
    ctx: ErasureContext, data: PersonalDataErasureRequested, names: list[str], emails: list[str]
) -> int:
    """Replace the names (and addresses, in invitations) in the notifications of others that
    may name the person; how many notifications changed."""
    store = ctx.erasures
    erased = set(data.participant_ids)
    candidates = await _may_name(store, data)
    admins = await store.admins_of(data.program_ids)
    read_by = sorted({str(c.recipient_id) for c in candidates.values()})
    readers = {e.person_id: e.language for e in await store.entries(read_by)}
    reworded = 0
    for notification in candidates.values():
        if notification.recipient_id in erased:
            continue  # the person's own: deleted next
        recipient = str(notification.recipient_id)
        language = _language(readers[recipient] if recipient in readers else admins.get(recipient))
        after = texts_without(notification.texts, names, emails, language)
        if after != notification.texts:
            await store.rewrite_texts(notification.notification_id, after)
            reworded += 1
        for copy in await store.copies_of(notification.notification_id):
            rewritten = texts_without(copy.texts, names, emails, language)
            if rewritten != copy.texts:
                await store.rewrite_copy(copy, rewritten)
    return reworded


async def _may_name(
    store: Erasures, data: PersonalDataErasureRequested
) -> dict[str, KeptNotification]:
    """The notifications about the participations, and those of their mentors, mentees and
    programs' admins, by id."""
    found: dict[str, KeptNotification] = {}

    def keep(notifications: list[KeptNotification]) -> None:
        found.update({n.notification_id: n for n in notifications})

    for participant_id in set(data.participant_ids):
        keep(await store.notifications_about(participant_id))
        mentees, mentors = await store.partners_of(participant_id)
        for partner in sorted(mentees | mentors):
            keep(await store.notifications_to(partner))
    admins = set(await store.admins_of(data.program_ids)) - {data.subject_user_id}
    for admin in sorted(admins):
        keep(await store.notifications_of_account(admin))
    return found


def _language(language: str | None) -> Language:
    """The language of a directory entry (or of an admin's), English when unknown."""
    try:
        return Language(language or "en")
    except ValueError:
        return Language.EN
