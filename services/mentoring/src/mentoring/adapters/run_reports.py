"""Matching reports (runs and previews), split so that no document outgrows the server's limit.

A report's summary is the run's document in ``matching_runs`` (where a keyed run's claim was);
its lists (the pairs with their explained scores, the unmatched mentees, the blocking pairs) are
cut into chunks of ``CHUNK`` entries, one document each in ``matching_run_entries`` under
``<run id>:<section>:<chunk>``. A pair with its six criteria explained takes about 1 to 1.5 kB,
so a chunk stays far below MongoDB's 16 MiB per document, whatever the cohort's size (500
mentees and 40 mentors: 3 chunks of pairs, 3 of unmatched, and as many of blocking pairs as
there are hundreds of them). The summary records how many entries each section has, so a chunk
left by an earlier attempt of a taken-over run beyond that count is never read. Chunks are
written before the summary marks the report done, so a done report is complete. The write that
marks it done carries its events (the audit trail's record) in the summary's outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.documents import Document
from mentoring.service_layer.ports import Record
from mentorship_contracts import Envelope
from mentorship_runtime.mongo import find_by_ids
from mentorship_runtime.outbox import OutboxRelay, outbox_update
from mentorship_runtime.pagination import decode_cursor, encode_cursor

CHUNK = 200
SECTIONS = ("pairs", "unmatched", "blocking")


def _chunk_id(run_id: str, section: str, index: int) -> str:
    return f"{run_id}:{section}:{index}"


class RunReports:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.runs: AsyncCollection[Document] = db["matching_runs"]
        self.entries: AsyncCollection[Document] = db["matching_run_entries"]
        self._relay = relay
        self._clock = clock
        self._prefix = topic_prefix

    async def ensure_indexes(self) -> None:
        await self.runs.create_index([("program_id", ASCENDING), ("ran_at", DESCENDING)])

    async def save(
        self,
        summary: Record,
        sections: Mapping[str, Sequence[Record]],
        events: Sequence[Envelope[Any]] = (),
    ) -> None:
        """Store a report: its chunks, then its summary (``state: done``, with the size of each
        section, and ``events`` in its outbox), in place of the run's claim if it had one. Every
        write sets whole values, so a retry or a taken-over run writes the same documents
        again."""
        run_id = summary["_id"]
        for section, items in sections.items():
            for index, start in enumerate(range(0, len(items), CHUNK)):
                chunk = {
                    "run_id": run_id,
                    "section": section,
                    "index": index,
                    "items": list(items[start : start + CHUNK]),
                }
                await self.entries.update_one(
                    {"_id": _chunk_id(run_id, section, index)}, {"$set": chunk}, upsert=True
                )
        counts = {section: len(items) for section, items in sections.items()}
        fields = {k: v for k, v in summary.items() if k != "_id"}
        parts = outbox_update(events, now=self._clock(), topic_prefix=self._prefix)
        update: Document = {
            "$set": {**fields, "sizes": counts, "state": "done", **parts.get("$set", {})},
            "$unset": {"claimed_at": ""},
        }
        if parts:
            update["$push"] = parts["$push"]
        await self.runs.update_one({"_id": run_id}, update, upsert=True)
        if parts:
            await self._relay.drain_soon(self.runs, run_id)

    async def summary(self, run_id: str) -> Document | None:
        """A finished report's summary; None for an unknown run or one still running."""
        found = await self.runs.find_one({"_id": run_id}, {"_outbox": 0})
        return found if found is not None and found.get("state") == "done" else None

    async def section(
        self, summary: Record, section: str, offset: int = 0, limit: int | None = None
    ) -> list[Record]:
        """Entries ``offset`` to ``offset + limit`` of a section (all of them without a limit),
        reading only the chunks that hold them."""
        size = summary.get("sizes", {}).get(section, 0)
        end = size if limit is None else min(size, offset + limit)
        if offset >= end:
            return []
        ids = [
            _chunk_id(summary["_id"], section, i)
            for i in range(offset // CHUNK, (end - 1) // CHUNK + 1)
        ]
        chunks = {d["index"]: d["items"] for d in await find_by_ids(self.entries, ids)}
        first = offset // CHUNK
        items = [item for i in sorted(chunks) for item in chunks[i]]
        return items[offset - first * CHUNK : end - first * CHUNK]

    async def of_program(
        self, program_id: str, *, first: int, after: str | None, previews: bool = True
    ) -> tuple[list[Record], str | None]:
        """A program's finished reports, newest first, by keyset on (ran_at, id)."""
        query: dict[str, Any] = {"program_id": program_id, "state": "done"}
        if not previews:
            query["preview"] = {"$ne": True}
        if after is not None:
            moment, identifier = decode_cursor(after)
            query["$or"] = [
                {"ran_at": {"$lt": moment}},
                {"ran_at": moment, "_id": {"$lt": identifier}},
            ]
        cursor = (
            self.runs.find(query, {"_outbox": 0})
            .sort([("ran_at", DESCENDING), ("_id", DESCENDING)])
            .limit(first + 1)
        )
        found: list[Record] = [d async for d in cursor]
        more = len(found) > first
        found = found[:first]
        last: datetime | None = found[-1]["ran_at"] if more and found else None
        return found, encode_cursor(last, found[-1]["_id"]) if last is not None else None
