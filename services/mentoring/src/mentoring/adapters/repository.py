"""MongoDB persistence of programs, participants and matches, with their outbox.

Each write is one single-document operation that carries the state change and the events it
causes (see ``mentorship_runtime.outbox``); optimistic concurrency on ``version`` guards updates.
A program or participant created with an idempotency key keeps the fingerprint of the request
that created it (``request_fingerprint``), so that a retry is told from another request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.documents import (
    Document,
    match_document,
    match_from,
    participant_document,
    participant_from,
    program_document,
    program_from,
)
from mentoring.domain.errors import AlreadyRegistered, CapacityFull, Conflict, NotFound
from mentoring.domain.matches import Match, MatchStatus
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.mongo import insert_or_find
from mentorship_runtime.outbox import OutboxRelay, ensure_outbox_index, outbox_update
from mentorship_runtime.pagination import decode_cursor, encode_cursor

Events = Sequence[Envelope[Any]]
TERMINAL = [s.value for s in MatchStatus if not s.is_open]
OPEN = [s.value for s in MatchStatus if s.is_open]
FINGERPRINT = "request_fingerprint"
T = TypeVar("T")


@dataclass(frozen=True)
class Earlier(Generic[T]):
    """What a creation found stored under its id: the resource, and the fingerprint of the
    request that created it (None for a resource created without one)."""

    value: T
    fingerprint: str | None


@dataclass(frozen=True)
class Page:
    items: list[Match]
    next_cursor: str | None


class MentoringStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.programs: AsyncCollection[Document] = db["programs"]
        self.participants: AsyncCollection[Document] = db["participants"]
        self.matches: AsyncCollection[Document] = db["matches"]
        self.runs: AsyncCollection[Document] = db["matching_runs"]
        self._relay = relay
        self._clock = clock
        self._prefix = topic_prefix

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [self.programs, self.participants, self.matches]

    async def ensure_indexes(self) -> None:
        await self.participants.create_index(
            [("program_id", ASCENDING), ("user_id", ASCENDING)], unique=True
        )
        await self.participants.create_index([("program_id", ASCENDING), ("status", ASCENDING)])
        await self.matches.create_index([("program_id", ASCENDING), ("status", ASCENDING)])
        await self.matches.create_index([("mentee_id", ASCENDING), ("status", ASCENDING)])
        await self.matches.create_index([("mentor_id", ASCENDING), ("status", ASCENDING)])
        await self.matches.create_index([("status", ASCENDING), ("expires_at", ASCENDING)])
        await self.matches.create_index([("proposed_at", ASCENDING), ("_id", ASCENDING)])
        await self.programs.create_index("admin_ids")
        for collection in self.outbox_collections:
            await ensure_outbox_index(collection)

    # ---- writing with events ----------------------------------------------------------------

    async def _insert(
        self,
        collection: AsyncCollection[Document],
        document: Document,
        events: Events,
        fingerprint: str | None = None,
    ) -> tuple[bool, Document | None]:
        """Insert a new aggregate with its events (and the fingerprint of the request creating
        it). ``(True, None)`` when inserted; ``(False, stored)`` when that id exists already;
        ``(False, None)`` when another unique index refused it."""
        parts = outbox_update(events, now=self._clock(), topic_prefix=self._prefix)
        if parts:
            document = {
                **document,
                **parts["$set"],
                "_outbox": parts["$push"]["_outbox"]["$each"],
            }
        if fingerprint is not None:
            document = {**document, FINGERPRINT: fingerprint}
        inserted, stored = await insert_or_find(collection, document)
        if inserted:
            await self._relay.drain_soon(collection, document["_id"])
        return inserted, stored

    async def _update(
        self,
        collection: AsyncCollection[Document],
        kind: str,
        document: Document,
        expected_version: int,
        events: Events,
    ) -> None:
        parts = outbox_update(events, now=self._clock(), topic_prefix=self._prefix)
        state = {k: v for k, v in document.items() if k not in ("_id", "open_matches")}
        state["version"] = expected_version + 1
        update: Document = {"$set": {**state, **parts.get("$set", {})}}
        if parts:
            update["$push"] = parts["$push"]
        result = await collection.update_one(
            {"_id": document["_id"], "version": expected_version}, update
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate(kind, document["_id"])
        await self._relay.drain_soon(collection, document["_id"])

    # ---- programs ---------------------------------------------------------------------------

    async def add_program(
        self, program: Program, events: Events, *, fingerprint: str | None = None
    ) -> Earlier[Program] | None:
        """Insert a new program; None when inserted, else the program stored under its id."""
        inserted, stored = await self._insert(
            self.programs, program_document(program), events, fingerprint
        )
        if inserted:
            return None
        if stored is None:
            raise Conflict(f"program {program.id!r} exists already")
        return Earlier(program_from(stored), stored.get(FINGERPRINT))

    async def program_created(self, program_id: str) -> Earlier[Program] | None:
        document = await self.programs.find_one({"_id": program_id}, {"_outbox": 0})
        if document is None:
            return None
        return Earlier(program_from(document), document.get(FINGERPRINT))

    async def save_program(self, program: Program, events: Events) -> Program:
        await self._update(
            self.programs, "program", program_document(program), program.version, events
        )
        return replace(program, version=program.version + 1)

    async def program(self, program_id: str) -> Program:
        document = await self.programs.find_one({"_id": program_id}, {"_outbox": 0})
        if document is None:
            raise NotFound("program", program_id)
        return program_from(document)

    async def programs_by_ids(self, ids: Sequence[str]) -> list[Program]:
        cursor = self.programs.find({"_id": {"$in": list(ids)}}, {"_outbox": 0})
        return [program_from(d) async for d in cursor]

    async def programs_of_admin(self, user_id: str, limit: int) -> list[Program]:
        cursor = self.programs.find({"admin_ids": user_id}, {"_outbox": 0}).sort("_id").limit(limit)
        return [program_from(d) async for d in cursor]

    # ---- participants -----------------------------------------------------------------------

    async def add_participant(
        self, participant: Participant, events: Events, *, fingerprint: str | None = None
    ) -> Earlier[Participant] | None:
        """Insert a new participant; None when inserted, else the participant stored under its
        id. ``AlreadyRegistered`` (naming their participant id) when the user is in the program
        under another id."""
        inserted, stored = await self._insert(
            self.participants, participant_document(participant), events, fingerprint
        )
        if inserted:
            return None
        if stored is not None:
            return Earlier(participant_from(stored), stored.get(FINGERPRINT))
        registered = await self.participant_of_user(participant.program_id, participant.user_id)
        if registered is None:  # refused by the unique index, then gone: never deleted, so odd
            raise Conflict(f"participant {participant.id!r} could not be registered; try again")
        raise AlreadyRegistered(participant.user_id, participant.program_id, registered.id)

    async def participant_created(self, participant_id: str) -> Earlier[Participant] | None:
        document = await self.participants.find_one({"_id": participant_id}, {"_outbox": 0})
        if document is None:
            return None
        return Earlier(participant_from(document), document.get(FINGERPRINT))

    async def save_participant(self, participant: Participant, events: Events) -> Participant:
        await self._update(
            self.participants,
            "participant",
            participant_document(participant),
            participant.version,
            events,
        )
        return replace(participant, version=participant.version + 1)

    async def participant(self, participant_id: str) -> Participant:
        document = await self.participants.find_one({"_id": participant_id}, {"_outbox": 0})
        if document is None:
            raise NotFound("participant", participant_id)
        return participant_from(document)

    async def participants_by_ids(self, ids: Sequence[str]) -> list[Participant]:
        cursor = self.participants.find({"_id": {"$in": list(ids)}}, {"_outbox": 0})
        return [participant_from(d) async for d in cursor]

    async def participant_of_user(self, program_id: str, user_id: str) -> Participant | None:
        document = await self.participants.find_one(
            {"program_id": program_id, "user_id": user_id}, {"_outbox": 0}
        )
        return participant_from(document) if document else None

    async def active_participants(self, program_id: str) -> list[Participant]:
        cursor = self.participants.find(
            {"program_id": program_id, "status": "active"}, {"_outbox": 0}
        )
        return [participant_from(d) async for d in cursor]

    async def claim_place(self, participant_id: str, match_id: str, limit: int) -> None:
        """Reserve one of ``limit`` places for ``match_id`` in one atomic update."""
        result = await self.participants.update_one(
            {
                "_id": participant_id,
                "status": "active",
                f"open_matches.{limit - 1}": {"$exists": False},
            },
            {"$addToSet": {"open_matches": match_id}},
        )
        if result.matched_count:
            return
        holds = await self.participants.count_documents(
            {"_id": participant_id, "open_matches": match_id}
        )
        if not holds:
            raise CapacityFull(participant_id, limit)

    async def release_place(self, participant_id: str, match_id: str) -> None:
        await self.participants.update_one(
            {"_id": participant_id}, {"$pull": {"open_matches": match_id}}
        )

    # ---- matches ----------------------------------------------------------------------------

    async def add_match(self, match: Match, events: Events) -> bool:
        """Insert a new match; False when its id exists already (compare the stored one)."""
        inserted, _ = await self._insert(self.matches, match_document(match), events)
        return inserted

    async def save_match(self, match: Match, events: Events) -> Match:
        await self._update(self.matches, "match", match_document(match), match.version, events)
        return replace(match, version=match.version + 1)

    async def match(self, match_id: str) -> Match:
        document = await self.matches.find_one({"_id": match_id}, {"_outbox": 0})
        if document is None:
            raise NotFound("match", match_id)
        return match_from(document)

    async def matches_by_ids(self, ids: Sequence[str]) -> list[Match]:
        cursor = self.matches.find({"_id": {"$in": list(ids)}}, {"_outbox": 0})
        return [match_from(d) async for d in cursor]

    async def find_matches(self, criteria: Document, *, first: int, after: str | None) -> Page:
        query = dict(criteria)
        if after is not None:
            moment, identifier = decode_cursor(after)
            query["$or"] = [
                {"proposed_at": {"$gt": moment}},
                {"proposed_at": moment, "_id": {"$gt": identifier}},
            ]
        cursor = (
            self.matches.find(query, {"_outbox": 0})
            .sort([("proposed_at", ASCENDING), ("_id", ASCENDING)])
            .limit(first + 1)
        )
        items = [match_from(d) async for d in cursor]
        has_more = len(items) > first
        items = items[:first]
        last = items[-1] if has_more and items else None
        return Page(items, encode_cursor(last.proposed_at, last.id) if last else None)

    async def due_proposals(self, now: datetime, limit: int = 200) -> list[Match]:
        cursor = self.matches.find(
            {"status": MatchStatus.PROPOSED.value, "expires_at": {"$lte": now}}, {"_outbox": 0}
        ).limit(limit)
        return [match_from(d) async for d in cursor]

    async def past_mentors(self, mentee_ids: Sequence[str]) -> dict[str, set[str]]:
        """For each mentee, the mentors who declined, let expire, or ended a match with them."""
        cursor = self.matches.find(
            {"mentee_id": {"$in": list(mentee_ids)}, "status": {"$in": TERMINAL}},
            {"mentee_id": 1, "mentor_id": 1},
        )
        found: dict[str, set[str]] = {}
        async for document in cursor:
            found.setdefault(document["mentee_id"], set()).add(document["mentor_id"])
        return found

    async def open_match_ids(self, match_ids: Sequence[str]) -> set[str]:
        cursor = self.matches.find(
            {"_id": {"$in": list(match_ids)}, "status": {"$in": OPEN}}, {"_id": 1}
        )
        return {d["_id"] async for d in cursor}

    async def run(self, run_id: str) -> Document | None:
        """A matching run: its report, or its claim while it runs (``state``)."""
        return await self.runs.find_one({"_id": run_id})

    async def claim_run(self, claim: Document) -> bool:
        """Record that a run started (``state: running``); False if its id is taken."""
        inserted, _ = await insert_or_find(self.runs, {**claim, "state": "running"})
        return inserted

    async def take_over_run(self, run_id: str, claimed_at: datetime, now: datetime) -> bool:
        """Claim again a run whose claim dates from ``claimed_at`` (its process died); False if
        it finished or another request took it over meanwhile."""
        result = await self.runs.update_one(
            {"_id": run_id, "state": "running", "claimed_at": claimed_at},
            {"$set": {"claimed_at": now}},
        )
        return result.modified_count == 1

    async def save_run(self, run: Document) -> None:
        """Store a run's report (``state: done``) in place of its claim, if it had one."""
        report = {key: value for key, value in run.items() if key != "_id"}
        await self.runs.update_one(
            {"_id": run["_id"]},
            {"$set": {**report, "state": "done"}, "$unset": {"claimed_at": ""}},
            upsert=True,
        )
