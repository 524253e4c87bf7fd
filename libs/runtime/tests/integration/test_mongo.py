"""Documents really go through the MongoDB wire protocol, with the async PyMongo client."""

from datetime import UTC, datetime

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_runtime.mongo import Document, insert_once


async def test_a_document_is_written_and_read_back_with_aware_datetimes(
    mongo_db: AsyncDatabase[Document],
) -> None:
    when = datetime(2026, 11, 2, 9, 30, 15, 123000, tzinfo=UTC)
    await mongo_db.participants.insert_one({"_id": "p-1", "name": "Ada", "joined_at": when})

    found = await mongo_db.participants.find_one({"_id": "p-1"})

    assert found == {"_id": "p-1", "name": "Ada", "joined_at": when}


async def test_a_unique_index_rejects_a_duplicate(mongo_db: AsyncDatabase[Document]) -> None:
    await mongo_db.participants.create_index("email", unique=True)
    await mongo_db.participants.insert_one({"_id": "p-1", "email": "ada@example.org"})

    with pytest.raises(DuplicateKeyError):
        await mongo_db.participants.insert_one({"_id": "p-2", "email": "ada@example.org"})

    assert await mongo_db.participants.count_documents({}) == 1


async def test_insert_once_does_the_work_of_a_redelivered_event_only_once(
    mongo_db: AsyncDatabase[Document],
) -> None:
    document = {"_id": "event-123:alert", "text": "Ada stalled"}

    first = await insert_once(mongo_db.alerts, document)
    second = await insert_once(mongo_db.alerts, document)

    assert (first, second) == (True, False)
    assert await mongo_db.alerts.count_documents({}) == 1


async def test_a_single_document_update_carries_state_and_pending_events_together(
    mongo_db: AsyncDatabase[Document],
) -> None:
    await mongo_db.matches.insert_one({"_id": "m-1", "status": "proposed", "pending": []})

    updated = await mongo_db.matches.find_one_and_update(
        {"_id": "m-1", "status": "proposed"},
        {"$set": {"status": "accepted"}, "$push": {"pending": {"type": "accepted"}}},
        return_document=True,
    )
    again = await mongo_db.matches.find_one_and_update(
        {"_id": "m-1", "status": "proposed"},
        {"$set": {"status": "accepted"}, "$push": {"pending": {"type": "accepted"}}},
    )

    assert updated is not None
    assert updated["pending"] == [{"type": "accepted"}]
    assert again is None
