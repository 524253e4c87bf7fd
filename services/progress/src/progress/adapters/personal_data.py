"""Where progress keeps a person's data, found by their participant ids: as a mentee, their
tracking (check-ins with their notes, milestones with their evidence, sessions with notes and
ratings) and their planned sessions; as a mentor, what they recorded in the trackings of the
mentees they follow or followed (``mentor_ids``, or the current ``mentor_id`` for a tracking
not written since that field was kept: the records an erasure finds), and the sessions planned
with them. An export reads it.

Every query is a lookup by id or an equality on an indexed field.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import find_by_ids
from mentorship_runtime.outbox import without_outbox
from progress.domain.erasure import written_as_mentor
from progress.domain.tracking import MentorAssignment
from progress.service_layer.ports import PersonalRecords

Document = dict[str, Any]
HIDDEN = without_outbox("seen_events")


class ProgressPersonalData:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.trackings: AsyncCollection[Document] = db["trackings"]
        self.planned: AsyncCollection[Document] = db["planned_sessions"]

    async def ensure_indexes(self) -> None:
        await self.planned.create_index("mentor_id")  # the sessions planned with a mentor
        await self.trackings.create_index("mentor_ids")  # the mentees a mentor has had

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
            asyncio.gather(*(self._mentored_by(i) for i in participant_ids)),
            self._planned(participant_ids),
        )
        return {
            "trackings": trackings,
            "recorded_as_mentor": [
                _as_mentor(d, mentor_id)
                for mentor_id, documents in zip(participant_ids, followed, strict=True)
                for d in documents
            ],
            "planned_sessions": planned,
        }

    async def _mentored_by(self, mentor_id: str) -> list[Document]:
        """The trackings of the mentees ``mentor_id`` follows or followed, by mentee id."""
        found: dict[str, Document] = {}
        for query in ({"mentor_ids": mentor_id}, {"mentor_id": mentor_id}):
            async for d in self.trackings.find(query, HIDDEN):
                found.setdefault(d["_id"], d)
        return [found[k] for k in sorted(found)]

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


def _as_mentor(tracking: Document, mentor_id: str) -> Document:
    """What a mentor recorded in a mentee's tracking while they were its mentor (the texts an
    erasure of them removes): their check-ins, the milestones they marked and the sessions of
    the pair (with both ratings and the notes), and when they were the mentor."""
    spans = [
        MentorAssignment(m["mentor_id"], m["since"], m.get("until"))
        for m in tracking.get("mentors", [])
        if m.get("mentor_id") == mentor_id
    ]
    theirs = written_as_mentor(spans, mentor_id)
    return {
        "mentee_id": tracking["_id"],
        "program_id": tracking.get("program_id"),
        "mentor_id": mentor_id,
        "mentored": [{"since": m.since, "until": m.until} for m in spans],
        "check_ins": [
            c
            for c in tracking.get("check_ins", [])
            if theirs(c.get("assessed_by"), c["recorded_at"])
        ],
        "milestones": [m for m in tracking.get("milestones", []) if theirs(m.get("by"), m["at"])],
        "sessions": [s for s in tracking.get("sessions", []) if theirs(None, s["logged_at"])],
    }
