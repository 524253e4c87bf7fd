"""Imports of participants as the audit trail knows them: ``participant_imports``, one document
per finished import (its counts), inserted with its audit record in its outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.documents import Document
from mentoring.service_layer.ports import ImportRecord
from mentorship_contracts import Envelope
from mentorship_runtime.outbox import OutboxRelay, outbox_entries, outbox_fields


class ImportRecords:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.collection: AsyncCollection[Document] = db["participant_imports"]
        self._relay = relay
        self._clock = clock
        self._prefix = topic_prefix

    async def add(self, record: ImportRecord, events: Sequence[Envelope[Any]]) -> None:
        """Insert an import's document with ``events`` pending in its outbox, then publish them."""
        document = {
            "_id": record.id,
            "program_id": record.program_id,
            "by": record.by,
            "at": record.at,
            "source": record.source,
            "rows": record.rows,
            "created": record.created,
            "updated": record.updated,
            "unchanged": record.unchanged,
            "refused": record.refused,
        }
        entries = outbox_entries(events, topic_prefix=self._prefix)
        await self.collection.insert_one({**document, **outbox_fields(entries, now=self._clock())})
        await self._relay.drain_soon(self.collection, document["_id"])
