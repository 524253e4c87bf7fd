"""Progress's export parts in the runtime's store of them (``mentorship_runtime.export_parts``):
a part as the document kept, and back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from mentorship_contracts import Envelope
from mentorship_runtime.export_parts import ExportPartStore
from progress.service_layer.ports import ExportPart


class ExportPartRecords:
    def __init__(self, store: ExportPartStore) -> None:
        self.store = store

    async def add(self, part: ExportPart, events: Sequence[Envelope[Any]]) -> bool:
        document = {
            "_id": part.export_id,
            "subject_user_id": part.subject_user_id,
            "program_ids": list(part.program_ids),
            "content": part.content,
            "counts": dict(part.counts),
            "made_at": part.made_at,
            "expires_at": part.expires_at,
        }
        return await self.store.add(document, events)

    async def get(self, export_id: str) -> ExportPart | None:
        document = await self.store.get(export_id)
        if document is None:
            return None
        return ExportPart(
            export_id=document["_id"],
            subject_user_id=document["subject_user_id"],
            program_ids=tuple(document["program_ids"]),
            content=str(document["content"]),
            counts=document["counts"],
            made_at=_aware(document["made_at"]),
            expires_at=_aware(document["expires_at"]),
        )

    async def delete_expired(self, now: datetime) -> int:
        return await self.store.delete_expired(now)


def _aware(moment: datetime) -> datetime:
    """The server gives back naive UTC times."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
