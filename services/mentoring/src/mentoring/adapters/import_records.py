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
from mentorship_runtime.outbox import Outbox, OutboxRelay


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
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

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
        await self._outbox.insert_one(self.collection, document, events)
