"""MongoDB persistence of the progress service, with its outbox.

A tracking is one document per mentee: its state, its history and the events a change causes are
written in one single-document update, guarded by ``version``. Beside the tracking, the document
keeps the account ids of the mentee and of the current mentor (from mentoring's events), which
the access rules need.

Every query an event or a request causes names an indexed top-level field by equality, the only
filter the local server (FerretDB) serves from an index: documents by ids are looked up one id at
a time, concurrently (``_by_ids``), instead of by one ``$in``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import suppress
from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.logging import get_logger
from mentorship_runtime.mongo import find_by_ids, keep_if_newer
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index, without_outbox
from mentorship_runtime.pagination import Keyset
from progress.adapters.documents import (
    DETECTION_FIELDS,
    Document,
    detection_tracking,
    path_document,
    path_from,
    path_key,
    tracking_document,
    tracking_from,
)
from progress.adapters.history import read_part
from progress.domain.errors import NotFound
from progress.domain.learning_paths import LearningPath
from progress.domain.seed import DEFAULT_PATH
from progress.domain.tracking import Tracking
from progress.service_layer.ports import (
    Candidate,
    Detected,
    Events,
    HistoryPart,
    MenteePage,
    MentorRef,
    ParkedEvent,
    PathSummary,
    ProgramInfo,
    Stored,
)

log = get_logger("progress.store")


ACTIVE_STATES = ["active", "completed", "paused"]
HIDDEN = without_outbox()
MENTEES = Keyset("started_at")
"""A mentor's mentees in pages, oldest tracking first."""
DRAIN_CONCURRENCY = 4


class ProgressStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.trackings: AsyncCollection[Document] = db["trackings"]
        self.parked: AsyncCollection[Document] = db["parked_events"]
        self.programs: AsyncCollection[Document] = db["programs"]
        self.learning_paths: AsyncCollection[Document] = db["learning_paths"]
        self._paths: dict[tuple[str, int], LearningPath] = {}
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)
        self._clock = clock

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [self.trackings]

    async def ensure_indexes(self) -> None:
        await self.trackings.create_index([("program_id", ASCENDING), ("state", ASCENDING)])
        await self.trackings.create_index([("mentor_user_id", ASCENDING), ("state", ASCENDING)])
        await self.trackings.create_index([("mentor_id", ASCENDING), ("state", ASCENDING)])
        await self.trackings.create_index("mentee_user_id")
        await self.trackings.create_index("state")
        await self.parked.create_index("mentee_id")
        await self.programs.create_index("admin_ids")
        await self.learning_paths.create_index([("path_id", ASCENDING), ("version", ASCENDING)])
        await ensure_outbox_index(self.trackings)

    async def prepare(self) -> None:
        """Start-up: indexes, and the default path installed once (a no-op when it is there)."""
        await self.ensure_indexes()
        await self.add_path(DEFAULT_PATH, created_by=None)

    # ---- learning paths: one immutable document per version ---------------------------------

    async def add_path(self, path: LearningPath, *, created_by: str | None) -> bool:
        """Store a new version; False when that version exists already (never overwritten)."""
        document = path_document(path, created_at=self._clock(), created_by=created_by)
        try:
            await self.learning_paths.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def path(self, path_id: str, version: int | None = None) -> LearningPath:
        """A version of a path (the latest when ``version`` is None). Versions never change, so
        they are kept in memory once read."""
        if version is None:
            return await self.latest_path(path_id)
        cached = self._paths.get((path_id, version))
        if cached is not None:
            return cached
        document = await self.learning_paths.find_one({"_id": path_key(path_id, version)})
        if document is None:
            raise NotFound("learning path", f"{path_id} version {version}")
        path = path_from(document)
        self._paths[(path_id, version)] = path
        return path

    async def latest_path(self, path_id: str) -> LearningPath:
        cursor = self.learning_paths.find({"path_id": path_id}).sort("version", DESCENDING).limit(1)
        async for document in cursor:
            path = path_from(document)
            self._paths.setdefault((path.id, path.version), path)
            return path
        raise NotFound("learning path", path_id)

    async def path_summaries(self) -> list[PathSummary]:
        """Every path's latest version: id, title and version."""
        latest: dict[str, Document] = {}
        cursor = self.learning_paths.find({}, {"path_id": 1, "version": 1, "title": 1})
        async for document in cursor:
            current = latest.get(document["path_id"])
            if current is None or document["version"] > current["version"]:
                latest[document["path_id"]] = document
        return [
            PathSummary(path_id, latest[path_id]["title"], latest[path_id]["version"])
            for path_id in sorted(latest)
        ]

    # ---- trackings --------------------------------------------------------------------------

    async def get(self, mentee_id: str) -> Stored:
        document = await self.trackings.find_one({"_id": mentee_id}, HIDDEN)
        if document is None:
            raise NotFound("mentee", mentee_id)
        return _stored(document)

    async def find(self, mentee_id: str) -> Stored | None:
        document = await self.trackings.find_one({"_id": mentee_id}, HIDDEN)
        return _stored(document) if document else None

    async def with_part(self, mentee_id: str, part: HistoryPart | None) -> Stored:
        return await read_part(self.trackings, mentee_id, part)

    async def many(self, mentee_ids: Sequence[str]) -> list[Stored]:
        return [_stored(d) for d in await find_by_ids(self.trackings, mentee_ids, HIDDEN)]

    async def of_mentor(self, mentor: MentorRef, limit: int = 1000) -> list[Stored]:
        cursor = (
            self.trackings.find({**_mentor_query(mentor), "state": {"$in": ACTIVE_STATES}}, HIDDEN)
            .sort("_id")
            .limit(limit)
        )
        return [_stored(d) async for d in cursor]

    async def mentees_page(
        self,
        mentor: MentorRef,
        *,
        program_ids: Sequence[str] | None,
        first: int,
        after: str | None,
    ) -> MenteePage:
        """A mentor's current mentees, oldest tracking first, by keyset on (started_at, id).

        ``program_ids`` restricts them to those programs (an admin looking at a mentor).
        """
        query: Document = {**_mentor_query(mentor), "state": {"$in": ACTIVE_STATES}}
        if program_ids is not None:
            query["program_id"] = {"$in": list(program_ids)}
        cursor = (
            self.trackings.find(MENTEES.where(query, after), HIDDEN)
            .sort(MENTEES.order)
            .limit(first + 1)
        )
        found = [_stored(d) async for d in cursor]
        items, next_cursor = MENTEES.page(
            found, first, lambda s: (s.tracking.started_at, s.tracking.mentee_id)
        )
        return MenteePage(items, next_cursor)

    async def of_program(self, program_id: str) -> list[Stored]:
        cursor = self.trackings.find({"program_id": program_id}, HIDDEN)
        return [_stored(d) async for d in cursor]

    # ---- stall detection: batched reads of a few fields, bulk writes ------------------------

    async def detection_candidates(
        self, *, stall_before: datetime, escalate_before: datetime, batch: int = 1000
    ) -> AsyncIterator[list[Candidate]]:
        """The active trackings ``detect`` may have something to say about, without their
        history: not signalled yet and idle since ``stall_before``, or signalled, not escalated
        and idle since ``escalate_before``.

        They are read in one pass, to the end, before the first batch is handed over: on
        FerretDB (SQLite) a write waits for the cursors open on its database, and a cursor
        left open by the writer itself would never close; paging instead would sort the whole
        collection once per page. Memory grows with the candidates, not with every mentee.
        """
        query: Document = {
            "state": "active",
            "$or": [
                {"stalled_since": None, "$and": [_idle_since(stall_before)]},
                {"escalated": {"$ne": True}, "$and": [_idle_since(escalate_before)]},
            ],
        }
        found = [
            Candidate(detection_tracking(d), d.get("version", 0))
            async for d in self.trackings.find(query, DETECTION_FIELDS, batch_size=batch)
        ]
        for start in range(0, len(found), batch):
            yield found[start : start + batch]

    async def save_detected(self, detected: Sequence[Detected]) -> int:
        """Write the detection bookkeeping and its events of many trackings in one bulk write,
        each update guarded by the version read; returns how many were written. A tracking
        changed meanwhile is left alone (the next run looks again), then the events are
        published."""
        if not detected:
            return 0
        operations = []
        for item in detected:
            tracking = item.tracking
            bookkeeping = {
                "stalled_since": tracking.stalled_since,
                "stall_episodes": tracking.stall_episodes,
                "escalated": tracking.escalated,
                "version": item.candidate.version + 1,
            }
            update = self._outbox.update({"$set": bookkeeping}, item.events)
            operations.append(
                UpdateOne({"_id": tracking.mentee_id, "version": item.candidate.version}, update)
            )
        result = await self.trackings.bulk_write(operations, ordered=False)
        await self.drain_many([item.tracking.mentee_id for item in detected if item.events])
        return result.matched_count

    async def drain_many(self, mentee_ids: Sequence[str]) -> None:
        """Publish the pending events of many documents, a bounded number at a time; each
        document's own events stay in order."""
        gate = asyncio.Semaphore(DRAIN_CONCURRENCY)

        async def drain(mentee_id: str) -> None:
            async with gate:
                try:
                    await self._outbox.publish_soon(self.trackings, mentee_id)
                except PyMongoError as exc:  # the events are stored: the sweep publishes them
                    log.warning("outbox_drain_deferred", mentee_id=mentee_id, error=repr(exc))

        await asyncio.gather(*(drain(mentee_id) for mentee_id in mentee_ids))

    async def insert(self, stored: Stored, events: Events) -> bool:
        """Write a new tracking; False when one exists already (a redelivered event)."""
        try:
            await self._outbox.insert_one(self.trackings, self._document(stored, version=0), events)
        except DuplicateKeyError:
            return False
        return True

    async def save(
        self,
        stored: Stored,
        tracking: Tracking,
        events: Events,
        *,
        applied: str | None = None,
        mentor_set_by: EventOrder | None = None,
        **people: str | None,
    ) -> Stored:
        """Write the tracking and its events if the document is still at ``stored.version``
        (``ConcurrentUpdate`` otherwise). ``applied``: the id of the event applied;
        ``mentor_set_by``: that event, when it set who the current mentor is."""
        updated = Stored(
            tracking,
            stored.version + 1,
            people.get("mentee_user_id", stored.mentee_user_id),
            people.get("mentor_user_id", stored.mentor_user_id),
            stored.seen_events | ({applied} if applied else set()),
            mentor_set_by or stored.mentor_set_by,
        )
        document = self._document(updated, version=updated.version)
        del document["_id"]
        result = await self._outbox.update_one(
            self.trackings,
            {"_id": tracking.mentee_id, "version": stored.version},
            {"$set": document},
            events,
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate("tracking", tracking.mentee_id)
        return updated

    @staticmethod
    def _document(stored: Stored, *, version: int) -> Document:
        return {
            **tracking_document(stored.tracking),
            "version": version,
            "mentee_user_id": stored.mentee_user_id,
            "mentor_user_id": stored.mentor_user_id,
            "seen_events": sorted(stored.seen_events),
            "mentor_set_by": stored.mentor_set_by.document() if stored.mentor_set_by else None,
            # every mentor the mentee has had, for an erasure of one (``adapters.erasures``)
            "mentor_ids": sorted({m.mentor_id for m in stored.tracking.mentors}),
        }

    # ---- events that arrived before the match they belong to --------------------------------

    async def park(self, mentee_id: str, event_id: str, occurred_at: datetime, raw: str) -> None:
        with suppress(DuplicateKeyError):  # parked already by an earlier delivery
            await self.parked.insert_one(
                {"_id": event_id, "mentee_id": mentee_id, "occurred_at": occurred_at, "raw": raw}
            )

    async def parked_for(self, mentee_id: str) -> list[ParkedEvent]:
        cursor = self.parked.find({"mentee_id": mentee_id}).sort("occurred_at", ASCENDING)
        return [ParkedEvent(d["_id"], d["raw"]) async for d in cursor]

    async def unpark(self, event_id: str) -> None:
        await self.parked.delete_one({"_id": event_id})

    # ---- programs (from mentoring's ProgramPublished) ----------------------------------------

    async def remember_program(
        self,
        program_id: str,
        *,
        admin_ids: list[str],
        name: str,
        learning_path_id: str,
        stall_window_days: int,
        published: EventOrder,
    ) -> bool:
        """Keep the latest state of a program: an older ProgramPublished (a redelivery, a replay)
        never overwrites a newer one. One conditional update; the first state is inserted, and
        an insert that finds the program there (another state arrived meanwhile) tries the
        update again. Returns whether this state was kept."""
        fields = {
            "admin_ids": admin_ids,
            "name": name,
            "learning_path_id": learning_path_id,
            "stall_window_days": stall_window_days,
            "published_at": published.at,
            "published_micros": published.micros,
            "published_event": published.event_id,
        }
        newer = {
            "_id": program_id,
            "$or": [
                {"published_micros": {"$lt": published.micros}},
                {
                    "published_micros": published.micros,
                    "published_event": {"$ne": published.event_id},
                },
                # written before the exact moment was kept: to the millisecond, as then
                {"published_micros": {"$exists": False}, "published_at": {"$lte": published.at}},
                {"published_at": {"$exists": False}},
            ],
        }
        return await keep_if_newer(self.programs, program_id, newer, fields, what="program")

    async def programs_of(self, program_ids: Sequence[str]) -> dict[str, ProgramInfo]:
        return {d["_id"]: _program(d) for d in await find_by_ids(self.programs, program_ids)}

    async def program(self, program_id: str) -> ProgramInfo | None:
        document = await self.programs.find_one({"_id": program_id})
        return _program(document) if document is not None else None

    async def stall_windows(self) -> dict[str, timedelta]:
        """Every known program's own stall window."""
        cursor = self.programs.find(
            {"stall_window_days": {"$exists": True}}, {"stall_window_days": 1}
        )
        return {d["_id"]: timedelta(days=d["stall_window_days"]) async for d in cursor}

    async def programs_administered_by(self, user_id: str) -> list[str]:
        cursor = self.programs.find({"admin_ids": user_id}, {"_id": 1})
        return [d["_id"] async for d in cursor]

    async def admins_of(self, program_ids: Sequence[str]) -> dict[str, set[str]]:
        programs = await self.programs_of(program_ids)
        return {program_id: set(info.admin_ids) for program_id, info in programs.items()}


def _mentor_query(mentor: MentorRef) -> Document:
    field = "mentor_user_id" if mentor.by == "account" else "mentor_id"
    return {field: mentor.value}


def _idle_since(moment: datetime) -> Document:
    """No activity since ``moment``, and active since then (the stall clock's start)."""
    return {
        "active_since": {"$lte": moment},
        "$or": [{"last_activity_at": None}, {"last_activity_at": {"$lte": moment}}],
    }


def _program(document: Document) -> ProgramInfo:
    days = document.get("stall_window_days")
    return ProgramInfo(
        program_id=document["_id"],
        admin_ids=frozenset(document.get("admin_ids", ())),
        learning_path_id=document.get("learning_path_id"),
        stall_window=timedelta(days=days) if days else None,
    )


def _stored(document: Document) -> Stored:
    return Stored(
        tracking_from(document),
        document.get("version", 0),
        document.get("mentee_user_id"),
        document.get("mentor_user_id"),
        frozenset(document.get("seen_events", ())),
        EventOrder.from_document(document.get("mentor_set_by")),
    )
