"""MongoDB persistence of data exports: the requests (``data_exports``) and mentoring's own
parts of them (``export_parts``), each written with its event in its outbox.

A request is inserted with its ``PersonalDataExportRequested``. A part report sets
``parts.<service>`` only where it is not set yet, and the export is marked complete by one
update that finds every part set: whichever report is written last completes it, a repeated
report changes nothing, and the order of the reports does not matter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentoring.domain.data_exports import (
    SERVICES,
    DataExport,
    DataSubject,
    PartReceipt,
    Scope,
)
from mentoring.service_layer.ports import ExportPart
from mentorship_contracts import Envelope
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index, without_outbox

Document = dict[str, Any]
HIDDEN = without_outbox()


class DataExportStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.exports: AsyncCollection[Document] = db["data_exports"]
        self.parts: AsyncCollection[Document] = db["export_parts"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)
        self._clock = clock

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [self.exports, self.parts]

    async def ensure_indexes(self) -> None:
        await self.parts.create_index("expires_at")
        for collection in self.outbox_collections:
            await ensure_outbox_index(collection)

    async def add(self, export: DataExport, events: Sequence[Envelope[Any]]) -> DataExport | None:
        """Insert a request with its event; the one stored under its id when it exists."""
        try:
            await self._outbox.insert_one(self.exports, _document(export), events)
        except DuplicateKeyError:
            return await self.find(export.id)
        return None

    async def find(self, export_id: str) -> DataExport | None:
        document = await self.exports.find_one({"_id": export_id}, HIDDEN)
        return None if document is None else _export(document)

    async def record_part(self, export_id: str, receipt: PartReceipt) -> DataExport | None:
        """Note a service's part ready (once), then complete the export if every part is in.
        None when no such export is stored."""
        await self.exports.update_one(
            {"_id": export_id, f"parts.{receipt.service}": {"$exists": False}},
            {
                "$set": {
                    f"parts.{receipt.service}": {
                        "counts": dict(receipt.counts),
                        "ready_at": receipt.ready_at,
                    }
                }
            },
        )
        every_part = {f"parts.{service}": {"$exists": True} for service in SERVICES}
        await self.exports.update_one(
            {"_id": export_id, "completed_at": None, **every_part},
            {"$set": {"completed_at": self._clock()}},
        )
        return await self.find(export_id)

    # ---- mentoring's own parts --------------------------------------------------------------

    async def add_part(self, part: ExportPart, events: Sequence[Envelope[Any]]) -> bool:
        """Keep a part with its event; False when the part was kept before (a redelivery)."""
        try:
            await self._outbox.insert_one(self.parts, _part_document(part), events)
        except DuplicateKeyError:
            return False
        return True

    async def part(self, export_id: str) -> ExportPart | None:
        document = await self.parts.find_one({"_id": export_id}, HIDDEN)
        return None if document is None else _part(document)

    async def delete_expired_parts(self, now: datetime) -> int:
        result = await self.parts.delete_many({"expires_at": {"$lte": now}})
        return result.deleted_count


def _document(export: DataExport) -> Document:
    subject = export.subject
    return {
        "_id": export.id,
        "subject_user_id": subject.user_id,
        "participant_ids": list(subject.participant_ids),
        "program_ids": list(subject.program_ids),
        "scope": subject.scope.value,
        "requested_by": export.requested_by,
        "requested_at": export.requested_at,
        "parts": {},
        "completed_at": None,
    }


def _part_document(part: ExportPart) -> Document:
    return {
        "_id": part.export_id,
        "subject_user_id": part.subject_user_id,
        "program_ids": list(part.program_ids),
        "content": part.content,
        "counts": dict(part.counts),
        "made_at": part.made_at,
        "expires_at": part.expires_at,
    }


def _part(document: Document) -> ExportPart:
    return ExportPart(
        export_id=document["_id"],
        subject_user_id=document["subject_user_id"],
        program_ids=tuple(document["program_ids"]),
        content=str(document["content"]),
        counts=dict(document["counts"]),
        made_at=_utc(document["made_at"]),
        expires_at=_utc(document["expires_at"]),
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _export(document: Document) -> DataExport:
    completed = document.get("completed_at")
    return DataExport(
        id=document["_id"],
        subject=DataSubject(
            user_id=document["subject_user_id"],
            participant_ids=tuple(document["participant_ids"]),
            program_ids=tuple(document["program_ids"]),
            scope=Scope(document["scope"]),
        ),
        requested_by=document["requested_by"],
        requested_at=_utc(document["requested_at"]),
        parts={
            service: PartReceipt(service, dict(found["counts"]), _utc(found["ready_at"]))
            for service, found in (document.get("parts") or {}).items()
        },
        completed_at=None if completed is None else _utc(completed),
    )
