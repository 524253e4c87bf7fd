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
from mentoring.service_layer.ports import (
    ExplainedCriterion,
    ReportBlockingPair,
    ReportPair,
    ReportSections,
    RunSummary,
    UnmatchedMentee,
)
from mentorship_contracts import Envelope
from mentorship_runtime.mongo import find_by_ids
from mentorship_runtime.outbox import Outbox, OutboxRelay, without_outbox
from mentorship_runtime.pagination import Keyset

CHUNK = 200
SECTIONS = ("pairs", "unmatched", "blocking")
HIDDEN = without_outbox()
NEWEST_RUNS = Keyset("ran_at", newest_first=True)
"""Finished reports in pages, newest first."""


def _chunk_id(run_id: str, section: str, index: int) -> str:
    return f"{run_id}:{section}:{index}"


def summary_document(summary: RunSummary) -> Document:
    """A report's summary as stored (the sizes and the state are the store's)."""
    return {
        "_id": summary.id,
        "program_id": summary.program_id,
        "objective": summary.objective,
        "preview": summary.preview,
        "ran_at": summary.ran_at,
        "by": summary.by,
        "candidates": {"mentees": summary.mentees, "mentors": summary.mentors},
        "matched_count": summary.matched_count,
        "total_score": summary.total_score,
        "mean_score": summary.mean_score,
        "blocking_pairs": summary.blocking_pairs,
    }


def summary_from(document: Mapping[str, Any]) -> RunSummary:
    candidates = document.get("candidates", {})
    return RunSummary(
        id=document["_id"],
        program_id=document["program_id"],
        objective=document["objective"],
        preview=bool(document.get("preview", False)),
        ran_at=document.get("ran_at"),
        by=document.get("by", ""),
        mentees=candidates.get("mentees", 0),
        mentors=candidates.get("mentors", 0),
        matched_count=document["matched_count"],
        total_score=document["total_score"],
        mean_score=document["mean_score"],
        blocking_pairs=document["blocking_pairs"],
        sizes=document.get("sizes"),
        early_proposals=tuple(document.get("proposals", ())),
        early_unmatched=tuple(_unmatched(u) for u in document.get("unmatched", ())),
    )


def _pair_document(pair: ReportPair) -> Document:
    return {
        "mentee_id": pair.mentee_id,
        "mentor_id": pair.mentor_id,
        "score": pair.score,
        "breakdown": [
            {"criterion": c.criterion, "value": c.value, "points": c.points, "reason": c.reason}
            for c in pair.breakdown
        ],
        "match_id": pair.match_id,
    }


def _pair(document: Mapping[str, Any]) -> ReportPair:
    return ReportPair(
        mentee_id=document["mentee_id"],
        mentor_id=document["mentor_id"],
        score=document["score"],
        breakdown=tuple(ExplainedCriterion(**c) for c in document["breakdown"]),
        match_id=document.get("match_id"),
    )


def _unmatched(document: Mapping[str, Any]) -> UnmatchedMentee:
    return UnmatchedMentee(mentee_id=document["mentee_id"], reason=document["reason"])


def _blocking_document(pair: ReportBlockingPair) -> Document:
    return {
        "mentee_id": pair.mentee_id,
        "mentor_id": pair.mentor_id,
        "score": pair.score,
        "mentee_score": pair.mentee_score,
        "mentor_weakest": pair.mentor_weakest,
        "reason": pair.reason,
    }


def _blocking(document: Mapping[str, Any]) -> ReportBlockingPair:
    return ReportBlockingPair(
        mentee_id=document["mentee_id"],
        mentor_id=document["mentor_id"],
        score=document["score"],
        mentee_score=document.get("mentee_score"),
        mentor_weakest=document.get("mentor_weakest"),
        reason=document["reason"],
    )


def _located(summary: RunSummary) -> Document:
    """What reading a section needs of a summary: its id and its sizes."""
    return {"_id": summary.id, "sizes": dict(summary.sizes or {})}


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
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

    async def ensure_indexes(self) -> None:
        await self.runs.create_index([("program_id", ASCENDING), ("ran_at", DESCENDING)])

    async def save(
        self,
        summary: RunSummary,
        sections: ReportSections,
        events: Sequence[Envelope[Any]] = (),
    ) -> None:
        """Store a report (``_save``), as documents."""
        await self._save(
            summary_document(summary),
            {
                "pairs": [_pair_document(p) for p in sections.pairs],
                "unmatched": [
                    {"mentee_id": u.mentee_id, "reason": u.reason} for u in sections.unmatched
                ],
                "blocking": [_blocking_document(b) for b in sections.blocking],
            },
            events,
        )

    async def _save(
        self,
        summary: Document,
        sections: Mapping[str, Sequence[Document]],
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
        update: Document = {
            "$set": {**fields, "sizes": counts, "state": "done"},
            "$unset": {"claimed_at": ""},
        }
        await self._outbox.update_one(self.runs, {"_id": run_id}, update, events, upsert=True)

    async def summary(self, run_id: str) -> RunSummary | None:
        """A finished report's summary; None for an unknown run or one still running."""
        found = await self.runs.find_one({"_id": run_id}, HIDDEN)
        return summary_from(found) if found is not None and found.get("state") == "done" else None

    async def pairs(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[ReportPair]:
        return [_pair(d) for d in await self._section(_located(summary), "pairs", offset, limit)]

    async def unmatched(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[UnmatchedMentee]:
        found = await self._section(_located(summary), "unmatched", offset, limit)
        return [_unmatched(d) for d in found]

    async def blocking(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[ReportBlockingPair]:
        found = await self._section(_located(summary), "blocking", offset, limit)
        return [_blocking(d) for d in found]

    async def _section(
        self, summary: Document, section: str, offset: int = 0, limit: int | None = None
    ) -> list[Document]:
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
    ) -> tuple[list[RunSummary], str | None]:
        """A program's finished reports, newest first, by keyset on (ran_at, id)."""
        found, cursor = await self._of_program(
            program_id, first=first, after=after, previews=previews
        )
        return [summary_from(d) for d in found], cursor

    async def _of_program(
        self, program_id: str, *, first: int, after: str | None, previews: bool = True
    ) -> tuple[list[Document], str | None]:
        query: dict[str, Any] = {"program_id": program_id, "state": "done"}
        if not previews:
            query["preview"] = {"$ne": True}
        cursor = (
            self.runs.find(NEWEST_RUNS.where(query, after), HIDDEN)
            .sort(NEWEST_RUNS.order)
            .limit(first + 1)
        )
        found = [d async for d in cursor]
        return NEWEST_RUNS.page(found, first, lambda d: (d["ran_at"], d["_id"]))
