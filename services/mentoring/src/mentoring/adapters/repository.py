"""MongoDB persistence of programs, participants and matches, with their outbox.

Each write is one single-document operation that carries the state change and the events it
causes (see ``mentorship_runtime.outbox``); optimistic concurrency on ``version`` guards updates.
A program or participant created with an idempotency key keeps the fingerprint of the request
that created it (``request_fingerprint``), so that a retry is told from another request.

Every query a request sends names an indexed top-level field by equality, the only filter the
local server (FerretDB) serves from an index: documents by ids are looked up one id at a time,
concurrently, instead of by one ``$in``, and a person's matches are found through their
participant ids (``_anchors``) instead of the ``mentee.user_id``/``mentor.user_id`` paths.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.audit_log import AuditLog
from mentoring.adapters.documents import (
    Document,
    external_key,
    match_document,
    match_from,
    participant_document,
    participant_from,
    program_document,
    program_from,
)
from mentoring.adapters.import_records import ImportRecords
from mentoring.adapters.roster import RosterReads
from mentoring.adapters.run_reports import RunReports, summary_from
from mentoring.domain.errors import AlreadyRegistered, CapacityFull, Conflict, NotFound
from mentoring.domain.matches import Match, MatchStatus
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentoring.service_layer.ports import (
    Earlier,
    Events,
    HeldPlaces,
    MatchFilter,
    Page,
    RunClaim,
    StoredRun,
)
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.mongo import each_found, find_by_ids, insert_or_find
from mentorship_runtime.outbox import (
    Outbox,
    OutboxRelay,
    ensure_outbox_index,
    without_outbox,
    written_entries,
)
from mentorship_runtime.pagination import Keyset

TERMINAL = [s.value for s in MatchStatus if not s.is_open]
OPEN = [s.value for s in MatchStatus if s.is_open]
FINGERPRINT = "request_fingerprint"
HIDDEN = without_outbox()
PROPOSALS = Keyset("proposed_at")
"""Matches in pages, oldest proposal first."""
MATCH_ANCHORS = ("_id", "mentee_id", "mentor_id", "program_id")
"""Indexed fields of a match: an equality on one of them is served from an index."""
SIDE_OF_USER = {"mentee.user_id": "mentee_id", "mentor.user_id": "mentor_id"}
"""A side's account, and the field naming that side's participant: a participant's account
never changes, so a match has ``mentee.user_id`` u exactly when its ``mentee_id`` is one of u's
participant ids."""
Anchor = tuple[str, Any]
__all__ = ["Earlier", "MentoringStore", "Page"]
"""``Earlier`` and ``Page`` are the ports' (``service_layer.ports``), named here too."""


def _plain(value: Any) -> bool:
    """An equality value (not an operator document)."""
    return not (isinstance(value, dict) and any(str(k).startswith("$") for k in value))


def _breadth(anchors: list[Anchor]) -> tuple[bool, int]:
    """How much reading ``anchors`` costs, to compare them: a program's matches are many."""
    return any(field == "program_id" for field, _ in anchors), len(anchors)


def _narrowed(query: Document, field: str, value: Any) -> Document | None:
    """``query`` and ``field`` equal to ``value``, with that equality at the top level (where
    FerretDB hands it to its index); None when ``query`` asks for another value of ``field``."""
    if field not in query:
        return {**query, field: value}
    condition = query[field]
    if _plain(condition):
        return query if condition == value else None
    rest = {k: v for k, v in query.items() if k != field}
    return {**rest, field: value, "$and": [*query.get("$and", []), {field: condition}]}


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
        self.reports = RunReports(db, relay, clock=clock, topic_prefix=topic_prefix)
        self.audit = AuditLog(db)
        self.imports = ImportRecords(db, relay, clock=clock, topic_prefix=topic_prefix)
        self.roster = RosterReads(self.participants, self.matches)
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [
            self.programs,
            self.participants,
            self.matches,
            self.reports.runs,
            self.imports.collection,
        ]

    async def ensure_indexes(self, *, check_audit_index: bool = False) -> None:
        """Create the indexes; the audit trail's is only checked with ``check_audit_index``
        (where a deployment Job creates it: ``adapters.audit_log``)."""
        await self.participants.create_index(
            [("program_id", ASCENDING), ("user_id", ASCENDING)], unique=True
        )
        await self.participants.create_index([("program_id", ASCENDING), ("status", ASCENDING)])
        await self.participants.create_index("user_id")  # a person's participations
        await self.participants.create_index("external_key", unique=True, sparse=True)
        await self.participants.create_index([("program_id", ASCENDING), ("email", ASCENDING)])
        await self.matches.create_index([("program_id", ASCENDING), ("status", ASCENDING)])
        await self.matches.create_index([("mentee_id", ASCENDING), ("status", ASCENDING)])
        await self.matches.create_index([("mentor_id", ASCENDING), ("status", ASCENDING)])
        await self.matches.create_index([("status", ASCENDING), ("expires_at", ASCENDING)])
        await self.matches.create_index([("proposed_at", ASCENDING), ("_id", ASCENDING)])
        await self.programs.create_index("admin_ids")
        await self.reports.ensure_indexes()
        if check_audit_index:
            await self.audit.check_indexes()
        else:
            await self.audit.ensure_indexes()
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
        if fingerprint is not None:
            document = {**document, FINGERPRINT: fingerprint}
        document = self._outbox.document(document, events)
        inserted, stored = await insert_or_find(collection, document)
        if inserted:
            await self._outbox.publish_soon(collection, document["_id"], written_entries(document))
        return inserted, stored

    async def _update(
        self,
        collection: AsyncCollection[Document],
        kind: str,
        document: Document,
        expected_version: int,
        events: Events,
    ) -> None:
        state = {k: v for k, v in document.items() if k not in ("_id", "open_matches")}
        state["version"] = expected_version + 1
        result = await self._outbox.update_one(
            collection,
            {"_id": document["_id"], "version": expected_version},
            {"$set": state},
            events,
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate(kind, document["_id"])

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
        document = await self.programs.find_one({"_id": program_id}, HIDDEN)
        if document is None:
            return None
        return Earlier(program_from(document), document.get(FINGERPRINT))

    async def save_program(self, program: Program, events: Events) -> Program:
        await self._update(
            self.programs, "program", program_document(program), program.version, events
        )
        return replace(program, version=program.version + 1)

    async def program(self, program_id: str) -> Program:
        document = await self.programs.find_one({"_id": program_id}, HIDDEN)
        if document is None:
            raise NotFound("program", program_id)
        return program_from(document)

    async def programs_by_ids(self, ids: Sequence[str]) -> list[Program]:
        found = await find_by_ids(self.programs, ids, HIDDEN)
        return [program_from(d) for d in found]

    async def programs_of_admin(
        self, user_id: str, limit: int, after: str | None = None
    ) -> list[Program]:
        query: dict[str, Any] = {"admin_ids": user_id}
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = self.programs.find(query, HIDDEN).sort("_id").limit(limit)
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
        document = await self.participants.find_one({"_id": participant_id}, HIDDEN)
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
        document = await self.participants.find_one({"_id": participant_id}, HIDDEN)
        if document is None:
            raise NotFound("participant", participant_id)
        return participant_from(document)

    async def participants_by_ids(self, ids: Sequence[str]) -> list[Participant]:
        found = await find_by_ids(self.participants, ids, HIDDEN)
        return [participant_from(d) for d in found]

    async def participant_ids_of_user(self, user_id: str) -> list[str]:
        """The participant ids of an account, in every program."""
        cursor = self.participants.find({"user_id": user_id}, {"_id": 1})
        return [d["_id"] async for d in cursor]

    async def participant_of_user(self, program_id: str, user_id: str) -> Participant | None:
        document = await self.participants.find_one(
            {"program_id": program_id, "user_id": user_id}, HIDDEN
        )
        return participant_from(document) if document else None

    async def participant_of_external_id(
        self, program_id: str, external_id: str
    ) -> Participant | None:
        document = await self.participants.find_one(
            {"external_key": external_key(program_id, external_id)}, HIDDEN
        )
        return participant_from(document) if document else None

    async def participants_of_email(
        self, program_id: str, email: str, limit: int = 2
    ) -> list[Participant]:
        """Participants of a program with that e-mail (at most ``limit``: it is not unique)."""
        cursor = self.participants.find({"program_id": program_id, "email": email}, HIDDEN).limit(
            limit
        )
        return [participant_from(d) async for d in cursor]

    async def active_participants(self, program_id: str) -> list[Participant]:
        cursor = self.participants.find({"program_id": program_id, "status": "active"}, HIDDEN)
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

    async def held_places(self) -> AsyncIterator[HeldPlaces]:
        holders = self.participants.find({"open_matches.0": {"$exists": True}}, {"open_matches": 1})
        async for holder in holders:
            yield HeldPlaces(holder["_id"], tuple(holder["open_matches"]))

    # ---- matches ----------------------------------------------------------------------------

    async def add_match(self, match: Match, events: Events) -> bool:
        """Insert a new match; False when its id exists already (compare the stored one)."""
        inserted, _ = await self._insert(self.matches, match_document(match), events)
        return inserted

    async def save_match(self, match: Match, events: Events) -> Match:
        await self._update(self.matches, "match", match_document(match), match.version, events)
        return replace(match, version=match.version + 1)

    async def match(self, match_id: str) -> Match:
        document = await self.matches.find_one({"_id": match_id}, HIDDEN)
        if document is None:
            raise NotFound("match", match_id)
        return match_from(document)

    async def matches_by_ids(self, ids: Sequence[str]) -> list[Match]:
        found = await find_by_ids(self.matches, ids, HIDDEN)
        return [match_from(d) for d in found]

    async def select_matches(
        self, which: MatchFilter, *, first: int, after: str | None
    ) -> Page[Match]:
        criteria: Document = {}
        if which.program_id:
            criteria["program_id"] = which.program_id
        if which.status:
            criteria["status"] = which.status.value
        if which.mentor_id:
            criteria["mentor_id"] = which.mentor_id
        if which.mentee_id:
            criteria["mentee_id"] = which.mentee_id
        if which.of_user is not None:
            criteria["$and"] = [
                {"$or": [{"mentee.user_id": which.of_user}, {"mentor.user_id": which.of_user}]}
            ]
        return await self.find_matches(criteria, first=first, after=after)

    async def matched_with(
        self, user_id: str, participant_ids: Sequence[str], limit: int
    ) -> list[Match]:
        criteria: Document = {
            "$or": [
                {"mentee.user_id": user_id, "mentor_id": {"$in": list(participant_ids)}},
                {"mentor.user_id": user_id, "mentee_id": {"$in": list(participant_ids)}},
            ]
        }
        return (await self.find_matches(criteria, first=limit, after=None)).items

    async def find_matches(
        self, criteria: Document, *, first: int, after: str | None
    ) -> Page[Match]:
        """The matches ``criteria`` selects, oldest proposal first, by keyset on (proposed_at,
        id). Criteria without an equality on a field of ``MATCH_ANCHORS`` (a person's own
        matches, by ``mentee.user_id`` or ``mentor.user_id``; some of them among participants
        by ``$in``) are run as one query per equality they imply (``_anchors``), concurrently,
        each sorted and limited alike, and the pages merged."""
        query = PROPOSALS.where(criteria, after)
        anchors = await self._anchors(criteria, {})
        if anchors is None:
            queries = [query]
        else:
            queries = [q for f, v in anchors if (q := _narrowed(query, f, v)) is not None]

        async def page(narrowed: Document) -> list[Document]:
            cursor = self.matches.find(narrowed, HIDDEN).sort(PROPOSALS.order).limit(first + 1)
            return [d async for d in cursor]

        found = await each_found(range(len(queries)), lambda i: page(queries[i]))
        found.sort(key=lambda d: (d["proposed_at"], d["_id"]))
        items, cursor = PROPOSALS.page(
            [match_from(d) for d in found[: first + 1]], first, lambda m: (m.proposed_at, m.id)
        )
        return Page(items, cursor)

    async def _anchors(
        self, query: Document, accounts: dict[str, list[str]]
    ) -> list[Anchor] | None:
        """Equalities on fields of ``MATCH_ANCHORS`` such that every match ``query`` selects
        satisfies one of them, or None when the query implies none. Of several, those naming a
        match or a side are preferred to a program (which may have many matches), then the
        fewest. A side's account stands for that side's participant ids (``SIDE_OF_USER``;
        ``accounts`` keeps those already looked up)."""
        best: list[Anchor] | None = None
        for field, condition in query.items():
            found: list[Anchor] | None = None
            if field == "$or":
                arms = [await self._anchors(arm, accounts) for arm in condition]
                if all(arm is not None for arm in arms):
                    found = [anchor for arm in arms if arm is not None for anchor in arm]
            elif field == "$and":
                implied = [await self._anchors(c, accounts) for c in condition]
                found = min((a for a in implied if a is not None), key=_breadth, default=None)
            elif field in MATCH_ANCHORS:
                if _plain(condition):
                    found = [(field, condition)]
                elif set(condition) == {"$eq"}:
                    found = [(field, condition["$eq"])]
                elif set(condition) == {"$in"}:
                    found = [(field, value) for value in condition["$in"]]
            elif field in SIDE_OF_USER and isinstance(condition, str):
                if condition not in accounts:
                    accounts[condition] = await self.participant_ids_of_user(condition)
                found = [(SIDE_OF_USER[field], pid) for pid in accounts[condition]]
            if found is not None and (best is None or _breadth(found) < _breadth(best)):
                best = found
        return best

    async def due_proposals(self, now: datetime, limit: int = 200) -> list[Match]:
        cursor = self.matches.find(
            {"status": MatchStatus.PROPOSED.value, "expires_at": {"$lte": now}}, HIDDEN
        ).limit(limit)
        return [match_from(d) async for d in cursor]

    async def past_mentors(self, mentee_ids: Sequence[str]) -> dict[str, set[str]]:
        """For each mentee, the mentors of their closed matches: declined, expired, cancelled or
        ended."""
        history = await self.closed_matches(mentee_ids)
        return {mentee: {mentor for mentor, _ in closed} for mentee, closed in history.items()}

    async def closed_matches(self, mentee_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """For each mentee, the (mentor id, status) of each of their closed matches."""

        async def of_mentee(mentee_id: str) -> list[Document]:
            cursor = self.matches.find(
                {"mentee_id": mentee_id, "status": {"$in": TERMINAL}},
                {"mentee_id": 1, "mentor_id": 1, "status": 1},
            )
            return [d async for d in cursor]

        found: dict[str, list[tuple[str, str]]] = {}
        for document in await each_found(mentee_ids, of_mentee):
            found.setdefault(document["mentee_id"], []).append(
                (document["mentor_id"], document["status"])
            )
        return found

    async def open_match_ids(self, match_ids: Sequence[str]) -> set[str]:
        async def if_open(match_id: str) -> list[Document]:
            document = await self.matches.find_one(
                {"_id": match_id, "status": {"$in": OPEN}}, {"_id": 1}
            )
            return [document] if document is not None else []

        return {d["_id"] for d in await each_found(match_ids, if_open)}

    async def run(self, run_id: str) -> StoredRun | None:
        """A matching run: its report, or its claim while it runs (``state``)."""
        document = await self.runs.find_one({"_id": run_id}, HIDDEN)
        if document is None:
            return None
        return StoredRun(
            program_id=document["program_id"],
            objective=document["objective"],
            claimed_at=document.get("claimed_at"),
            summary=summary_from(document) if document["state"] == "done" else None,
        )

    async def claim_run(self, claim: RunClaim) -> bool:
        """Record that a run started (``state: running``); False if its id is taken."""
        document = {
            "_id": claim.run_id,
            "program_id": claim.program_id,
            "objective": claim.objective,
            "by": claim.by,
            "claimed_at": claim.claimed_at,
        }
        inserted, _ = await insert_or_find(self.runs, {**document, "state": "running"})
        return inserted

    async def take_over_run(self, run_id: str, claimed_at: datetime, now: datetime) -> bool:
        """Claim again a run whose claim dates from ``claimed_at`` (its process died); False if
        it finished or another request took it over meanwhile."""
        result = await self.runs.update_one(
            {"_id": run_id, "state": "running", "claimed_at": claimed_at},
            {"$set": {"claimed_at": now}},
        )
        return result.modified_count == 1
