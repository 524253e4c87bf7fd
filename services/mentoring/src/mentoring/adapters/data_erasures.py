"""MongoDB persistence of data erasures (``data_erasures``), mentoring's record that it erased
its part of one (``erasures_done``, ids and counts only), and the erasure itself in mentoring's
collections.

A request is inserted with its ``PersonalDataErasureRequested`` and its audit records. A
service's report sets ``done.<service>`` only where it is not set yet, and the erasure is marked
complete by one update that finds every service done: whichever report is written last
completes it, a repeated report changes nothing, and the order does not matter. Mentoring's
``MentoringErasureDone`` is written with the ``erasures_done`` document keyed by the erasure's
id, so a redelivered request announces it once.

``MentoringErasure`` pseudonymises and deletes: every step is an update or a deletion that
leaves an erased record as it found it, so running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentoring.domain.data_erasures import PSEUDONYM, DataErasure, DoneReceipt
from mentoring.domain.data_exports import SERVICES, DataSubject, Scope
from mentoring.service_layer.ports import ErasureDone
from mentorship_contracts import Envelope
from mentorship_runtime.outbox import Outbox, OutboxRelay, ensure_outbox_index, without_outbox

Document = dict[str, Any]
HIDDEN = without_outbox()


class DataErasureStore:
    def __init__(
        self,
        db: AsyncDatabase[Document],
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime],
        topic_prefix: str = "",
    ) -> None:
        self.erasures: AsyncCollection[Document] = db["data_erasures"]
        self.done: AsyncCollection[Document] = db["erasures_done"]
        self._outbox = Outbox(relay, clock=clock, topic_prefix=topic_prefix)
        self._clock = clock

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [self.erasures, self.done]

    async def ensure_indexes(self) -> None:
        for collection in self.outbox_collections:
            await ensure_outbox_index(collection)

    async def add(
        self, erasure: DataErasure, events: Sequence[Envelope[Any]]
    ) -> DataErasure | None:
        """Insert a request with its events; the one stored under its id when it exists."""
        try:
            await self._outbox.insert_one(self.erasures, _document(erasure), events)
        except DuplicateKeyError:
            return await self.find(erasure.id)
        return None

    async def find(self, erasure_id: str) -> DataErasure | None:
        document = await self.erasures.find_one({"_id": erasure_id}, HIDDEN)
        return None if document is None else _erasure(document)

    async def record_done(self, erasure_id: str, receipt: DoneReceipt) -> DataErasure | None:
        """Note a service done (once), then complete the erasure if every service is. None
        when no such erasure is stored."""
        await self.erasures.update_one(
            {"_id": erasure_id, f"done.{receipt.service}": {"$exists": False}},
            {
                "$set": {
                    f"done.{receipt.service}": {
                        "counts": dict(receipt.counts),
                        "done_at": receipt.done_at,
                    }
                }
            },
        )
        every_service = {f"done.{service}": {"$exists": True} for service in SERVICES}
        await self.erasures.update_one(
            {"_id": erasure_id, "completed_at": None, **every_service},
            {"$set": {"completed_at": self._clock()}},
        )
        return await self.find(erasure_id)

    async def add_done(self, done: ErasureDone, events: Sequence[Envelope[Any]]) -> bool:
        """Keep mentoring's record of an erasure done with its event; False when it was kept
        before (a redelivery)."""
        document = {
            "_id": done.erasure_id,
            "participant_ids": list(done.participant_ids),
            "counts": dict(done.counts),
            "done_at": done.done_at,
        }
        try:
            await self._outbox.insert_one(self.done, document, events)
        except DuplicateKeyError:
            return False
        return True


class MentoringErasure:
    """What mentoring holds about a person, erased: each method answers how many records it
    changed or deleted (0 when run again)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.participants: AsyncCollection[Document] = db["participants"]
        self.matches: AsyncCollection[Document] = db["matches"]
        self.accounts: AsyncCollection[Document] = db["provisioned_users"]
        self.exports: AsyncCollection[Document] = db["data_exports"]
        self.parts: AsyncCollection[Document] = db["export_parts"]

    async def pseudonymise_participants(self, ids: Sequence[str]) -> int:
        """Keep each participation (its roles, status, skills and places, which matches and
        reports count) under the pseudonym, without name, e-mail, external id, manager link,
        or the fingerprint of the request that registered it."""
        changed = 0
        for participant_id in ids:
            changed += await _guarded(
                self.participants,
                {"_id": participant_id},
                lambda d: (
                    d.get("display_name") == PSEUDONYM
                    and d.get("email") == ""
                    and d.get("external_id") is None
                    and d.get("manager_id") is None
                    and "request_fingerprint" not in d
                ),
                {
                    "$set": {
                        "display_name": PSEUDONYM,
                        "email": "",
                        "external_id": None,
                        "manager_id": None,
                    },
                    "$unset": {"external_key": "", "request_fingerprint": ""},
                },
            )
        return changed

    async def pseudonymise_matches(self, ids: Sequence[str]) -> int:
        """Matches naming the person on either side keep their ids, status and score; the
        person's name becomes the pseudonym and the free-text reason of their end is dropped."""
        changed = 0
        for side in ("mentee", "mentor"):
            naming = self.matches.find({f"{side}_id": {"$in": list(ids)}}, {"_id": 1})
            for match_id in [d["_id"] async for d in naming]:
                changed += await _guarded(
                    self.matches,
                    {"_id": match_id},
                    _side_erased(side),
                    {"$set": {f"{side}.name": PSEUDONYM, "reason": None}},
                )
        return changed

    async def delete_accounts(self, ids: Sequence[str]) -> int:
        result = await self.accounts.delete_many({"_id": {"$in": list(ids)}})
        return result.deleted_count

    async def delete_exports(self, subject: DataSubject) -> int:
        """The person's data exports and mentoring's parts of them: all of them for the
        person's own erasure, those of the participations named for an admin's."""
        if subject.scope is Scope.PERSON:
            whose: Document = {"subject_user_id": subject.user_id}
        else:
            whose = {
                "subject_user_id": subject.user_id,
                "participant_ids": {"$in": list(subject.participant_ids)},
            }
        ids = [d["_id"] async for d in self.exports.find(whose, {"_id": 1})]
        if not ids:
            return 0
        await self.parts.delete_many({"_id": {"$in": ids}})
        result = await self.exports.delete_many({"_id": {"$in": ids}})
        return result.deleted_count


def _side_erased(side: str) -> Callable[[Document], bool]:
    return lambda match: match[side].get("name") == PSEUDONYM and match.get("reason") is None


async def _guarded(
    collection: AsyncCollection[Document],
    which: Document,
    erased: Callable[[Document], bool],
    update: Document,
) -> int:
    """Apply ``update`` to one aggregate unless it is ``erased`` already, guarded by its
    version (which it increments), as the repository saves it: a writer that read it before
    finds it changed and reads it again, so it never writes the old values back. 1 when it
    changed the aggregate, 0 when there was nothing to change."""
    while True:
        document = await collection.find_one(which, HIDDEN)
        if document is None or erased(document):
            return 0
        result = await collection.update_one(
            {**which, "version": document["version"]}, {**update, "$inc": {"version": 1}}
        )
        if result.matched_count:
            return 1


def _document(erasure: DataErasure) -> Document:
    subject = erasure.subject
    return {
        "_id": erasure.id,
        "subject_user_id": subject.user_id,
        "participant_ids": list(subject.participant_ids),
        "program_ids": list(subject.program_ids),
        "scope": subject.scope.value,
        "requested_by": erasure.requested_by,
        "requested_at": erasure.requested_at,
        "done": {},
        "completed_at": None,
    }


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _erasure(document: Document) -> DataErasure:
    completed = document.get("completed_at")
    return DataErasure(
        id=document["_id"],
        subject=DataSubject(
            user_id=document["subject_user_id"],
            participant_ids=tuple(document["participant_ids"]),
            program_ids=tuple(document["program_ids"]),
            scope=Scope(document["scope"]),
        ),
        requested_by=document["requested_by"],
        requested_at=_utc(document["requested_at"]),
        done={
            service: DoneReceipt(service, dict(found["counts"]), _utc(found["done_at"]))
            for service, found in (document.get("done") or {}).items()
        },
        completed_at=None if completed is None else _utc(completed),
    )
