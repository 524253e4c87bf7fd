"""The matches behind a program's report: every match of the program (``program_id``, indexed),
as its sides, status and the moment it was answered."""

from __future__ import annotations

from mentoring.adapters.repository import MentoringStore
from mentoring.domain.matches import MatchStatus
from mentoring.domain.report import MatchFacts

FACTS = {"mentee_id": 1, "mentor_id": 1, "status": 1, "decided_at": 1}


async def program_match_facts(store: MentoringStore, program_id: str) -> list[MatchFacts]:
    cursor = store.matches.find({"program_id": program_id}, FACTS)
    return [
        MatchFacts(
            mentee_id=str(d["mentee_id"]),
            mentor_id=str(d["mentor_id"]),
            status=MatchStatus(str(d["status"])),
            decided_at=d.get("decided_at"),
        )
        async for d in cursor
    ]
