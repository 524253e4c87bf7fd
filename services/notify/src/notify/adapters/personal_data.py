"""Where notify keeps a person's data: their contact data in the directory (by participant
id), their notifications, the state of each delivery of them (e-mail, webhook, in-app), and
their preferences (by account). An export reads it; an erasure will find the same records here.

A person's notifications and deliveries are found by their account (``user_id``, indexed); an
admin's request for one participation keeps those addressed to that participation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import find_by_ids
from mentorship_runtime.outbox import without_outbox

Document = dict[str, Any]
HIDDEN = without_outbox()
DELIVERY_FIELDS = {
    "notification_id": 1,
    "channel": 1,
    "status": 1,
    "attempts": 1,
    "due_at": 1,
    "sent_at": 1,
    "last_error": 1,
    "next_attempt_at": 1,
    "digest": 1,
}


class NotifyPersonalData:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.people: AsyncCollection[Document] = db["people"]
        self.notifications: AsyncCollection[Document] = db["notifications"]
        self.preferences: AsyncCollection[Document] = db["preferences"]
        self.deliveries: AsyncCollection[Document] = db["deliveries"]
        self.log: AsyncCollection[Document] = db["delivery_log"]

    async def ensure_indexes(self) -> None:
        await self.log.create_index("user_id")  # a person's settled deliveries

    async def sections(
        self, user_id: str, participant_ids: Collection[str], *, whole_account: bool
    ) -> dict[str, list[Document]]:
        """What notify holds about ``user_id``: everything with ``whole_account``, else what
        concerns the participations named."""
        people, notifications, queued, settled = await asyncio.gather(
            find_by_ids(self.people, participant_ids, {"set_by": 0, "version": 0}),
            self._of_user(self.notifications, user_id, HIDDEN),
            self._of_user(self.deliveries, user_id, DELIVERY_FIELDS),
            self._of_user(self.log, user_id, DELIVERY_FIELDS),
        )
        if not whole_account:
            notifications = [n for n in notifications if n.get("recipient_id") in participant_ids]
        kept = {n["_id"] for n in notifications}
        deliveries = [d for d in [*queued, *settled] if d.get("notification_id") in kept]
        found = {
            "directory": people,
            "notifications": notifications,
            "deliveries": sorted(deliveries, key=lambda d: str(d["_id"])),
        }
        if whole_account:
            preferences = await find_by_ids(self.preferences, [user_id], {"webhook_secret": 0})
            found["preferences"] = preferences
        return found

    @staticmethod
    async def _of_user(
        collection: AsyncCollection[Document], user_id: str, projection: dict[str, int]
    ) -> list[Document]:
        cursor = collection.find({"user_id": user_id}, projection).sort("_id", 1)
        return [d async for d in cursor]
