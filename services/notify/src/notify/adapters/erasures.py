"""What an erasure changes in notify's collections, and the record of each erasure done
(``erasures``), kept with the event that announces it in its outbox: inserted once per erasure
id, so a redelivered request or two workers at once announce it once.

Every query is an equality on an indexed field or a lookup by id; the indexes an erasure needs
and nothing else does are made here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope
from mentorship_runtime.mongo import find_by_ids
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index
from notify.domain.erasure import Texts
from notify.domain.notifications import CalendarInvite
from notify.service_layer.ports import DirectoryEntry, KeptCopy, KeptNotification

Document = dict[str, Any]
CONTACT = ("display_name", "email", "language", "timezone", "user_id", "set_by")
"""What a directory entry loses: who the person is and how to reach them."""
ABOUT_PAIRS = (
    "reminders",
    "proposal_reminders",
    "confirmation_reminders",
    "weekly_digest_changes",
)
"""The collections of records about a mentee and their mentor, deleted by either's erasure."""


class ErasureStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.db = db
        self.collection: AsyncCollection[Document] = db["erasures"]
        self.people: AsyncCollection[Document] = db["people"]
        self.programs: AsyncCollection[Document] = db["programs"]
        self.notifications: AsyncCollection[Document] = db["notifications"]
        self.deliveries: AsyncCollection[Document] = db["deliveries"]
        self.log: AsyncCollection[Document] = db["delivery_log"]
        self.preferences: AsyncCollection[Document] = db["preferences"]
        self.parked: AsyncCollection[Document] = db["parked_events"]
        self.parts: AsyncCollection[Document] = db["export_parts"]
        self.digest_matches: AsyncCollection[Document] = db["weekly_digest_matches"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

    async def ensure_indexes(self) -> None:
        await self.notifications.create_index("subject_id")
        await self.notifications.create_index("recipient_id")
        await self.deliveries.create_index("user_id")
        await self.parts.create_index("subject_user_id")
        await self.digest_matches.create_index("mentee_id")
        for name in ABOUT_PAIRS:
            await self.db[name].create_index("mentee_id")
            await self.db[name].create_index("mentor_id")
        await self.db["check_in_watches"].create_index("mentor_id")
        await ensure_outbox_index(self.collection)

    async def done(self, erasure_id: str) -> bool:
        return await self.collection.find_one({"_id": erasure_id}, {"_id": 1}) is not None

    # ---- what others keep ---------------------------------------------------------------------

    async def entries(self, person_ids: Sequence[str]) -> list[DirectoryEntry]:
        """Directory entries, by participant id."""
        return [
            DirectoryEntry(
                person_id=str(d["_id"]),
                display_name=str(d["display_name"]) if d.get("display_name") else None,
                email=str(d["email"]) if d.get("email") else None,
                language=d.get("language"),
            )
            for d in await find_by_ids(self.people, person_ids)
        ]

    async def partners_of(self, person_id: str) -> tuple[set[str], set[str]]:
        """The mentees and the mentors the participant has been matched with."""
        mentees = self.digest_matches.find({"mentor_id": person_id}, {"mentee_id": 1})
        mentors = self.digest_matches.find({"mentee_id": person_id}, {"mentor_id": 1})
        return (
            {str(d["mentee_id"]) async for d in mentees if d.get("mentee_id")},
            {str(d["mentor_id"]) async for d in mentors if d.get("mentor_id")},
        )

    async def admins_of(self, program_ids: Sequence[str]) -> dict[str, str]:
        """The programs' admins (account ids), with the language each reads."""
        programs = await find_by_ids(self.programs, program_ids)
        return {
            str(a["user_id"]): str(a.get("language") or "en")
            for p in programs
            for a in p.get("admins") or []
            if a.get("user_id")
        }

    async def notifications_about(self, person_id: str) -> list[KeptNotification]:
        return await self._notifications_where("subject_id", person_id)

    async def notifications_to(self, person_id: str) -> list[KeptNotification]:
        return await self._notifications_where("recipient_id", person_id)

    async def notifications_of_account(self, user_id: str) -> list[KeptNotification]:
        return await self._notifications_where("user_id", user_id)

    async def _notifications_where(self, field: str, value: str) -> list[KeptNotification]:
        return [
            KeptNotification(str(d["_id"]), d.get("recipient_id"), _texts(d))
            async for d in self.notifications.find({field: value})
        ]

    async def rewrite_texts(self, notification_id: str, texts: Texts) -> None:
        await self.notifications.update_one({"_id": notification_id}, {"$set": _fields(texts)})

    async def copies_of(self, notification_id: str) -> list[KeptCopy]:
        """The deliveries, queued or settled, keeping a copy of the notification
        (``notification``), with the collection each is in."""
        found = []
        for collection in (self.deliveries, self.log):
            cursor = collection.find({"notification_id": notification_id})
            found.extend(
                [
                    KeptCopy(collection.name, str(d["_id"]), _texts(d["notification"]))
                    async for d in cursor
                    if isinstance(d.get("notification"), dict)
                ]
            )
        return found

    async def rewrite_copy(self, copy: KeptCopy, texts: Texts) -> None:
        fields = {f"notification.{name}": value for name, value in _fields(texts).items()}
        await self.db[copy.place].update_one({"_id": copy.delivery_id}, {"$set": fields})

    async def forget_admin(self, program_ids: Sequence[str], user_id: str) -> int:
        """The person's entry among each program's admins keeps their account id alone."""
        forgotten = 0
        for program in await find_by_ids(self.programs, program_ids):
            admins = program.get("admins") or []
            if not any(a.get("user_id") == user_id and len(a) > 1 for a in admins):
                continue
            kept = [{"user_id": user_id} if a.get("user_id") == user_id else a for a in admins]
            await self.programs.update_one({"_id": program["_id"]}, {"$set": {"admins": kept}})
            forgotten += 1
        return forgotten

    # ---- what is the person's -----------------------------------------------------------------

    async def notifications_of(self, user_id: str | None, person_ids: Sequence[str]) -> list[str]:
        found: set[str] = set()
        if user_id:
            cursor = self.notifications.find({"user_id": user_id}, {"_id": 1})
            found.update([str(d["_id"]) async for d in cursor])
        for person_id in person_ids:
            cursor = self.notifications.find({"recipient_id": person_id}, {"_id": 1})
            found.update([str(d["_id"]) async for d in cursor])
        return sorted(found)

    async def delete_notification(self, notification_id: str) -> int:
        """The notification and every delivery of it, queued or settled; how many deliveries."""
        deliveries = 0
        for collection in (self.deliveries, self.log):
            result = await collection.delete_many({"notification_id": notification_id})
            deliveries += result.deleted_count
        await self.notifications.delete_one({"_id": notification_id})
        return deliveries

    async def delete_deliveries_of(self, user_id: str) -> int:
        deleted = 0
        for collection in (self.deliveries, self.log):
            deleted += (await collection.delete_many({"user_id": user_id})).deleted_count
        return deleted

    async def delete_preferences(self, user_id: str) -> int:
        return (await self.preferences.delete_one({"_id": user_id})).deleted_count

    async def delete_about(self, person_id: str) -> int:
        """Reminders, check-in watches, weekly-digest records and parked events about the
        participant, as mentee or mentor."""
        deleted = 0
        for name in ABOUT_PAIRS:
            for side in ("mentee_id", "mentor_id"):
                result = await self.db[name].delete_many({side: person_id})
                deleted += result.deleted_count
        for side in ("mentee_id", "mentor_id"):
            deleted += (await self.digest_matches.delete_many({side: person_id})).deleted_count
        watches = self.db["check_in_watches"]
        deleted += (await watches.delete_many({"_id": person_id})).deleted_count
        deleted += (await watches.delete_many({"mentor_id": person_id})).deleted_count
        deleted += (await self.parked.delete_many({"waiting_for": person_id})).deleted_count
        return deleted

    async def delete_parts(self, subject_user_id: str) -> int:
        return (await self.parts.delete_many({"subject_user_id": subject_user_id})).deleted_count

    async def mark_erasing(self, person_id: str) -> None:
        """Planners see the entry as naming and reaching no one from now on (``erasing``), while
        its name stays for the erasure to find in the notifications planned before (a crash
        before ``pseudonymise`` leaves it to the redelivered request)."""
        await self.people.update_one(
            {"_id": person_id}, {"$set": {"erasing": True}, "$inc": {"version": 1}}
        )

    async def pseudonymise(self, person_id: str) -> None:
        """The directory entry keeps the participant id, program and roles, marked erased and
        withdrawn: no contact data, no name, and an event bringing them again sets nothing
        (``NotifyStore.remember_person``). Made when there was none, for such late events."""
        await self.people.update_one(
            {"_id": person_id},
            {
                "$set": {"erased": True, "withdrawn": True},
                "$unset": {**dict.fromkeys(CONTACT, ""), "erasing": ""},
                "$inc": {"version": 1},
            },
            upsert=True,
        )

    async def record(
        self,
        erasure_id: str,
        participant_ids: Sequence[str],
        counts: dict[str, int],
        done_at: datetime,
        events: Sequence[Envelope[Any]],
    ) -> bool:
        """Keep the erasure's record with its event; False when it was kept before."""
        document = {
            "_id": erasure_id,
            "participant_ids": list(participant_ids),
            "counts": counts,
            "done_at": done_at,
        }
        try:
            await self._outbox.insert_one(self.collection, document, events)
        except DuplicateKeyError:
            return False
        return True


def _texts(document: Document) -> Texts:
    def text(name: str) -> str | None:
        value = document.get(name)
        return value if isinstance(value, str) else None

    calendar = document.get("calendar")
    invite = None
    if isinstance(calendar, dict):
        method, ics = calendar.get("method"), calendar.get("ics")
        if isinstance(method, str) and isinstance(ics, str):
            invite = CalendarInvite(method, ics)
    return Texts(text("title"), text("body"), text("html_body"), invite)


def _fields(texts: Texts) -> Document:
    """The texts a notification has, as stored."""
    fields: Document = {
        name: value
        for name, value in (
            ("title", texts.title),
            ("body", texts.body),
            ("html_body", texts.html_body),
        )
        if value is not None
    }
    if texts.calendar is not None:
        fields["calendar"] = {"method": texts.calendar.method, "ics": texts.calendar.ics}
    return fields
