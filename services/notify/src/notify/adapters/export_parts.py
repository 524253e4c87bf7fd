"""Notify's export parts, kept by the runtime's ``ExportPartStore`` (one document per export,
with the event announcing it in its outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from mentorship_contracts import Envelope
from mentorship_runtime.export_parts import ExportPartStore
from notify.service_layer.ports import ExportPart


class ExportParts:
    def __init__(self, store: ExportPartStore) -> None:
        self._store = store

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
        return await self._store.add(document, events)

    async def get(self, export_id: str) -> ExportPart | None:
        found = await self._store.get(export_id)
        if found is None:
            return None
        return ExportPart(
            export_id=found["_id"],
            subject_user_id=found["subject_user_id"],
            program_ids=tuple(found["program_ids"]),
            content=str(found["content"]),
            counts=found.get("counts") or {},
            made_at=found["made_at"],
            expires_at=found["expires_at"],
        )

    async def delete_expired(self, now: datetime) -> int:
        return await self._store.delete_expired(now)
