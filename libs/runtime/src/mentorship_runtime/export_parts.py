"""The parts of data exports a service built (its ``export_parts`` collection), one per export,
kept with the event that announces them in their outbox until they expire (a day after the
request; the service's worker deletes them then, and a read refuses one past its day before
that). Progress and notify keep theirs here; mentoring's part travels with its export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope
from mentorship_runtime.export_part import ExportPart
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index, without_outbox

Document = dict[str, Any]
PURGE_SECONDS = 600.0
"""How often a worker deletes the export parts past their day."""
HIDDEN = without_outbox()


class ExportPartStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.collection: AsyncCollection[Document] = db["export_parts"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index("expires_at")
        await ensure_outbox_index(self.collection)

    async def add(self, part: ExportPart, events: Sequence[Envelope[Any]]) -> bool:
        """Keep a part with its event; False when it was kept before (a redelivery)."""
        document = {
            "_id": part.export_id,
            "subject_user_id": part.subject_user_id,
            "program_ids": list(part.program_ids),
            "content": part.content,
            "counts": dict(part.counts),
            "made_at": part.made_at,
            "expires_at": part.expires_at,
        }
        try:
            await self._outbox.insert_one(self.collection, document, events)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, export_id: str) -> ExportPart | None:
        found = await self.collection.find_one({"_id": export_id}, HIDDEN)
        if found is None:
            return None
        return ExportPart(
            export_id=found["_id"],
            subject_user_id=found["subject_user_id"],
            program_ids=tuple(found["program_ids"]),
            content=str(found["content"]),
            counts=found.get("counts") or {},
            made_at=_aware(found["made_at"]),
            expires_at=_aware(found["expires_at"]),
        )

    async def delete_expired(self, now: datetime) -> int:
        result = await self.collection.delete_many({"expires_at": {"$lte": now}})
        return result.deleted_count


def _aware(moment: datetime) -> datetime:
    """A moment read back from a client that is not time-zone aware is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
