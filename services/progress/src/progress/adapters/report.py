"""The report's read model (collection ``report_weeks``): one document per program and mentee,
holding under ``weeks.<Monday>`` the marks of ``domain.report`` for each ISO week they had events.

Every write is one upsert of one document with ``$max``, ``$min`` and ``$set`` of a key that names
its own value (a session's tag), so an event applied twice, late or at the same time as another
changes nothing more than applying it once in order. One document per mentee rather than per
mentee and week: the local server spends most of a read on each document it returns, and a
program's report reads them all. Ids that become keys are the tags of ``domain.report.tag``;
a module id is a key as it is (learning paths give it the same grammar as skill keys).
The report reads a program's documents by ``program_id``, an equality on an indexed field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from progress.domain.report import ASSESSORS, WeekMarks

Document = dict[str, Any]


class ReportStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.weeks: AsyncCollection[Document] = db["report_weeks"]

    async def ensure_indexes(self) -> None:
        await self.weeks.create_index("program_id")

    async def mark(
        self,
        *,
        program_id: str,
        mentee_id: str,
        week: date,
        latest: Mapping[str, str] = {},
        earliest: Mapping[str, str] = {},
        named: Mapping[str, str] = {},
    ) -> None:
        """Raise each of ``latest`` to its value, lower each of ``earliest``, set each of
        ``named`` (a key that names its value), in the week's marks of the mentee's document,
        created if need be."""
        within = f"weeks.{week.isoformat()}."
        update: Document = {"$setOnInsert": {"program_id": program_id, "mentee_id": mentee_id}}
        for operator, marks in (("$max", latest), ("$min", earliest), ("$set", named)):
            if marks:
                update[operator] = {within + key: value for key, value in marks.items()}
        await self.weeks.update_one({"_id": f"{program_id}|{mentee_id}"}, update, upsert=True)

    async def of_program(self, program_id: str) -> list[WeekMarks]:
        cursor = self.weeks.find({"program_id": program_id}, {"mentee_id": 1, "weeks": 1})
        return [
            _marks(str(d["mentee_id"]), week, marks)
            async for d in cursor
            for week, marks in (d.get("weeks") or {}).items()
        ]


def _per_module(document: Document, name: str) -> dict[tuple[str, str], str]:
    found = document.get(name) or {}
    return {
        (assessor, module): str(mark)
        for assessor in ASSESSORS
        for module, mark in (found.get(assessor) or {}).items()
    }


def _marks(mentee_id: str, week: str, document: Document) -> WeekMarks:
    return WeekMarks(
        mentee_id=mentee_id,
        week=date.fromisoformat(week),
        started=document.get("started"),
        state=document.get("state"),
        activity=document.get("activity"),
        done=document.get("done"),
        first=_per_module(document, "first"),
        last=_per_module(document, "last"),
        drops=frozenset((document.get("drops") or {}).keys()),
        sessions={k: str(v) for k, v in (document.get("sessions") or {}).items()},
    )
