"""MongoDB persistence of deliveries (one document per notification and channel) and of the
session-rating reminders.

``deliveries`` holds only the deliveries in progress: the worker's queue, which stays small
however many have been made (its full due query reads it whole, see ``candidates``). A delivery
done (sent, or dead and published as such) is moved to ``delivery_log`` by ``archive_settled``:
inserted there (once), then deleted from the queue, so a crash in between only repeats the move.
In-app deliveries, done when planned, go to the log directly.

Planned deliveries enter the queue *held* (``lease`` ``HELD`` until a deadline) because they are
written before the notification they deliver: the planner then releases those of the
notifications it stored and drops those it queued for a notification stored before (a replay);
what an attempt that died left held is freed when the hold runs out.

A worker claims a due delivery with one guarded update (see ``claim``): it sets its lease token
and deadline only if the delivery is still in the state the worker read (attempts made, lease and
deadline). The server applies concurrent updates of one document one after the other (on the
local FerretDB, a revision guard refuses a stale write and the update is retried against the
document as it now is), so of the workers that read the same state exactly one matches: two
workers never hold the same delivery. The holder pushes the deadline on (``renew``) while it is
still sending. Settling it (sent, failed, dead) is guarded by the token, counts the attempt and
frees the lease; a worker that died leaves a lease that runs out soon after, since nobody renews
it, and the delivery is claimed again from that state.

The ``Deliveries`` port (``notify.service_layer.ports``) is implemented over these documents:
``due``, ``claim_due``, ``renew_lease`` and ``settle_with`` read and write ``QueuedDelivery``
and ``Outcome`` through ``candidates``, ``claim``, ``renew`` and ``settle``. The session-rating
reminders implement ``RatingReminders``.

Every query the worker and the planner send on the hot path is served by an index: an equality on
a top-level field with an index declared (``_id``, ``lease``, ``ready``, ``status``), which
FerretDB hands to PostgreSQL. The exception is the full due query (``candidates`` with
``thorough``): a range over the queue, run every few rounds only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from mentorship_runtime.mongo import find_by_ids, insert_all_once
from notify.adapters.store import notification_document, notification_of
from notify.domain.delivery import DeliveryStatus
from notify.domain.dispatch import PlannedDelivery
from notify.domain.notifications import Notification
from notify.service_layer.ports import (
    Held,
    Outcome,
    QueuedDelivery,
    RatingReminder,
    StoreUnavailable,
)

Document = dict[str, Any]
FREE = datetime(1970, 1, 1, tzinfo=UTC)
"""The lease deadline of a delivery nobody holds (a date, not null, so one range filter serves)."""
OPEN = [DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value]
HELD = "held-while-planned:"
"""The lease of a delivery written before its notification, until the planner releases it (with
the planner's own token after it)."""


class DeliveryStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.deliveries: AsyncCollection[Document] = db["deliveries"]
        self.log: AsyncCollection[Document] = db["delivery_log"]
        self.reminders: AsyncCollection[Document] = db["reminders"]

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await self.deliveries.create_index(
            [("user_id", ASCENDING), ("digest", ASCENDING), ("status", ASCENDING)]
        )
        await self.deliveries.create_index("notification_id")
        await self.deliveries.create_index("lease")  # release, drop_held, renew
        await self.deliveries.create_index("ready")  # the quick due query
        await self.log.create_index("notification_id")
        await self.reminders.create_index([("status", ASCENDING), ("due_at", ASCENDING)])

    # ---- planning ---------------------------------------------------------------------------

    async def hold_all(
        self,
        planned: Sequence[tuple[str | None, Sequence[PlannedDelivery]]],
        now: datetime,
        until: datetime,
        notifications: Mapping[str, Notification] | None = None,
    ) -> Held:
        """Write people's planned deliveries, each once: the in-app ones (done) to the log, the
        others to the queue, held until ``until`` under a lease of this call's.
        ``notifications``: the notifications by id, copied into the queued deliveries so that
        sending them reads nothing else."""
        held = Held(f"{HELD}{uuid.uuid4().hex}", set())
        documents = [_document(user_id, p) for user_id, each in planned for p in each]
        known = notifications or {}
        copies = {
            p.notification_id: notification_document(known[p.notification_id], user_id)
            for user_id, each in planned
            for p in each
            if p.notification_id in known
        }
        done = [d for d in documents if d["status"] == DeliveryStatus.SENT.value]
        await insert_all_once(self.log, done)
        queued = [
            {
                **d,
                "lease": held.lease,
                "lease_until": until,
                "ready": d["next_attempt_at"] is not None and d["next_attempt_at"] <= now,
                "notification": copies.get(d["notification_id"]),
            }
            for d in documents
            if d["status"] != DeliveryStatus.SENT.value
        ]
        held.for_queue.update(d["_id"] for d in queued)
        held.queued.update(d["_id"] for d in await insert_all_once(self.deliveries, queued))
        return held

    async def release(self, held: Held, delivery_ids: Sequence[str]) -> None:
        """Let the worker take these deliveries now (their notification is stored): those this
        call queued (usually all of them, found by their lease: an equality served by the ``lease``
        index, where ``$in`` would make FerretDB decode the whole queue), and any an attempt that
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
        """Settle the deliveries this call queued for notifications stored before it. Those made
        already (in the log: a replay after the send) are removed. The others are the only
        copies: another planner stored the same notification at the same time and its write of
        the deliveries came second, finding these; they are released, to be sent once."""
        mine = [i for i in delivery_ids if i in held.queued]
        if not mine:
            return
        done = {d["_id"] for d in await find_by_ids(self.log, mine, {"_id": 1})}
        if done:
            await self.deliveries.delete_many({"_id": {"$in": sorted(done)}, "lease": held.lease})
        only_copies = sorted(set(mine) - done)
        if only_copies:
            free = {"$set": {"lease": None, "lease_until": FREE}}
            await self.deliveries.update_many(
                {"_id": {"$in": only_copies}, "lease": held.lease}, free
            )

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
        """Deliveries due, not settled and not leased (or whose lease ran out).

        ``thorough=False``: those marked ``ready`` (due when planned and never settled since)
        whose lease deadline has passed (free, or held by a worker or planner that died). The
        ``ready`` equality is handed to PostgreSQL and served by its index; the deadline is
        checked by FerretDB on the ready deliveries alone.

        ``thorough=True``: every due delivery, the longest waiting first (retries, deliveries that
        waited for quiet hours or a digest hour, leases that ran out). This query needs ranges
        (due, lease run out) and a sort, which FerretDB evaluates itself after reading the whole
        queue: no equality can name what has become due. The queue holds only the deliveries in
        flight, and the worker runs this every few rounds only (``THOROUGH_EVERY``)."""
        if not thorough:
            quick = {"ready": True, "lease_until": {"$lte": now}, **only}
            cursor = self.deliveries.find(quick).limit(limit)
            return [d async for d in cursor if _takeable(d, now)]
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
        """Take ``candidate`` under this lease, or None if another worker took it (or it was
        settled, renewed or released) since it was read.

        One guarded update: its filter is the delivery's ``_id`` (served by its index) and the
        state read, attempts made (every settlement counts one), lease and lease deadline (every
        claim, renewal and release changes them). Of the workers that read the same state, the
        first update applied matches and the others, applied after it, match nothing: the server
        applies updates of one document one at a time (the local FerretDB refuses a stale write
        and the update is retried on the document as it now is, ``mentorship_runtime.revisions``).
        A candidate whose lease deadline is after ``now`` (read while another held it) is not
        taken: a lease is taken from a worker only once it has run out.
        """
        if candidate["lease_until"] > now:
            return None
        result = await self.deliveries.update_one(
            {
                "_id": candidate["_id"],
                "attempts": candidate["attempts"],
                "lease": candidate.get("lease"),
                "lease_until": candidate["lease_until"],
            },
            {"$set": {"lease": token, "lease_until": lease_until}},
        )
        if result.matched_count != 1:
            return None
        return {**candidate, "lease": token, "lease_until": lease_until}

    async def renew(self, token: str, count: int, lease_until: datetime) -> bool:
        """Push the deadline of the ``count`` deliveries held under ``token`` to
        ``lease_until``; False if they are no longer all held under it (one equality filter,
        served by the ``lease`` index: a token names one claim of one worker)."""
        result = await self.deliveries.update_many(
            {"lease": token}, {"$set": {"lease_until": lease_until}}
        )
        return result.matched_count == count

    async def settle(self, delivery_id: str, token: str, fields: Document) -> bool:
        """Record an outcome and free the lease; False if the lease was lost meanwhile."""
        result = await self.deliveries.update_one(
            {"_id": delivery_id, "lease": token},
            {"$set": {**fields, "lease": None, "lease_until": FREE, "ready": False}},
        )
        return bool(result.modified_count)

    async def due(self, now: datetime, limit: int, *, thorough: bool) -> list[QueuedDelivery]:
        """``candidates``, as the worker reads them."""
        return [_queued(d) for d in await self.candidates(now, limit, thorough=thorough)]

    async def claim_due(
        self, delivery: QueuedDelivery, token: str, now: datetime, lease_until: datetime
    ) -> QueuedDelivery | None:
        """``claim`` from the state the worker read."""
        read = {
            "_id": delivery.delivery_id,
            "attempts": delivery.attempts,
            "lease": delivery.lease,
            "lease_until": delivery.lease_until,
        }
        if await self.claim(read, token, now, lease_until) is None:
            return None
        return replace(delivery, lease=token, lease_until=lease_until)

    async def renew_lease(self, token: str, count: int, lease_until: datetime) -> bool:
        """``renew``; a server error, whose outcome is unknown, is ``StoreUnavailable``."""
        try:
            return await self.renew(token, count, lease_until)
        except PyMongoError as exc:
            raise StoreUnavailable(repr(exc)) from exc

    async def settle_with(self, delivery_id: str, token: str, outcome: Outcome) -> bool:
        """``settle`` with an attempt's outcome (a dead delivery waits to be published)."""
        fields: Document = {
            "status": outcome.status.value,
            "attempts": outcome.attempts,
            "last_error": outcome.last_error,
            "next_attempt_at": outcome.next_attempt_at,
        }
        if outcome.status is DeliveryStatus.SENT:
            fields["sent_at"] = outcome.sent_at
        elif outcome.status is DeliveryStatus.DEAD:
            fields["dead_lettered"] = False
        return await self.settle(delivery_id, token, fields)

    async def dead_unpublished(self, limit: int) -> list[QueuedDelivery]:
        cursor = self.deliveries.find({"status": DeliveryStatus.DEAD.value, "dead_lettered": False})
        return [_queued(d) async for d in cursor.limit(limit)]

    async def mark_published(self, delivery_id: str) -> None:
        await self.deliveries.update_one({"_id": delivery_id}, {"$set": {"dead_lettered": True}})

    # ---- session-rating reminders -----------------------------------------------------------

    async def expect_rating(self, reminder: RatingReminder) -> None:
        """Schedule a reminder unless it exists (waiting, cancelled by a rating, or sent)."""
        fields = asdict(reminder)
        reminder_id = fields.pop("reminder_id")
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

    async def due_ratings(self, now: datetime, limit: int) -> list[RatingReminder]:
        cursor = self.reminders.find({"status": "waiting", "due_at": {"$lte": now}})
        return [_rating(d) async for d in cursor.sort("due_at", ASCENDING).limit(limit)]

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


def _queued(document: Document) -> QueuedDelivery:
    copy = document.get("notification")
    return QueuedDelivery(
        delivery_id=document["_id"],
        notification_id=document["notification_id"],
        recipient_id=document["recipient_id"],
        user_id=document.get("user_id"),
        channel=document["channel"],
        target=document.get("target"),
        digest=bool(document.get("digest")),
        display_name=document.get("display_name") or "",
        language=document.get("language", "en"),
        status=DeliveryStatus(document["status"]),
        attempts=document["attempts"],
        last_error=document.get("last_error"),
        next_attempt_at=document.get("next_attempt_at"),
        lease=document.get("lease"),
        lease_until=document["lease_until"],
        notification=notification_of(copy) if copy else None,
    )


def _rating(document: Document) -> RatingReminder:
    return RatingReminder(
        reminder_id=document["_id"],
        session_id=document["session_id"],
        side=document["side"],
        mentee_id=document["mentee_id"],
        mentor_id=document.get("mentor_id"),
        program_id=document["program_id"],
        held_on=document["held_on"],
        due_at=document["due_at"],
        event_id=document["event_id"],
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
