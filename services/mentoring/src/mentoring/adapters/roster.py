"""The reads behind a program's roster and a person's participations.

Each is an equality on an indexed top-level field (``program_id`` of participants and matches,
``user_id`` of participants, ``mentee_id``/``mentor_id`` of matches), the only filter the local
server serves from an index. A match is read as its sides and status alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mentoring.adapters.documents import participant_from
from mentoring.adapters.repository import MentoringStore
from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import Participant
from mentorship_runtime.mongo import each_found
from mentorship_runtime.outbox import without_outbox

HIDDEN = without_outbox()
SIDES = {"mentee_id": 1, "mentor_id": 1, "mentee.name": 1, "status": 1}


@dataclass(frozen=True)
class MatchSides:
    """A match as a roster needs it: who is on each side, and its status."""

    id: str
    mentee_id: str
    mentee_name: str
    mentor_id: str
    status: MatchStatus


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


async def program_participants(store: MentoringStore, program_id: str) -> list[Participant]:
    """Every participant of a program, withdrawn ones too."""
    cursor = store.participants.find({"program_id": program_id}, HIDDEN)
    return [participant_from(d) async for d in cursor]


async def program_matches(store: MentoringStore, program_id: str) -> list[MatchSides]:
    """Every match of a program, as its sides and status."""
    cursor = store.matches.find({"program_id": program_id}, SIDES)
    return [_sides(d) async for d in cursor]


async def participants_of_user(store: MentoringStore, user_id: str) -> list[Participant]:
    """An account's participations, in every program."""
    cursor = store.participants.find({"user_id": user_id}, HIDDEN)
    return [participant_from(d) async for d in cursor]


async def matches_naming(store: MentoringStore, participant_ids: Sequence[str]) -> list[MatchSides]:
    """The matches naming any of ``participant_ids`` on either side: one equality query per id
    and side, 16 at once."""

    async def naming(anchor: tuple[str, str]) -> list[dict[str, object]]:
        side, participant_id = anchor
        cursor = store.matches.find({side: participant_id}, SIDES)
        return [d async for d in cursor]

    anchors = [(side, pid) for pid in participant_ids for side in ("mentee_id", "mentor_id")]
    return [_sides(d) for d in await each_found(anchors, naming)]
