"""The parts of data exports a service built (its ``export_parts`` collection), one per export,
kept with the event that announces them in their outbox until they expire (a day after the
request; the service's worker deletes them then, and a read refuses one past its day before
that). Progress and notify keep theirs here; mentoring's part travels with its export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope
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

    async def add(self, document: Document, events: Sequence[Envelope[Any]]) -> bool:
        """Keep a part with its event; False when it was kept before (a redelivery)."""
        try:
            await self._outbox.insert_one(self.collection, document, events)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, export_id: str) -> Document | None:
        return await self.collection.find_one({"_id": export_id}, HIDDEN)

    async def delete_expired(self, now: datetime) -> int:
        result = await self.collection.delete_many({"expires_at": {"$lte": now}})
        return result.deleted_count
