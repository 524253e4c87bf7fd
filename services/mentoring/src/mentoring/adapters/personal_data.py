"""Where mentoring keeps a person's data, found by their account and participant ids: their
participations (profiles, skills, withdrawals), the matches naming them on either side (with the
score and the reasons that explain each proposal), their account as an identity provider sees
it, and their entry among a program's admins. An export reads it; an erasure will find the
same records here.

Every query is an equality on an indexed field, or a lookup by id.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.domain.data_exports import DataSubject, Scope
from mentoring.service_layer.ports import PersonalDataSection
from mentorship_runtime.mongo import find_by_ids
from mentorship_runtime.outbox import without_outbox

Document = dict[str, Any]
HIDDEN = without_outbox()


class MentoringPersonalData:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.participants: AsyncCollection[Document] = db["participants"]
        self.matches: AsyncCollection[Document] = db["matches"]
        self.programs: AsyncCollection[Document] = db["programs"]
        self.accounts: AsyncCollection[Document] = db["provisioned_users"]

    async def sections(self, subject: DataSubject) -> list[PersonalDataSection]:
        ids = subject.participant_ids
        participants, matches, accounts = await asyncio.gather(
            find_by_ids(self.participants, ids, HIDDEN),
            self._matches(ids),
            find_by_ids(self.accounts, ids),
        )
        found = [
            PersonalDataSection("participations", participants),
            PersonalDataSection("matches", matches),
            PersonalDataSection("provisioned_accounts", accounts),
        ]
        if subject.scope is Scope.PERSON:
            administered = await self._administered(subject.user_id)
            found.append(PersonalDataSection("administered_programs", administered))
        return found

    async def _matches(self, participant_ids: tuple[str, ...]) -> list[Document]:
        async def naming(field: str, participant_id: str) -> list[Document]:
            cursor = self.matches.find({field: participant_id}, HIDDEN).sort("proposed_at", 1)
            return [d async for d in cursor]

        found = await asyncio.gather(
            *(naming(f, p) for p in participant_ids for f in ("mentee_id", "mentor_id"))
        )
        unique = {d["_id"]: d for each in found for d in each}
        return sorted(unique.values(), key=lambda d: (d["proposed_at"], d["_id"]))

    async def _administered(self, user_id: str) -> list[Document]:
        cursor = self.programs.find({"admin_ids": user_id}, {"name": 1, "admins": 1})
        return [
            {
                "_id": d["_id"],
                "name": d.get("name"),
                "as_admin": [a for a in d.get("admins", []) if a.get("user_id") == user_id],
            }
            async for d in cursor
        ]
