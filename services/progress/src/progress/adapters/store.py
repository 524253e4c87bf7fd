"""MongoDB persistence of the progress service, with its outbox.

A tracking is one document per mentee: its state, its history and the events a change causes are
written in one single-document update, guarded by ``version``. Beside the tracking, the document
keeps the account ids of the mentee and of the current mentor (from mentoring's events), which
the access rules need.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.outbox import OutboxRelay, ensure_outbox_index, outbox_update
from progress.adapters.documents import Document, tracking_document, tracking_from
from progress.domain.errors import NotFound
from progress.domain.learning_paths import LearningPath
from progress.domain.seed import DEFAULT_PATH
from progress.domain.tracking import Tracking

Events = Sequence[Envelope[Any]]


@dataclass(frozen=True)
class Stored:
    """A tracking as stored, with who may see it and the version that guards the next write."""

    tracking: Tracking
    version: int
    mentee_user_id: str | None
    mentor_user_id: str | None
    seen_events: frozenset[str] = frozenset()
    """Ids of mentoring's events already applied: a redelivered one is recognised and skipped."""


class ProgressStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.trackings: AsyncCollection[Document] = db["trackings"]
        self.parked: AsyncCollection[Document] = db["parked_events"]
        self.programs: AsyncCollection[Document] = db["programs"]
        self._relay = relay
        self._clock = clock
        self._prefix = topic_prefix

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [self.trackings]

    async def ensure_indexes(self) -> None:
        await self.trackings.create_index([("program_id", ASCENDING), ("state", ASCENDING)])
        await self.trackings.create_index([("mentor_user_id", ASCENDING), ("state", ASCENDING)])
        await self.trackings.create_index("mentee_user_id")
        await self.trackings.create_index("state")
        await self.parked.create_index("mentee_id")
        await ensure_outbox_index(self.trackings)

    def path(self, path_id: str, version: int | None = None) -> LearningPath:
        """The learning path a tracking follows. The default path ships with the service."""
        if path_id == DEFAULT_PATH.id and version in (None, DEFAULT_PATH.version):
            return DEFAULT_PATH
        raise NotFound("learning path", f"{path_id} v{version}" if version else path_id)

    # ---- trackings --------------------------------------------------------------------------

    async def get(self, mentee_id: str) -> Stored:
        document = await self.trackings.find_one({"_id": mentee_id}, {"_outbox": 0})
        if document is None:
            raise NotFound("mentee", mentee_id)
        return _stored(document)

    async def find(self, mentee_id: str) -> Stored | None:
        document = await self.trackings.find_one({"_id": mentee_id}, {"_outbox": 0})
        return _stored(document) if document else None

    async def many(self, mentee_ids: Sequence[str]) -> list[Stored]:
        cursor = self.trackings.find({"_id": {"$in": list(mentee_ids)}}, {"_outbox": 0})
        return [_stored(d) async for d in cursor]

    async def of_mentor(self, mentor_user_id: str, limit: int = 500) -> list[Stored]:
        cursor = (
            self.trackings.find(
                {
                    "mentor_user_id": mentor_user_id,
                    "state": {"$in": ["active", "completed", "paused"]},
                },
                {"_outbox": 0},
            )
            .sort("_id")
            .limit(limit)
        )
        return [_stored(d) async for d in cursor]

    async def of_program(self, program_id: str) -> list[Stored]:
        cursor = self.trackings.find({"program_id": program_id}, {"_outbox": 0})
        return [_stored(d) async for d in cursor]

    async def active_ids(self, after: str = "", limit: int = 500) -> list[str]:
        cursor = (
            self.trackings.find({"state": "active", "_id": {"$gt": after}}, {"_id": 1})
            .sort("_id")
            .limit(limit)
        )
        return [d["_id"] async for d in cursor]

    async def insert(self, stored: Stored, events: Events) -> bool:
        """Write a new tracking; False when one exists already (a redelivered event)."""
        document = self._document(stored, version=0)
        parts = outbox_update(events, now=self._clock(), topic_prefix=self._prefix)
        if parts:
            document.update(parts["$set"])
            document["_outbox"] = parts["$push"]["_outbox"]["$each"]
        try:
            await self.trackings.insert_one(document)
        except DuplicateKeyError:
            return False
        await self._relay.drain_soon(self.trackings, stored.tracking.mentee_id)
        return True

    async def save(
        self,
        stored: Stored,
        tracking: Tracking,
        events: Events,
        *,
        applied: str | None = None,
        **people: str | None,
    ) -> Stored:
        updated = Stored(
            tracking,
            stored.version + 1,
            people.get("mentee_user_id", stored.mentee_user_id),
            people.get("mentor_user_id", stored.mentor_user_id),
            stored.seen_events | ({applied} if applied else set()),
        )
        document = self._document(updated, version=updated.version)
        del document["_id"]
        parts = outbox_update(events, now=self._clock(), topic_prefix=self._prefix)
        update: Document = {"$set": {**document, **parts.get("$set", {})}}
        if parts:
            update["$push"] = parts["$push"]
        result = await self.trackings.update_one(
            {"_id": tracking.mentee_id, "version": stored.version}, update
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate("tracking", tracking.mentee_id)
        await self._relay.drain_soon(self.trackings, tracking.mentee_id)
        return updated

    @staticmethod
    def _document(stored: Stored, *, version: int) -> Document:
        return {
            **tracking_document(stored.tracking),
            "version": version,
            "mentee_user_id": stored.mentee_user_id,
            "mentor_user_id": stored.mentor_user_id,
            "seen_events": sorted(stored.seen_events),
        }

    # ---- events that arrived before the match they belong to --------------------------------

    async def park(self, mentee_id: str, event_id: str, occurred_at: datetime, raw: str) -> None:
        with suppress(DuplicateKeyError):  # parked already by an earlier delivery
            await self.parked.insert_one(
                {"_id": event_id, "mentee_id": mentee_id, "occurred_at": occurred_at, "raw": raw}
            )

    async def parked_for(self, mentee_id: str) -> list[Document]:
        cursor = self.parked.find({"mentee_id": mentee_id}).sort("occurred_at", ASCENDING)
        return [d async for d in cursor]

    async def unpark(self, event_id: str) -> None:
        await self.parked.delete_one({"_id": event_id})

    # ---- program admins (from mentoring's ProgramPublished) ----------------------------------

    async def remember_program(self, program_id: str, admin_ids: list[str], name: str) -> None:
        await self.programs.update_one(
            {"_id": program_id}, {"$set": {"admin_ids": admin_ids, "name": name}}, upsert=True
        )

    async def admins_of(self, program_ids: Sequence[str]) -> dict[str, set[str]]:
        cursor = self.programs.find({"_id": {"$in": list(program_ids)}})
        return {d["_id"]: set(d.get("admin_ids", [])) async for d in cursor}


def _stored(document: Document) -> Stored:
    return Stored(
        tracking_from(document),
        document.get("version", 0),
        document.get("mentee_user_id"),
        document.get("mentor_user_id"),
        frozenset(document.get("seen_events", ())),
    )
