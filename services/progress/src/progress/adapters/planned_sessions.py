"""MongoDB persistence of planned sessions (``planned_sessions``), with their outbox.

One document per planned session (``_id`` its id), guarded by ``version``: each change is one
single-document update that also queues the change's event, published right after and by the
outbox sweep if that fails. A mentee's planned sessions are read by the ``mentee_id`` index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index, without_outbox
from mentorship_runtime.pagination import Keyset
from progress.domain.errors import NotFound
from progress.domain.planned_sessions import KIND, PlannedSession, PlannedStatus, Schedule, When
from progress.service_layer.ports import PlannedPage, StoredPlan

Document = dict[str, Any]
HIDDEN = without_outbox()
ORDERS = {When.UPCOMING: Keyset("starts_at"), When.PAST: Keyset("starts_at", newest_first=True)}


class PlannedSessionStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.collection: AsyncCollection[Document] = db["planned_sessions"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("mentee_id", ASCENDING), ("starts_at", ASCENDING)])
        await ensure_outbox_index(self.collection)

    async def get(self, planned_session_id: str) -> StoredPlan:
        document = await self.collection.find_one({"_id": planned_session_id}, HIDDEN)
        if document is None:
            raise NotFound(KIND, planned_session_id)
        return StoredPlan(_session(document), document["version"])

    async def find(self, planned_session_id: str) -> PlannedSession | None:
        document = await self.collection.find_one({"_id": planned_session_id}, HIDDEN)
        return None if document is None else _session(document)

    async def page_of_mentee(
        self, mentee_id: str, *, when: When, now: datetime, first: int, after: str | None
    ) -> PlannedPage:
        keyset = ORDERS[when]
        starts = {"$gt": now} if when is When.UPCOMING else {"$lte": now}
        query = keyset.where({"mentee_id": mentee_id, "starts_at": starts}, after)
        cursor = self.collection.find(query, HIDDEN).sort(keyset.order).limit(first + 1)
        found = [_session(d) async for d in cursor]
        items, next_cursor = keyset.page(found, first, lambda s: (s.schedule.starts_at, s.id))
        return PlannedPage(items, next_cursor)

    async def insert(self, session: PlannedSession, events: Sequence[Envelope[Any]]) -> bool:
        """Store a new planned session and its event; False when its id exists already."""
        document = {**_document(session), "version": 0}
        try:
            await self._outbox.insert_one(self.collection, document, events)
        except DuplicateKeyError:
            return False
        return True

    async def save(
        self, stored: StoredPlan, session: PlannedSession, events: Sequence[Envelope[Any]]
    ) -> StoredPlan:
        """Write a change if the document is still at ``stored.version`` (``ConcurrentUpdate``
        otherwise), with its events."""
        fields = _document(session)
        del fields["_id"]
        result = await self._outbox.update_one(
            self.collection,
            {"_id": session.id, "version": stored.version},
            {"$set": {**fields, "version": stored.version + 1}},
            events,
        )
        if result.matched_count == 0:
            raise ConcurrentUpdate(KIND, session.id)
        return StoredPlan(session, stored.version + 1)


def _document(session: PlannedSession) -> Document:
    schedule = session.schedule
    return {
        "_id": session.id,
        "mentee_id": session.mentee_id,
        "mentor_id": session.mentor_id,
        "program_id": session.program_id,
        "starts_at": schedule.starts_at,
        "time_zone": schedule.time_zone,
        "duration_minutes": schedule.duration_minutes,
        "location": schedule.location,
        "video_url": schedule.video_url,
        "module_ids": list(schedule.module_ids),
        "planned_by": session.planned_by,
        "status": session.status.value,
        "sequence": session.sequence,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "changed_by": session.changed_by,
        "cancel_reason": session.cancel_reason,
    }


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _session(document: Document) -> PlannedSession:
    return PlannedSession(
        id=document["_id"],
        mentee_id=document["mentee_id"],
        mentor_id=document["mentor_id"],
        program_id=document["program_id"],
        schedule=Schedule(
            starts_at=_utc(document["starts_at"]),
            time_zone=document["time_zone"],
            duration_minutes=document["duration_minutes"],
            location=document.get("location"),
            video_url=document.get("video_url"),
            module_ids=tuple(document.get("module_ids", ())),
        ),
        planned_by=document["planned_by"],
        status=PlannedStatus(document["status"]),
        sequence=document["sequence"],
        created_at=_utc(document["created_at"]),
        updated_at=_utc(document["updated_at"]),
        changed_by=document["changed_by"],
        cancel_reason=document.get("cancel_reason"),
    )
