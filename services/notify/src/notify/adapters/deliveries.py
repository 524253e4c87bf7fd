"""MongoDB persistence of deliveries (one document per notification and channel) and of the
session-rating reminders.

``deliveries`` holds only the deliveries in progress: the worker's queue, which stays small
however many have been made (on FerretDB 1.24 every update and every query by a field pays for the
whole collection). A delivery done (sent, or dead and published as such) is moved to
``delivery_log`` by ``archive_settled``: inserted there (once), then deleted from the queue, so a
crash in between only repeats the move. In-app deliveries, done when planned, go to the log
directly.

Planned deliveries enter the queue *held* (``lease`` ``HELD`` until a deadline) because they are
written before the notification they deliver: the planner then releases those of the
notifications it stored and drops those it queued for a notification stored before (a replay);
what an attempt that died left held is freed when the hold runs out.

A worker claims a due delivery by inserting a claim whose id is derived from the delivery's state
(see ``claim``): a unique insert is the one write FerretDB arbitrates between concurrent
writers, so two workers never hold the same delivery. The winner then sets its lease token and
deadline on the delivery, and pushes the deadline on (``renew``) while it is still sending.
Settling it (sent, failed, dead) is guarded by the token and frees the lease; a worker that died
leaves a lease that runs out soon after, since nobody renews it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
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
HELD = "held-while-planned:"
"""The lease of a delivery written before its notification, until the planner releases it (with
the planner's own token after it)."""


@dataclass(frozen=True)
class Held:
    """The deliveries one planner wrote: the lease they hold, the ids of those it queued (the
    others were queued before it), and of all it meant to queue (not the in-app ones, done)."""

    lease: str
    queued: set[str]
    for_queue: set[str] = field(default_factory=set)


class DeliveryStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.deliveries: AsyncCollection[Document] = db["deliveries"]
        self.log: AsyncCollection[Document] = db["delivery_log"]
        self.reminders: AsyncCollection[Document] = db["reminders"]
        self.claims: AsyncCollection[Document] = db["delivery_claims"]

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await self.deliveries.create_index(
            [("user_id", ASCENDING), ("digest", ASCENDING), ("status", ASCENDING)]
        )
        await self.deliveries.create_index("notification_id")
        await self.log.create_index("notification_id")
        await self.reminders.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
        await self.claims.create_index("at")

    # ---- planning ---------------------------------------------------------------------------

    async def hold_all(
        self,
        planned: Sequence[tuple[str | None, Sequence[PlannedDelivery]]],
        now: datetime,
        until: datetime,
        notifications: dict[str, Document] | None = None,
    ) -> Held:
        """Write people's planned deliveries, each once: the in-app ones (done) to the log, the
        others to the queue, held until ``until`` under a lease of this call's.
        ``notifications``: the notifications' documents by id, copied into the queued deliveries
        so that sending them reads nothing else."""
        held = Held(f"{HELD}{uuid.uuid4().hex}", set())
        documents = [_document(user_id, p) for user_id, each in planned for p in each]
        done = [d for d in documents if d["status"] == DeliveryStatus.SENT.value]
        await insert_all_once(self.log, done)
        queued = [
            {
                **d,
                "lease": held.lease,
                "lease_until": until,
                "ready": d["next_attempt_at"] is not None and d["next_attempt_at"] <= now,
                "notification": _snapshot((notifications or {}).get(d["notification_id"])),
            }
            for d in documents
            if d["status"] != DeliveryStatus.SENT.value
        ]
        held.for_queue.update(d["_id"] for d in queued)
        held.queued.update(d["_id"] for d in await insert_all_once(self.deliveries, queued))
        return held

    async def release(self, held: Held, delivery_ids: Sequence[str]) -> None:
        """Let the worker take these deliveries now (their notification is stored): those this
        call queued (usually all of them, found by their lease: an equality FerretDB hands to its
        backend, where ``$in`` would make it decode the whole queue), and any an attempt that
        died left held."""
        free = {"$set": {"lease": None, "lease_until": FREE}}
        mine = held.queued.intersection(delivery_ids)
        if mine and mine == held.queued:
            await self.deliveries.update_many({"lease": held.lease}, free)
        elif mine:
            chosen = {"_id": {"$in": sorted(mine)}, "lease": held.lease}
            await self.deliveries.update_many(chosen, free)
        # queued by an attempt that died (rare): FerretDB decodes the queue for this ``$in``,
        # so the in-app deliveries, never queued, are left out of it
        left = sorted(held.for_queue.intersection(delivery_ids) - held.queued)
        if left:
            still_held = {"$regex": f"^{re.escape(HELD)}"}
            await self.deliveries.update_many({"_id": {"$in": left}, "lease": still_held}, free)

    async def drop_held(self, held: Held, delivery_ids: Sequence[str]) -> None:
        """Remove deliveries this call queued that must not be made (a replay's)."""
        mine = [i for i in delivery_ids if i in held.queued]
        if mine:
            await self.deliveries.delete_many({"_id": {"$in": mine}, "lease": held.lease})

    async def archive_settled(self, limit: int = 1000) -> int:
        """Move the deliveries done (sent, or dead and published) from the queue to the log.
        Two equality filters rather than one ``$or``: FerretDB hands equalities to its backend
        and would decode the whole queue for the ``$or``."""
        moved = 0
        for done in (
            {"status": DeliveryStatus.SENT.value},
            {"status": DeliveryStatus.DEAD.value, "dead_lettered": True},
        ):
            found = await self.deliveries.find(done).limit(limit).to_list()
            if found:
                await insert_all_once(self.log, found)
                ids = [d["_id"] for d in found]
                await self.deliveries.delete_many({"_id": {"$in": ids}, **done})
                moved += len(found)
        return moved

    async def every_delivery(self, query: Document | None = None) -> list[Document]:
        """Queued and archived deliveries matching ``query`` (for views and checks)."""
        queued = await self.deliveries.find(query or {}).to_list()
        seen = {d["_id"] for d in queued}
        archived = [d for d in await self.log.find(query or {}).to_list() if d["_id"] not in seen]
        return [*queued, *archived]

    # ---- claiming and settling --------------------------------------------------------------

    async def candidates(
        self, now: datetime, limit: int, *, thorough: bool = True, **only: Any
    ) -> list[Document]:
        """Deliveries due, not settled and not leased, the longest waiting first.

        ``thorough=False`` first takes those marked ``ready`` (due when planned, never tried,
        free): an equality filter and a limit, which FerretDB hands to its backend, where the
        full query makes it decode and sort the whole queue (1 s for 20,000 deliveries). Only if
        they fill less than ``limit`` is the full query run; the worker runs it every few rounds
        anyway, so retries and deliveries that waited for quiet hours are never starved."""
        if not thorough:
            quick = self.deliveries.find({"ready": True, "lease": None, **only}).limit(limit)
            ready = [d async for d in quick if _takeable(d, now)]
            if len(ready) == limit:
                return ready
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

    async def renew(self, token: str, count: int, lease_until: datetime) -> bool:
        """Push the deadline of the ``count`` deliveries held under ``token`` to
        ``lease_until``; False if they are no longer all held under it (one equality filter,
        which FerretDB hands to its backend: a token names one claim of one worker)."""
        result = await self.deliveries.update_many(
            {"lease": token}, {"$set": {"lease_until": lease_until}}
        )
        return result.matched_count == count

    async def forget_claims(self, before: datetime) -> int:
        """Claims are kept long after their delivery settled, so that a worker holding a stale
        read cannot win a claim again; then a periodic job removes them (no TTL indexes)."""
        result = await self.claims.delete_many({"at": {"$lt": before}})
        return result.deleted_count

    async def settle(self, delivery_id: str, token: str, fields: Document) -> bool:
        """Record an outcome and free the lease; False if the lease was lost meanwhile."""
        result = await self.deliveries.update_one(
            {"_id": delivery_id, "lease": token},
            {"$set": {**fields, "lease": None, "lease_until": FREE, "ready": False}},
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


def _takeable(delivery: Document, now: datetime) -> bool:
    return (
        delivery["status"] in OPEN
        and delivery["next_attempt_at"] is not None
        and delivery["next_attempt_at"] <= now
        and delivery["lease_until"] <= now
    )


def _snapshot(notification: Document | None) -> Document | None:
    if notification is None:
        return None
    return {k: v for k, v in notification.items() if not k.startswith("_") or k == "_id"}


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
