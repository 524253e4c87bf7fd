"""No update is lost, however many writers share a document (``mentorship_runtime.revisions``).

Run against the project's MongoDB server: on the local FerretDB, whose PostgreSQL triggers refuse
stale writes, these tests fail when the revision or its retry is missing (200 concurrent
increments kept about 20 before).
"""

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from mentorship_runtime.mongo import Document
from mentorship_runtime.revisions import STALE_WRITE, RevisedCollection

WRITERS = 200


async def test_a_collection_of_the_platform_keeps_revisions(
    mongo_db: AsyncDatabase[Document],
) -> None:
    await mongo_db.counters.insert_one({"_id": "c", "n": 0})

    await mongo_db.counters.update_one({"_id": "c"}, {"$inc": {"n": 1}})
    await mongo_db["counters"].update_one({"_id": "c"}, {"$set": {"seen": True}})

    assert isinstance(mongo_db.counters, RevisedCollection)
    assert isinstance(mongo_db.get_collection("counters"), RevisedCollection)
    assert await mongo_db.counters.find_one({"_id": "c"}) == {
        "_id": "c",
        "n": 1,
        "seen": True,
        "_rev": 2,
    }


async def test_concurrent_increments_of_one_document_are_all_kept(
    mongo_db: AsyncDatabase[Document],
) -> None:
    await mongo_db.counters.insert_one({"_id": "c", "n": 0})

    await asyncio.gather(
        *(mongo_db.counters.update_one({"_id": "c"}, {"$inc": {"n": 1}}) for _ in range(WRITERS))
    )

    stored = await mongo_db.counters.find_one({"_id": "c"})
    assert stored is not None
    assert (stored["n"], stored["_rev"]) == (WRITERS, WRITERS)


async def test_concurrent_guarded_updates_lose_none(mongo_db: AsyncDatabase[Document]) -> None:
    """Optimistic concurrency as the services use it: read a version, write only if it is still
    the stored one, read again when it is not. Every writer's item must be there."""
    await mongo_db.docs.insert_one({"_id": "d", "version": 0, "items": []})

    async def append(item: int) -> int:
        attempts = 0
        while True:
            attempts += 1
            seen = await mongo_db.docs.find_one({"_id": "d"})
            assert seen is not None
            result = await mongo_db.docs.update_one(
                {"_id": "d", "version": seen["version"]},
                {"$set": {"version": seen["version"] + 1}, "$push": {"items": item}},
            )
            if result.matched_count == 1:
                return attempts

    await asyncio.gather(*(append(i) for i in range(WRITERS)))

    stored = await mongo_db.docs.find_one({"_id": "d"})
    assert stored is not None
    assert sorted(stored["items"]) == list(range(WRITERS))
    assert stored["version"] == WRITERS


async def test_concurrent_upserts_of_a_new_document_are_all_kept(
    mongo_db: AsyncDatabase[Document],
) -> None:
    await asyncio.gather(
        *(
            mongo_db.counters.update_one({"_id": "new"}, {"$inc": {"n": 1}}, upsert=True)
            for _ in range(50)
        )
    )

    stored = await mongo_db.counters.find_one({"_id": "new"})
    assert stored is not None
    assert stored["n"] == 50


async def test_find_one_and_update_under_contention_returns_every_step_once(
    mongo_db: AsyncDatabase[Document],
) -> None:
    """A sequence handed out by find_one_and_update: no two writers get the same number."""
    await mongo_db.sequences.insert_one({"_id": "s", "next": 0})

    async def take() -> int:
        before = await mongo_db.sequences.find_one_and_update({"_id": "s"}, {"$inc": {"next": 1}})
        assert before is not None
        return int(before["next"])

    taken = await asyncio.gather(*(take() for _ in range(100)))

    assert sorted(taken) == list(range(100))


async def test_update_many_and_bulk_writes_interleaved_with_increments_lose_nothing(
    mongo_db: AsyncDatabase[Document],
) -> None:
    ids = [f"d{i}" for i in range(10)]
    await mongo_db.docs.insert_many([{"_id": i, "n": 0, "version": 0} for i in ids])

    async def increments() -> None:
        for _ in range(10):
            await asyncio.gather(
                *(mongo_db.docs.update_one({"_id": i}, {"$inc": {"n": 1}}) for i in ids)
            )

    async def flags(round_: int) -> None:
        await mongo_db.docs.update_many({}, {"$set": {f"flag{round_}": True}})

    async def bulk(round_: int) -> None:
        await mongo_db.docs.bulk_write(
            [UpdateOne({"_id": i}, {"$set": {f"bulk{round_}": True}}) for i in ids],
            ordered=False,
        )

    await asyncio.gather(
        increments(),
        increments(),
        *(flags(r) for r in range(5)),
        *(bulk(r) for r in range(5)),
    )

    async for stored in mongo_db.docs.find({}):
        assert stored["n"] == 20, stored
        assert all(stored[f"flag{r}"] and stored[f"bulk{r}"] for r in range(5)), stored


async def test_updates_that_cannot_keep_the_revision_are_refused_before_sending(
    mongo_db: AsyncDatabase[Document],
) -> None:
    await mongo_db.docs.insert_one({"_id": "d", "n": 0})
    refused: list[Any] = [
        mongo_db.docs.replace_one({"_id": "d"}, {"n": 5}),
        mongo_db.docs.find_one_and_replace({"_id": "d"}, {"n": 5}),
        mongo_db.docs.update_one({"_id": "d"}, {"n": 5}),
        mongo_db.docs.update_one({"_id": "d"}, [{"$set": {"n": 5}}]),
        mongo_db.docs.update_one({"_id": "d"}, {"$set": {"_rev": 9}}),
        mongo_db.docs.update_many({}, {"$inc": {"n": 1}}),
        mongo_db.docs.update_many({}, {"$push": {"items": 1}}),
    ]
    for call in refused:
        with pytest.raises((TypeError, ValueError)):
            await call

    assert await mongo_db.docs.find_one({"_id": "d"}) == {"_id": "d", "n": 0}


async def test_the_local_server_refuses_an_update_that_does_not_keep_the_revision(
    mongo_url: str, mongo_db: AsyncDatabase[Document]
) -> None:
    """The guard is the server's: a client that does not increment ``_rev`` (here PyMongo's
    plain client) is refused by FerretDB on PostgreSQL. MongoDB itself has no such guard and needs
    none: its updates are atomic."""
    await mongo_db.docs.insert_one({"_id": "d", "n": 0})
    plain: AsyncMongoClient[Document] = AsyncMongoClient(mongo_url)
    try:
        build = await plain.admin.command("buildInfo")
        update = plain[mongo_db.name].docs.update_one({"_id": "d"}, {"$set": {"n": 1}})
        if "ferretdbVersion" in build:
            with pytest.raises(OperationFailure, match=STALE_WRITE):
                await update
            expected = 0
        else:
            await update
            expected = 1
    finally:
        await plain.close()

    stored = await mongo_db.docs.find_one({"_id": "d"})
    assert stored is not None
    assert stored["n"] == expected
