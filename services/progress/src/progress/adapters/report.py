"""The report's read model (collection ``report_blocks``): one document per program, mentee and
block of weeks (``domain.report.Block``: a week, a quarter, a year), holding under ``marks`` the
marks of ``domain.report`` its weeks' events made.

Every event marks its week's three blocks, each with one upsert of one document with ``$max``,
``$min`` and ``$set`` of a key that names its own value (a session's tag), so an event applied
twice, late or at the same time as another changes nothing more than applying it once in order,
and a block holds exactly the fold of its weeks. Ids that become keys are the tags of
``domain.report.tag``; a module id is a key as it is (learning paths give it the same grammar as
skill keys). A report reads blocks by equalities on ``(program_id, level, block)``: every year
block, and each week or quarter block it needs, one lookup per block, as ``each_found`` runs them.

The read model had one document per program and mentee in ``report_weeks``, every week under
``weeks.<Monday>``; each is replayed into blocks at start-up, then deleted (replaying is idempotent,
so instances starting together, or a start-up cut short, do no harm).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import each_found
from progress.domain.report import ASSESSORS, Block, WeekMarks, blocks_of

Document = dict[str, Any]
EARLIEST = ("started", "done", "first")
LATEST = ("state", "activity", "last")
NAMED = ("drops", "sessions")


class ReportStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.blocks_of_weeks: AsyncCollection[Document] = db["report_blocks"]
        self.legacy: AsyncCollection[Document] = db["report_weeks"]

    async def ensure_indexes(self) -> None:
        await self.blocks_of_weeks.create_index([("program_id", 1), ("level", 1), ("block", 1)])
        await self._replay_legacy()

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
        ``named`` (a key that names its value), in the marks of the week's three blocks, their
        documents created if need be."""
        changes: Document = {}
        for operator, marks in (("$max", latest), ("$min", earliest), ("$set", named)):
            if marks:
                changes[operator] = {f"marks.{key}": value for key, value in marks.items()}
        await asyncio.gather(
            *(
                self.blocks_of_weeks.update_one(
                    {"_id": f"{program_id}|{mentee_id}|{block.name}"},
                    {
                        "$setOnInsert": {
                            "program_id": program_id,
                            "mentee_id": mentee_id,
                            "level": block.level,
                            "block": block.name,
                            "start": block.start.isoformat(),
                        },
                        **changes,
                    },
                    upsert=True,
                )
                for block in blocks_of(week)
            )
        )

    async def years(self, program_id: str) -> list[WeekMarks]:
        found = self.blocks_of_weeks.find({"program_id": program_id, "level": "y"}, _READ)
        return [_marks(d) async for d in found]

    async def blocks(self, program_id: str, blocks: Sequence[Block]) -> list[WeekMarks]:
        async def of_block(block: Block) -> list[Document]:
            query = {"program_id": program_id, "level": block.level, "block": block.name}
            return [d async for d in self.blocks_of_weeks.find(query, _READ)]

        return [_marks(d) for d in await each_found(blocks, of_block)]

    async def _replay_legacy(self) -> None:
        async for document in self.legacy.find({}):
            program_id, mentee_id = document["program_id"], document["mentee_id"]
            for week, marks in (document.get("weeks") or {}).items():
                flat = dict(_flattened(marks))
                await self.mark(
                    program_id=program_id,
                    mentee_id=mentee_id,
                    week=date.fromisoformat(week),
                    latest={k: v for k, v in flat.items() if k.split(".")[0] in LATEST},
                    earliest={k: v for k, v in flat.items() if k.split(".")[0] in EARLIEST},
                    named={k: v for k, v in flat.items() if k.split(".")[0] in NAMED},
                )
            await self.legacy.delete_one({"_id": document["_id"]})


_READ = {"mentee_id": 1, "start": 1, "marks": 1}


def _flattened(marks: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A week's marks as the dotted keys they were written under."""
    found: list[tuple[str, str]] = []
    for key, value in marks.items():
        if isinstance(value, Mapping):
            found += _flattened(value, f"{prefix}{key}.")
        else:
            found.append((f"{prefix}{key}", str(value)))
    return found


def _per_module(document: Document, name: str) -> dict[tuple[str, str], str]:
    found = document.get(name) or {}
    return {
        (assessor, module): str(mark)
        for assessor in ASSESSORS
        for module, mark in (found.get(assessor) or {}).items()
    }


def _marks(found: Document) -> WeekMarks:
    document = found.get("marks") or {}
    return WeekMarks(
        mentee_id=str(found["mentee_id"]),
        week=date.fromisoformat(found["start"]),
        started=document.get("started"),
        state=document.get("state"),
        activity=document.get("activity"),
        done=document.get("done"),
        first=_per_module(document, "first"),
        last=_per_module(document, "last"),
        drops=frozenset((document.get("drops") or {}).keys()),
        sessions={k: str(v) for k, v in (document.get("sessions") or {}).items()},
    )
