"""The reads behind a program's roster and report, and a person's participations.

Each is an equality on an indexed top-level field (``program_id`` of participants and matches,
``user_id`` of participants, ``mentee_id``/``mentor_id`` of matches), the only filter the local
server serves from an index. A match is read as its sides and status alone (with the moment it
was answered, for the report).
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.asynchronous.collection import AsyncCollection

from mentoring.adapters.documents import Document, participant_from
from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import Participant
from mentoring.domain.report import MatchFacts
from mentoring.service_layer.ports import MatchSides
from mentorship_runtime.mongo import each_found
from mentorship_runtime.outbox import without_outbox

HIDDEN = without_outbox()
SIDES = {"mentee_id": 1, "mentor_id": 1, "mentee.name": 1, "status": 1}
FACTS = {"mentee_id": 1, "mentor_id": 1, "status": 1, "decided_at": 1}


def _sides(document: dict[str, object]) -> MatchSides:
    mentee = document.get("mentee")
    name = mentee.get("name", "") if isinstance(mentee, dict) else ""
    return MatchSides(
        id=str(document["_id"]),
        mentee_id=str(document["mentee_id"]),
        mentee_name=str(name),
        mentor_id=str(document["mentor_id"]),
        status=MatchStatus(str(document["status"])),
    )


class RosterReads:
    def __init__(
        self, participants: AsyncCollection[Document], matches: AsyncCollection[Document]
    ) -> None:
        self.participants = participants
        self.matches = matches

    async def program_participants(self, program_id: str) -> list[Participant]:
        """Every participant of a program, withdrawn ones too."""
        cursor = self.participants.find({"program_id": program_id}, HIDDEN)
        return [participant_from(d) async for d in cursor]

    async def program_matches(self, program_id: str) -> list[MatchSides]:
        """Every match of a program, as its sides and status."""
        cursor = self.matches.find({"program_id": program_id}, SIDES)
        return [_sides(d) async for d in cursor]

    async def program_match_facts(self, program_id: str) -> list[MatchFacts]:
        """Every match of a program, as its sides, status and the moment it was answered."""
        cursor = self.matches.find({"program_id": program_id}, FACTS)
        return [
            MatchFacts(
                mentee_id=str(d["mentee_id"]),
                mentor_id=str(d["mentor_id"]),
                status=MatchStatus(str(d["status"])),
                decided_at=d.get("decided_at"),
            )
            async for d in cursor
        ]

    async def participants_of_user(self, user_id: str) -> list[Participant]:
        """An account's participations, in every program."""
        cursor = self.participants.find({"user_id": user_id}, HIDDEN)
        return [participant_from(d) async for d in cursor]

    async def matches_naming(self, participant_ids: Sequence[str]) -> list[MatchSides]:
        """The matches naming any of ``participant_ids`` on either side: one equality query per
        id and side, 16 at once."""

        async def naming(anchor: tuple[str, str]) -> list[dict[str, object]]:
            side, participant_id = anchor
            cursor = self.matches.find({side: participant_id}, SIDES)
            return [d async for d in cursor]

        anchors = [(side, pid) for pid in participant_ids for side in ("mentee_id", "mentor_id")]
        return [_sides(d) for d in await each_found(anchors, naming)]
