"""The audit trail's store: ``audit_log``, one document per recorded action, only ever inserted.

A record's ``_id`` is the id of the event that carried it, so an event delivered twice, or
handled by two workers at once, is stored once (the second insert is a duplicate key). Nothing
here updates or deletes a record. A program's records are read newest first by keyset on
(``at``, ``_id``), the program's id by equality (served by the index on ``program_id``, ``at``,
``_id``).

Where mentoring's database user may not create indexes (production: the role that keeps the trail
append-only also withholds ``createIndex``, with which a TTL index would make the server delete
records as they age), a deployment Job creates the index (``entrypoints.audit_index``) and
mentoring only checks, at start, that it is there and that no index of the collection expires
records (``check_indexes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.documents import Document
from mentoring.service_layer.ports import AuditPage, AuditRecord
from mentorship_runtime.logging import get_logger
from mentorship_runtime.mongo import insert_once
from mentorship_runtime.pagination import Keyset

NEWEST = Keyset("at", newest_first=True)
"""A program's records in pages, newest first."""
INDEX = (("program_id", DESCENDING), ("at", DESCENDING), ("_id", DESCENDING))
"""The one index the trail needs: a program's records, newest first."""


class AuditIndexRefused(RuntimeError):
    """The audit trail's index is missing, or an index of the collection expires records."""


class AuditLog:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.records: AsyncCollection[Document] = db["audit_log"]

    async def ensure_indexes(self) -> None:
        await self.records.create_index(list(INDEX))

    async def check_indexes(self) -> None:
        """Raise ``AuditIndexRefused`` (logged as ``audit_log_index_refused``) unless the index
        is there and no index of the collection has ``expireAfterSeconds``."""
        indexes = [index async for index in await self.records.list_indexes()]
        problems = index_problems(indexes)
        if problems:
            get_logger("mentoring.audit_log").error(
                "audit_log_index_refused", collection=self.records.name, problems=problems
            )
            raise AuditIndexRefused(f"{self.records.name}: " + "; ".join(problems))

    async def add(self, record: AuditRecord) -> bool:
        """Store a record under its event id; False when it was stored before."""
        return await insert_once(self.records, _document(record))

    async def of_program(
        self, program_id: str, *, first: int, after: tuple[datetime, str] | None
    ) -> AuditPage:
        """A page of a program's records, newest first, and the cursor of the next page."""
        query = NEWEST.beyond({"program_id": program_id}, after)
        cursor = self.records.find(query).sort(NEWEST.order).limit(first + 1)
        found = [d async for d in cursor]
        records, cursor_of_next = NEWEST.page(found, first, lambda d: (d["at"], d["_id"]))
        return AuditPage([_record(d) for d in records], cursor_of_next)


def _document(record: AuditRecord) -> Document:
    return {
        "_id": record.id,
        "program_id": record.program_id,
        "at": record.at,
        "actor_id": record.actor_id,
        "action": record.action,
        "object_kind": record.object_kind,
        "object_id": record.object_id,
        "before": None if record.before is None else dict(record.before),
        "after": None if record.after is None else dict(record.after),
    }


def _record(document: Document) -> AuditRecord:
    return AuditRecord(
        id=document["_id"],
        program_id=document["program_id"],
        at=document["at"],
        actor_id=document["actor_id"],
        action=document["action"],
        object_kind=document["object_kind"],
        object_id=document["object_id"],
        before=document.get("before"),
        after=document.get("after"),
    )


def index_problems(indexes: Iterable[Mapping[str, Any]]) -> list[str]:
    """What is wrong with the audit trail's indexes, as ``listIndexes`` describes them: the index
    missing, or an index that makes the server delete records as they age (a TTL index)."""
    listed = list(indexes)
    problems = [
        f"index {index.get('name')!r} deletes records after {index['expireAfterSeconds']}s "
        "(expireAfterSeconds)"
        for index in listed
        if "expireAfterSeconds" in index
    ]
    if not any(_keys(index) == INDEX for index in listed):
        fields = ", ".join(f"{name} {direction}" for name, direction in INDEX)
        problems.insert(0, f"no index on ({fields}): create it with the deployment's job")
    return problems


def _keys(index: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    key = index.get("key") or {}
    return tuple(
        (str(name), int(d) if isinstance(d, int | float) else d) for name, d in key.items()
    )
