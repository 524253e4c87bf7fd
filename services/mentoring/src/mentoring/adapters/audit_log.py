"""The audit trail's store: ``audit_log``, one document per recorded action, only ever inserted.

A record's ``_id`` is the id of the event that carried it, so an event delivered twice, or
handled by two workers at once, is stored once (the second insert is a duplicate key). Nothing
here updates or deletes a record. A program's records are read newest first by keyset on
(``at``, ``_id``), the program's id by equality (served by the index on ``program_id``, ``at``,
``_id``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.documents import Document
from mentorship_runtime.mongo import insert_once
from mentorship_runtime.pagination import encode_cursor


class AuditLog:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.records: AsyncCollection[Document] = db["audit_log"]

    async def ensure_indexes(self) -> None:
        await self.records.create_index(
            [("program_id", DESCENDING), ("at", DESCENDING), ("_id", DESCENDING)]
        )

    async def add(self, record: Document) -> bool:
        """Store a record under its event id; False when it was stored before."""
        return await insert_once(self.records, record)

    async def of_program(
        self, program_id: str, *, first: int, after: tuple[datetime, str] | None
    ) -> tuple[list[Document], str | None]:
        """A page of a program's records, newest first, and the cursor of the next page."""
        query: dict[str, Any] = {"program_id": program_id}
        if after is not None:
            moment, identifier = after
            query["$or"] = [
                {"at": {"$lt": moment}},
                {"at": moment, "_id": {"$lt": identifier}},
            ]
        cursor = (
            self.records.find(query)
            .sort([("at", DESCENDING), ("_id", DESCENDING)])
            .limit(first + 1)
        )
        found = [d async for d in cursor]
        more = len(found) > first
        found = found[:first]
        last = found[-1] if more and found else None
        return found, encode_cursor(last["at"], last["_id"]) if last is not None else None
