"""MongoDB persistence of deliveries (one document per notification and channel) and of the
session-rating reminders.

A worker claims a due delivery by inserting a claim whose id is derived from the delivery's state
(see ``claim``): a unique insert is the one write FerretDB arbitrates between concurrent
writers, so two workers never hold the same delivery. The winner then sets its lease token and
deadline on the delivery. Settling it (sent, failed, dead) is guarded by the token and frees the
lease; a worker that died leaves a lease that simply runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_runtime.mongo import insert_all_once
from notify.domain.delivery import DeliveryStatus
from notify.domain.dispatch import PlannedDelivery

Document = dict[str, Any]
FREE = datetime(1970, 1, 1, tzinfo=UTC)
"""The lease deadline of a delivery nobody holds (a date, not null, so one range filter serves)."""
OPEN = [DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value]


class DeliveryStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.deliveries: AsyncCollection[Document] = db["deliveries"]
        self.reminders: AsyncCollection[Document] = db["reminders"]
        self.claims: AsyncCollection[Document] = db["delivery_claims"]

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await self.deliveries.create_index(
            [("user_id", ASCENDING), ("digest", ASCENDING), ("status", ASCENDING)]
        )
        await self.deliveries.create_index("notification_id")
        await self.reminders.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
        await self.claims.create_index("at")

    # ---- planning ---------------------------------------------------------------------------

    async def plan(self, user_id: str | None, planned: Sequence[PlannedDelivery]) -> int:
        """Insert the deliveries not stored yet; returns how many were new."""
        return await self.plan_all([(user_id, planned)])

    async def plan_all(
        self, planned: Sequence[tuple[str | None, Sequence[PlannedDelivery]]]
    ) -> int:
        """``plan`` for several people's deliveries, in one bulk insert."""
        documents = [_document(user_id, p) for user_id, each in planned for p in each]
        return len(await insert_all_once(self.deliveries, documents))

    # ---- claiming and settling --------------------------------------------------------------

    async def candidates(self, now: datetime, limit: int, **only: Any) -> list[Document]:
        """Deliveries due, not settled and not leased, the longest waiting first."""
        cursor = self.deliveries.find(
            {
                "status": {"$in": OPEN},
                "next_attempt_at": {"$lte": now},
                "lease_until": {"$lte": now},
                **only,
            }
        )
        return [d async for d in cursor.sort("next_attempt_at", ASCENDING).limit(limit)]

    async def claim(
        self, candidate: Document, token: str, now: datetime, lease_until: datetime
    ) -> Document | None:
        """Take ``candidate`` under this lease, or None if another worker took it.

        Arbitrated by a unique insert: the claim's id names the delivery's state as this worker
        read it (attempts made, previous lease), so every worker that read the same state races
        for the same id and one wins. (A guarded ``find_one_and_update`` or ``update_one`` is
        not enough: FerretDB 1.24 lets two concurrent ones both match and both modify.)
        """
        claim_id = f"{candidate['_id']}:{candidate['attempts']}:{candidate.get('lease') or '-'}"
        try:
            await self.claims.insert_one({"_id": claim_id, "token": token, "at": now})
        except DuplicateKeyError:
            return None
        await self.deliveries.update_one(
            {"_id": candidate["_id"]}, {"$set": {"lease": token, "lease_until": lease_until}}
        )
        return {**candidate, "lease": token, "lease_until": lease_until}

    async def forget_claims(self, before: datetime) -> int:
        """Claims are kept long after their delivery settled, so that a worker holding a stale
        read cannot win a claim again; then a periodic job removes them (no TTL indexes)."""
        result = await self.claims.delete_many({"at": {"$lt": before}})
        return result.deleted_count

    async def settle(self, delivery_id: str, token: str, fields: Document) -> bool:
        """Record an outcome and free the lease; False if the lease was lost meanwhile."""
        result = await self.deliveries.update_one(
            {"_id": delivery_id, "lease": token},
            {"$set": {**fields, "lease": None, "lease_until": FREE}},
        )
        return bool(result.modified_count)

    async def dead_not_lettered(self, limit: int) -> list[Document]:
        cursor = self.deliveries.find({"status": DeliveryStatus.DEAD.value, "dead_lettered": False})
        return [d async for d in cursor.limit(limit)]

    async def mark_dead_lettered(self, delivery_id: str) -> None:
        await self.deliveries.update_one({"_id": delivery_id}, {"$set": {"dead_lettered": True}})

    # ---- session-rating reminders -----------------------------------------------------------

    async def expect_rating(self, reminder_id: str, fields: Document) -> None:
        """Schedule a reminder unless it exists (waiting, cancelled by a rating, or sent)."""
        with suppress(DuplicateKeyError):
            await self.reminders.update_one(
                {"_id": reminder_id},
                {"$setOnInsert": {**fields, "status": "waiting"}},
                upsert=True,
            )

    async def rated(self, reminder_id: str, session_id: str, side: str) -> None:
        """A rating arrived: the reminder is not needed (recorded even before it is scheduled)."""
        with suppress(DuplicateKeyError):  # sent already: a rating after the reminder
            await self.reminders.update_one(
                {"_id": reminder_id, "status": {"$ne": "sent"}},
                {"$set": {"status": "cancelled", "session_id": session_id, "side": side}},
                upsert=True,
            )

    async def due_reminders(self, now: datetime, limit: int) -> list[Document]:
        cursor = self.reminders.find({"status": "waiting", "due_at": {"$lte": now}})
        return [d async for d in cursor.sort("due_at", ASCENDING).limit(limit)]

    async def reminder_sent(self, reminder_id: str) -> None:
        await self.reminders.update_one(
            {"_id": reminder_id, "status": "waiting"}, {"$set": {"status": "sent"}}
        )


def _document(user_id: str | None, planned: PlannedDelivery) -> Document:
    fields = asdict(planned)
    sent = planned.status is DeliveryStatus.SENT
    return {
        "_id": fields.pop("delivery_id"),
        **fields,
        "channel": planned.channel.value,
        "status": planned.status.value,
        "language": planned.language.value,
        "user_id": user_id,
        "attempts": 0,
        "last_error": None,
        "next_attempt_at": None if sent else planned.due_at,
        "sent_at": planned.due_at if sent else None,
        "lease": None,
        "lease_until": FREE,
        "dead_lettered": None,
    }
