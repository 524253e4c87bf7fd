"""MongoDB persistence of the mentors' weekly digests: the changes recorded for each mentor and
week until their digest is sent, and which mentees are each mentor's.

``weekly_digest_changes``: one document per change and mentor (id ``<mentor>:<event id>``),
inserted once, so a redelivered event or two workers recording it at once store it once, and
the order of arrival does not matter. It names its digest (``<mentor>:<week>``), its week and
when the digest is due; the digest's changes are deleted once it is sent.

``weekly_digest_weeks``: one small document per week that has changes waiting (id the week),
touched by every change recorded, so that the worker looks only at weeks with work: each of
its queries is an equality on an indexed field (``week``, then ``digest``). A week with no
change left is deleted unless a change was recorded since the worker read it.

``weekly_digest_matches``: one document per accepted match (id the match): its mentor, mentee
and the moments it was accepted and ended, each set by its own event in any order.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from notify.domain.weekly_digest import Change, Entry, Match, Week
from notify.service_layer.ports import RecordedChange, WaitingWeek

Document = dict[str, Any]


class WeeklyDigestStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.changes: AsyncCollection[Document] = db["weekly_digest_changes"]
        self.weeks: AsyncCollection[Document] = db["weekly_digest_weeks"]
        self.matches: AsyncCollection[Document] = db["weekly_digest_matches"]
        self.programs: AsyncCollection[Document] = db["programs"]  # NotifyStore's: read only

    async def ensure_indexes(self) -> None:
        await self.changes.create_index([("week", ASCENDING), ("due_at", ASCENDING)])
        await self.changes.create_index([("digest", ASCENDING)])
        await self.matches.create_index([("mentor_id", ASCENDING)])

    # ---- recording ------------------------------------------------------------------------

    async def record(
        self,
        mentor_id: str,
        program_id: str,
        week: Week,
        timezone: str,
        due_at: datetime,
        entry: Entry,
    ) -> bool:
        """Keep the change for the mentor's digest of ``week``; False if it was kept before."""
        document = {
            "_id": f"{mentor_id}:{entry.event_id}",
            "digest": f"{mentor_id}:{week.key}",
            "mentor_id": mentor_id,
            "program_id": program_id,
            "week": week.key,
            "timezone": timezone,
            "due_at": due_at,
            "event_id": entry.event_id,
            "mentee_id": entry.mentee_id,
            "change": entry.change.value,
            "occurred_at": entry.occurred_at,
            "module_id": entry.module_id,
            "module_titles": dict(entry.module_titles),
            "path_language": entry.path_language,
            "previous_confidence": entry.previous_confidence,
            "confidence": entry.confidence,
        }
        stored = True
        try:
            await self.changes.insert_one(document)
        except DuplicateKeyError:
            stored = False
        # after the change, so that a worker emptying the week meanwhile keeps it (see below)
        await self.weeks.update_one(
            {"_id": week.key}, {"$set": {"touched": uuid.uuid4().hex}}, upsert=True
        )
        return stored

    async def accepted(self, match_id: str, mentor_id: str, mentee_id: str, at: datetime) -> None:
        pair = {"mentor_id": mentor_id, "mentee_id": mentee_id}
        await self._match(match_id, {**pair, "accepted_at": at})

    async def ended(self, match_id: str, mentor_id: str, mentee_id: str, at: datetime) -> None:
        pair = {"mentor_id": mentor_id, "mentee_id": mentee_id}
        await self._match(match_id, {**pair, "ended_at": at})

    async def _match(self, match_id: str, fields: Document) -> None:
        with suppress(DuplicateKeyError):  # two first writes at once: the retry finds it
            await self.matches.update_one({"_id": match_id}, {"$set": fields}, upsert=True)
            return
        await self.matches.update_one({"_id": match_id}, {"$set": fields})

    # ---- the worker ---------------------------------------------------------------------------

    async def weeks_waiting(self) -> list[WaitingWeek]:
        """Every week with changes waiting (a handful: the last week or two)."""
        return [
            WaitingWeek(d["_id"], d.get("touched"))
            async for d in self.weeks.find({}).sort("_id", ASCENDING)
        ]

    async def due_digests(self, week: str, now: datetime, limit: int) -> list[str]:
        """The digests of ``week`` due by ``now`` (up to ``limit`` of them)."""
        cursor = self.changes.find({"week": week, "due_at": {"$lte": now}}, {"digest": 1})
        found: dict[str, None] = {}
        async for document in cursor.sort("due_at", ASCENDING):
            found[document["digest"]] = None
            if len(found) >= limit:
                break
        return list(found)

    async def changes_in(self, digest: str) -> list[RecordedChange]:
        return [_change(d) async for d in self.changes.find({"digest": digest})]

    async def sent(self, digest: str) -> None:
        """The digest went out: its changes are not kept any longer."""
        await self.changes.delete_many({"digest": digest})

    async def forget_week(self, week: WaitingWeek) -> bool:
        """Delete the week's document if it has no change left and none was recorded since it
        was read (``touched``); a change recorded after this touches it again."""
        if await self.changes.find_one({"week": week.week}, {"_id": 1}) is not None:
            return False
        result = await self.weeks.delete_one({"_id": week.week, "touched": week.touched})
        return bool(result.deleted_count)

    async def matches_of(self, mentor_id: str) -> list[Match]:
        return [
            Match(d["mentee_id"], d.get("accepted_at"), d.get("ended_at"))
            async for d in self.matches.find({"mentor_id": mentor_id})
        ]

    async def program_name(self, program_id: str) -> str | None:
        document = await self.programs.find_one({"_id": program_id}, {"name": 1})
        name = (document or {}).get("name")
        return name if isinstance(name, str) else None


def _change(document: Document) -> RecordedChange:
    return RecordedChange(
        mentor_id=document["mentor_id"],
        program_id=document["program_id"],
        week=Week.parse(document["week"]),
        timezone=document["timezone"],
        due_at=document["due_at"],
        entry=Entry(
            event_id=document["event_id"],
            mentee_id=document["mentee_id"],
            change=Change(document["change"]),
            occurred_at=document["occurred_at"],
            module_id=document.get("module_id"),
            module_titles=document.get("module_titles") or {},
            path_language=document.get("path_language"),
            previous_confidence=document.get("previous_confidence"),
            confidence=document.get("confidence"),
        ),
    )
