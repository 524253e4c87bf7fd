"""What an erasure changes in progress's collections besides the trackings (which go through
``ProgressStore``), and the record of each erasure done (``erasures``).

The record is kept with the event that announces the erasure done in its outbox, in one insert
keyed by the erasure id: a redelivered request, or two workers at once, insert it once and so
announce once. It holds ids and counts, and also serves as the tombstone of the participations
erased. Every query is an equality on an indexed field or a lookup by id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index

Document = dict[str, Any]
PLANNED_TEXTS = ("location", "video_url", "cancel_reason")
"""What a planned session holds that people wrote: its place, its video link, why it was
cancelled. Its time, duration, modules and status stay."""


class ErasureStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.collection: AsyncCollection[Document] = db["erasures"]
        self.trackings: AsyncCollection[Document] = db["trackings"]
        self.planned: AsyncCollection[Document] = db["planned_sessions"]
        self.parts: AsyncCollection[Document] = db["export_parts"]
        self.parked: AsyncCollection[Document] = db["parked_events"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("participant_ids")
        await self.trackings.create_index("mentor_ids")
        await self.planned.create_index("mentor_id")
        await self.parts.create_index("subject_user_id")
        await ensure_outbox_index(self.collection)

    async def done(self, erasure_id: str) -> bool:
        return await self.collection.find_one({"_id": erasure_id}, {"_id": 1}) is not None

    async def erased(self, participant_ids: Sequence[str]) -> bool:
        """Whether one of the participations was erased (a tombstone)."""
        for participant_id in participant_ids:
            if await self.collection.find_one({"participant_ids": participant_id}, {"_id": 1}):
                return True
        return False

    async def mentored_by(self, mentor_id: str) -> list[str]:
        """The mentees ``mentor_id`` has been a mentor of, now or before: ``mentor_ids`` (every
        mentor of the tracking, written with it by ``ProgressStore``), and the current mentor
        for a tracking not written since that field was added."""
        found: set[str] = set()
        for query in ({"mentor_ids": mentor_id}, {"mentor_id": mentor_id}):
            found.update([str(d["_id"]) async for d in self.trackings.find(query, {"_id": 1})])
        return sorted(found)

    async def erase_planned(self, participant_id: str) -> int:
        """Remove the texts of the sessions planned with the participant (either side); the
        version moves on so that a write prepared before fails and reloads."""
        has_text = [{field: {"$ne": None}} for field in PLANNED_TEXTS]
        erased = 0
        for side in ("mentee_id", "mentor_id"):
            cursor = self.planned.find({side: participant_id, "$or": has_text}, {"_id": 1})
            for planned_id in [d["_id"] async for d in cursor]:
                result = await self.planned.update_one(
                    {"_id": planned_id},
                    {"$set": dict.fromkeys(PLANNED_TEXTS), "$inc": {"version": 1}},
                )
                erased += result.modified_count
        return erased

    async def delete_parked(self, participant_id: str) -> int:
        return (await self.parked.delete_many({"mentee_id": participant_id})).deleted_count

    async def delete_parts(self, subject_user_id: str) -> int:
        return (await self.parts.delete_many({"subject_user_id": subject_user_id})).deleted_count

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
