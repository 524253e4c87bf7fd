"""Where progress keeps a person's data, found by their participant ids: as a mentee, their
tracking (check-ins with their notes, milestones with their evidence, sessions with notes and
ratings) and their planned sessions; as a mentor, what they recorded in the trackings of the
mentees they follow now, and the sessions planned with them. An export reads it; an erasure
will find the same records here.

Every query is a lookup by id or an equality on an indexed field.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import find_by_ids
from mentorship_runtime.outbox import without_outbox
from progress.service_layer.ports import PersonalRecords

Document = dict[str, Any]
HIDDEN = without_outbox("seen_events")


class ProgressPersonalData:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.trackings: AsyncCollection[Document] = db["trackings"]
        self.planned: AsyncCollection[Document] = db["planned_sessions"]

    async def ensure_indexes(self) -> None:
        await self.planned.create_index("mentor_id")  # the sessions planned with a mentor

    async def of_participants(self, participant_ids: tuple[str, ...]) -> PersonalRecords:
        found = await self.sections(participant_ids)
        return PersonalRecords(
            trackings=found["trackings"],
            recorded_as_mentor=found["recorded_as_mentor"],
            planned_sessions=found["planned_sessions"],
        )

    async def sections(self, participant_ids: tuple[str, ...]) -> dict[str, list[Document]]:
        trackings, followed, planned = await asyncio.gather(
            find_by_ids(self.trackings, participant_ids, HIDDEN),
            self._each("trackings", "mentor_id", participant_ids),
            self._planned(participant_ids),
        )
        return {
            "trackings": trackings,
            "recorded_as_mentor": [_as_mentor(d) for d in followed],
            "planned_sessions": planned,
        }

    async def _each(self, collection: str, field: str, ids: tuple[str, ...]) -> list[Document]:
        source: AsyncCollection[Document] = getattr(self, collection)

        async def naming(identifier: str) -> list[Document]:
            return [d async for d in source.find({field: identifier}, HIDDEN)]

        found = await asyncio.gather(*(naming(i) for i in ids))
        return [d for each in found for d in each]

    async def _planned(self, ids: tuple[str, ...]) -> list[Document]:
        both = await asyncio.gather(
            self._each("planned", "mentee_id", ids), self._each("planned", "mentor_id", ids)
        )
        unique = {d["_id"]: d for each in both for d in each}
        return sorted(unique.values(), key=lambda d: (d["starts_at"], d["_id"]))


def _as_mentor(tracking: Document) -> Document:
    """What a mentor recorded in a mentee's tracking: their check-ins, the milestones they
    marked and the sessions of the pair (with both ratings and the notes)."""
    return {
        "mentee_id": tracking["_id"],
        "program_id": tracking.get("program_id"),
        "mentor_id": tracking.get("mentor_id"),
        "check_ins": [c for c in tracking.get("check_ins", []) if c.get("assessed_by") == "mentor"],
        "milestones": [m for m in tracking.get("milestones", []) if m.get("by") == "mentor"],
        "sessions": list(tracking.get("sessions", [])),
    }
