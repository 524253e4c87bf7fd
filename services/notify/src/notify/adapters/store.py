"""MongoDB persistence of notify: the recipients' directory, the in-app inbox, parked events.

A notification carries its events in its own outbox (``mentorship_runtime.outbox``): it is
inserted with the ``NotificationCreated`` event that announces it, and marking it read and its
``NotificationRead`` event are one update. A batch of notifications is one ``insert_many``, and
their announcements are removed after the publish by one bulk write.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.mongo import find_by_ids, insert_all_once, keep_if_newer
from mentorship_runtime.outbox import (
    Outbox,
    OutboxRelay,
    ensure_outbox_index,
    without_outbox,
    written_entries,
)
from mentorship_runtime.pagination import Keyset
from notify.domain.directory import Language, ProgramAdmins, Recipient, Role
from notify.domain.events import EventKind
from notify.domain.notifications import CalendarInvite, Notification, Priority
from notify.domain.preferences import Preferences, QuietHours
from notify.domain.subjects import About
from notify.service_layer.ports import (
    Announced,
    InboxEntry,
    ParkedEvent,
    PersonFacts,
    ProgramFacts,
    StoredPreferences,
)

Document = dict[str, Any]
HIDDEN = without_outbox()
NEWEST = Keyset("created_at", newest_first=True)
"""A person's notifications in pages, newest first."""


TRIES = 4
"""Attempts of a directory write that another write of the same document keeps overtaking."""


class NotifyStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.people: AsyncCollection[Document] = db["people"]
        self.programs: AsyncCollection[Document] = db["programs"]
        self.notifications: AsyncCollection[Document] = db["notifications"]
        self.parked: AsyncCollection[Document] = db["parked_events"]
        self.preferences: AsyncCollection[Document] = db["preferences"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)
        self._clock = clock

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [self.notifications]

    async def ensure_indexes(self) -> None:
        await self.notifications.create_index(
            [("user_id", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        await self.notifications.create_index([("user_id", ASCENDING), ("read_at", ASCENDING)])
        await self.notifications.create_index(
            [("user_id", ASCENDING), ("subject_id", ASCENDING), ("read_at", ASCENDING)]
        )
        await self.parked.create_index("waiting_for")
        await self.parked.create_index([("awaits_names", ASCENDING), ("names_due", ASCENDING)])
        await ensure_outbox_index(self.notifications)

    # ---- directory --------------------------------------------------------------------------

    async def remember_person(self, person_id: str, facts: PersonFacts, order: EventOrder) -> bool:
        """Set a person's fields from an event, each field only if no newer event set it: an old
        event (a dead letter replayed after newer ones) rolls nothing back, and still brings
        the fields no newer event changed. Each field keeps the event that last set it
        (``set_by``); a field without one was set before that was kept, by any event then. The
        entry of an erased person takes nothing.

        The fields are chosen on the document read and written under its ``version`` (read
        again when another write came in between). Returns whether anything was set."""
        fields = facts.said()
        for _ in range(TRIES):
            document = await self.people.find_one({"_id": person_id})
            if document is None:
                stamps = {name: order.document() for name in fields}
                try:
                    await self.people.insert_one(
                        {"_id": person_id, **fields, "set_by": stamps, "version": 1}
                    )
                except DuplicateKeyError:
                    continue  # remembered meanwhile: compare with that
                return True
            if document.get("erased") or document.get("erasing"):
                return False  # a pseudonym entry (``adapters.erasures``): nothing comes back
            set_by = document.get("set_by") or {}
            newer = {
                name: value
                for name, value in fields.items()
                if order.supersedes(EventOrder.from_document(set_by.get(name)))
            }
            if not newer:
                return False
            version = document.get("version")
            guard = {"_id": person_id, "version": version if version else {"$exists": False}}
            update = {
                **newer,
                **{f"set_by.{name}": order.document() for name in newer},
                "version": (version or 0) + 1,
            }
            result = await self.people.update_one(guard, {"$set": update})
            if result.matched_count:
                return True
        raise ConcurrentUpdate("person", person_id)

    async def remember_program(self, program: ProgramFacts, order: EventOrder) -> bool:
        """Keep a program's latest name, admins and the ``settings`` notify uses (the check-in
        reminder's days): an older ProgramPublished (a redelivery, a replay) never overwrites a
        newer one. One conditional update; the first state is inserted, and an insert that finds
        the program there (another state arrived meanwhile) tries the update again. Returns
        whether this state was kept."""
        program_id = program.program_id
        fields = {
            "name": program.name,
            "admins": [asdict(admin) for admin in program.admins],
            "check_in_reminder_days": program.check_in_reminder_days,
            "set_by": order.document(),
        }
        newer = {
            "_id": program_id,
            "$or": [
                {"set_by.micros": {"$lt": order.micros}},
                {"set_by.micros": order.micros, "set_by.event_id": {"$ne": order.event_id}},
                {"set_by": {"$exists": False}},  # written before the order was kept
            ],
        }
        return await keep_if_newer(self.programs, program_id, newer, fields, what="program")

    async def recipients(self, person_ids: Sequence[str]) -> list[Recipient]:
        found = await find_by_ids(self.people, person_ids)
        return [_recipient(d) for d in found if d and {"display_name", "program_id"} <= d.keys()]

    async def program_admins(self, program_id: str) -> ProgramAdmins | None:
        document = await self.programs.find_one({"_id": program_id})
        if document is None:
            return None
        admins = tuple(
            Recipient(
                person_id=a["user_id"],
                user_id=a["user_id"],
                display_name=a.get("display_name") or a["user_id"],
                email=a.get("email"),
                language=Language(a.get("language", "en")),
                timezone="UTC",
                roles=frozenset({Role.ADMIN}),
                program_id=program_id,
            )
            for a in document.get("admins", [])
        )
        return ProgramAdmins(program_id, admins)

    # ---- inbox ------------------------------------------------------------------------------

    def new_notification(
        self, notification: Notification, user_id: str | None, events: Sequence[Envelope[Any]]
    ) -> Document:
        """A notification as stored, with the events announcing it pending in its outbox (made
        in the caller's trace context, which they carry on)."""
        return self._outbox.document(notification_document(notification, user_id), events)

    async def add_all(self, items: Sequence[Announced]) -> set[str]:
        """Store each notification once and announce it once; returns the ids of those this
        call stored (the others were stored before: a redelivery or a replay).

        The notifications are inserted with their announcements pending (one unordered
        ``insert_many``; a duplicate key is a notification stored before). Then this call
        publishes the announcements of those it stored, and of those alone: a notification
        stored before was announced by whoever stored it, or, if that attempt died between
        the insert and the publish, its announcement is still pending and the sweep publishes
        it. So no announcement is lost, and redelivering or replaying an event announces
        nothing again (short of a crash right after a publish: at least once, with the same
        event id).
        """
        # a batch may hold the same event twice: the copy inserted is the one announced
        documents = []
        for item in items:
            with item.scope():  # the announcements carry on the trace of what caused them
                documents.append(
                    self.new_notification(item.notification, item.user_id, item.events)
                )
        stored = await insert_all_once(self.notifications, documents)
        written = {d["_id"]: written_entries(d) for d in stored}
        await self._outbox.publish_written_soon(self.notifications, written)
        return set(written)

    async def inbox(
        self, user_id: str, *, unread_only: bool, first: int, after: str | None
    ) -> tuple[list[InboxEntry], str | None]:
        query: Document = {"user_id": user_id}
        if unread_only:
            query["read_at"] = None
        cursor = (
            self.notifications.find(NEWEST.where(query, after or None), HIDDEN)
            .sort(NEWEST.order)
            .limit(first + 1)
        )
        found = [d async for d in cursor]
        items, cursor_after = NEWEST.page(found, first, lambda d: (d["created_at"], d["_id"]))
        return [_entry(d) for d in items], cursor_after

    async def notification_of(self, user_id: str, notification_id: str) -> InboxEntry | None:
        """One notification of ``user_id`` (None for another person's or an unknown id)."""
        found = await self.notifications.find_one(
            {"_id": notification_id, "user_id": user_id},
            HIDDEN,
        )
        return None if found is None else _entry(found)

    async def unread_count(self, user_id: str) -> int:
        return await self.notifications.count_documents({"user_id": user_id, "read_at": None})

    async def unread_by_subject(self, user_id: str, subject_ids: Sequence[str]) -> dict[str, int]:
        """Unread notifications of ``user_id`` per subject (0 for a subject with none)."""
        counts = dict.fromkeys(subject_ids, 0)
        pipeline: list[Document] = [
            {
                "$match": {
                    "user_id": user_id,
                    "read_at": None,
                    "subject_id": {"$in": list(counts)},
                }
            },
            {"$group": {"_id": "$subject_id", "n": {"$sum": 1}}},
        ]
        async for row in await self.notifications.aggregate(pipeline):
            if row["_id"] in counts:
                counts[row["_id"]] = int(row["n"])
        return counts

    async def mark_read(
        self, user_id: str, notification_id: str, events: Sequence[Envelope[Any]]
    ) -> bool:
        result = await self._outbox.update_one(
            self.notifications,
            {"_id": notification_id, "user_id": user_id, "read_at": None},
            {"$set": {"read_at": self._clock()}},
            events,
        )
        return bool(result.modified_count)

    async def notifications_by_id(self, ids: Sequence[str]) -> dict[str, Notification]:
        found = await find_by_ids(self.notifications, ids, HIDDEN)
        return {d["_id"]: notification_of(d) for d in found}

    # ---- preferences, keyed by the person's account (user id) -------------------------------

    async def preferences_of(self, user_ids: Sequence[str]) -> dict[str, StoredPreferences]:
        found = await find_by_ids(self.preferences, user_ids)
        return {d["_id"]: _stored_preferences(d) for d in found}

    async def save_preferences(
        self, user_id: str, preferences: Preferences, new_secret: str
    ) -> StoredPreferences:
        """Replace the person's preferences. The webhook signing secret is made with the first
        save and kept afterwards (two racing first saves agree on one)."""
        fields = preferences_document(preferences)
        document = await self.preferences.find_one_and_update(
            {"_id": user_id},
            {
                "$set": {**fields, "updated_at": self._clock()},
                "$setOnInsert": {"webhook_secret": new_secret},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return _stored_preferences(dict(document or {}))

    # ---- events waiting for someone the directory does not know yet -------------------------

    async def park(
        self,
        event_id: str,
        raw: str,
        waiting_for: list[str],
        occurred_at: datetime,
        names_due: datetime | None = None,
        trace: Mapping[str, str] | None = None,
    ) -> None:
        """Park (or park again, with whom it still waits for) an event; each parking gets a new
        mark, so that a replay lets go only of the parking it planned. ``trace``: the trace the
        event came with, which its notifications carry on when it is planned later.

        ``names_due``: the event waits for the name of someone it names (not only for a
        recipient), until then; the earliest deadline it was ever given is kept, so parking it
        again never pushes it back. Parked without, the event no longer waits for a name."""
        fields = {
            "raw": raw,
            "waiting_for": waiting_for,
            "occurred_at": occurred_at,
            "mark": uuid.uuid4().hex,
            "awaits_names": names_due is not None,
        }
        if trace:
            fields["trace"] = dict(trace)
        update: Document = {"$set": fields}
        if names_due is not None:
            update["$min"] = {"names_due": names_due}
        with suppress(DuplicateKeyError):  # two first parkings at once: either one will do
            await self.parked.update_one({"_id": event_id}, update, upsert=True)

    async def parked_for(self, key: str) -> list[ParkedEvent]:
        cursor = self.parked.find({"waiting_for": key}).sort("occurred_at", ASCENDING)
        return [_parked(d) async for d in cursor]

    async def overdue(self, now: datetime, limit: int) -> list[ParkedEvent]:
        """Events that have waited for a name until ``now`` or longer, oldest first. (The parked
        events are only those in flight: a small collection, read whole by FerretDB.)"""
        cursor = (
            self.parked.find({"awaits_names": True, "names_due": {"$lte": now}})
            .sort("names_due", ASCENDING)
            .limit(limit)
        )
        return [_parked(d) async for d in cursor]

    async def unpark(self, event_id: str, mark: str | None) -> None:
        """Let go of a parked event, unless it was parked again since it was read (``mark``)."""
        await self.parked.delete_one({"_id": event_id, **({"mark": mark} if mark else {})})


def notification_document(notification: Notification, user_id: str | None) -> Document:
    """A notification as stored (and copied into its deliveries), unread."""
    return {
        "_id": notification.notification_id,
        "recipient_id": notification.recipient_id,
        "user_id": user_id,
        "kind": notification.kind.value,
        "priority": notification.priority.value,
        "title": notification.title,
        "body": notification.body,
        "html_body": notification.html_body,
        "subject_id": notification.subject_id,
        "about": notification.about.document(),
        **_calendar_field(notification),
        "created_at": notification.created_at,
        "event_id": notification.event_id,
        "read_at": None,
    }


def _entry(document: Document) -> InboxEntry:
    return InboxEntry(
        notification_id=document["_id"],
        kind=document["kind"],
        priority=document["priority"],
        title=document["title"],
        body=document["body"],
        html_body=document["html_body"],
        subject_id=document.get("subject_id"),
        created_at=document["created_at"],
        read_at=document["read_at"],
        about=About.of_document(document.get("about")),
    )


def _parked(document: Document) -> ParkedEvent:
    return ParkedEvent(
        event_id=document["_id"],
        raw=document["raw"],
        mark=document.get("mark"),
        names_due=document.get("names_due"),
        trace=document.get("trace") or {},
    )


def preferences_document(preferences: Preferences) -> Document:
    """Channels are a list of {kind, channels}: kinds contain dots, which keys may not."""
    quiet: QuietHours | None = preferences.quiet_hours
    return {
        "channels": [
            {"kind": kind.value, "channels": sorted(c.value for c in chosen)}
            for kind, chosen in sorted(preferences.channels.items())
        ],
        "quiet_hours": (
            {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M")}
            if quiet
            else None
        ),
        "timezone": preferences.timezone,
        "digest": preferences.digest.value,
        "digest_hour": preferences.digest_hour,
        "webhook_url": preferences.webhook_url,
        "email": preferences.email,
    }


def _stored_preferences(document: Document) -> StoredPreferences:
    quiet = document.get("quiet_hours")
    return StoredPreferences(
        channels={c["kind"]: c["channels"] for c in document.get("channels") or []},
        quiet_hours=(quiet["start"], quiet["end"]) if quiet else None,
        digest=document.get("digest", "immediate"),
        digest_hour=document.get("digest_hour", 8),
        webhook_url=document.get("webhook_url"),
        timezone=document.get("timezone"),
        email=document.get("email"),
        webhook_secret=document.get("webhook_secret"),
    )


def _recipient(document: Document) -> Recipient:
    """A directory entry as planners see it; one being erased names and reaches no one."""
    erasing = bool(document.get("erasing"))
    return Recipient(
        person_id=document["_id"],
        user_id=document.get("user_id"),
        display_name="" if erasing else document["display_name"],
        email=None if erasing else document.get("email"),
        language=Language(document.get("language", "en")),
        timezone=document.get("timezone", "UTC"),
        roles=frozenset(Role(r) for r in document.get("roles", [])),
        program_id=document["program_id"],
        withdrawn=erasing or bool(document.get("withdrawn", False)),
    )


def notification_of(document: Document) -> Notification:
    return Notification(
        notification_id=document["_id"],
        recipient_id=document["recipient_id"],
        kind=EventKind(document["kind"]),
        priority=Priority(document["priority"]),
        title=document["title"],
        body=document["body"],
        html_body=document["html_body"],
        subject_id=document.get("subject_id"),
        created_at=document["created_at"],
        event_id=document["event_id"],
        about=About.of_document(document.get("about")),
        calendar=_calendar_of(document.get("calendar")),
    )


def _calendar_field(notification: Notification) -> Document:
    invite = notification.calendar
    return {} if invite is None else {"calendar": {"method": invite.method, "ics": invite.ics}}


def _calendar_of(stored: Any) -> CalendarInvite | None:
    if not isinstance(stored, dict):
        return None
    method, ics = stored.get("method"), stored.get("ics")
    return CalendarInvite(method, ics) if isinstance(method, str) and isinstance(ics, str) else None
