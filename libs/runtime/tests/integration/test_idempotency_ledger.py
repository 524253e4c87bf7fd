"""Idempotency on the real MongoDB server: finding what a key created, and the key ledger."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from mentorship_runtime.errors import Forbidden
from mentorship_runtime.idempotency import KeyLedger
from mentorship_runtime.moments import as_stored
from mentorship_runtime.mongo import Document, insert_or_find
from mentorship_runtime.request_keys import KeyReused

NOW = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC)


async def test_insert_or_find_tells_a_first_insert_from_an_id_stored_before(
    mongo_db: AsyncDatabase[Document],
) -> None:
    await mongo_db.people.create_index("email", unique=True)

    first = await insert_or_find(mongo_db.people, {"_id": "p-1", "email": "ada@example.org"})
    again = await insert_or_find(mongo_db.people, {"_id": "p-1", "email": "other@example.org"})
    other_index = await insert_or_find(mongo_db.people, {"_id": "p-2", "email": "ada@example.org"})

    assert first == (True, None)
    assert again == (False, {"_id": "p-1", "email": "ada@example.org"})
    assert other_index == (False, None)
    assert await mongo_db.people.count_documents({}) == 1


async def test_a_moment_as_stored_reads_back_unchanged(mongo_db: AsyncDatabase[Document]) -> None:
    await mongo_db.things.insert_one({"_id": "t-1", "at": as_stored(NOW)})

    found = await mongo_db.things.find_one({"_id": "t-1"})

    assert found is not None
    assert found["at"] == as_stored(NOW) == NOW.replace(microsecond=123000)


def ledger(db: AsyncDatabase[Document]) -> KeyLedger:
    return KeyLedger(db.idempotency_keys, clock=lambda: NOW)


async def test_a_key_bound_to_a_request_lets_the_same_request_run_and_refuses_another(
    mongo_db: AsyncDatabase[Document],
) -> None:
    ran: list[str] = []

    async with ledger(mongo_db).bound("k-1", "ci_1", "request-a", creates="check-in 'ci_1'"):
        ran.append("first")
    async with ledger(mongo_db).bound("k-1", "ci_1", "request-a", creates="check-in 'ci_1'"):
        ran.append("retry")
    with pytest.raises(KeyReused, match="k-1"):
        async with ledger(mongo_db).bound("k-1", "ci_1", "request-b", creates="check-in 'ci_1'"):
            ran.append("another request")

    assert ran == ["first", "retry"]
    assert await mongo_db.idempotency_keys.count_documents({}) == 1


async def test_a_domain_error_unbinds_the_key_and_an_outage_keeps_it(
    mongo_db: AsyncDatabase[Document],
) -> None:
    with pytest.raises(Forbidden):
        async with ledger(mongo_db).bound("k-1", "ci_1", "request-a", creates="check-in"):
            raise Forbidden("not yours")
    async with ledger(mongo_db).bound("k-1", "ci_1", "request-b", creates="check-in"):
        pass  # nothing was done with the key: a corrected request may use it
    with pytest.raises(PyMongoError):
        async with ledger(mongo_db).bound("k-2", "ci_2", "request-c", creates="check-in"):
            raise PyMongoError("connection reset")  # maybe applied: the key stays bound

    stored = {d["_id"]: d["fingerprint"] async for d in mongo_db.idempotency_keys.find()}
    assert stored == {"ci_1": "request-b", "ci_2": "request-c"}


async def test_without_a_key_the_ledger_keeps_nothing(mongo_db: AsyncDatabase[Document]) -> None:
    async with ledger(mongo_db).bound(None, "ci_1", "request-a", creates="check-in"):
        pass

    assert await mongo_db.idempotency_keys.count_documents({}) == 0


async def test_of_ten_concurrent_binds_of_one_key_the_others_run_once_the_first_finished(
    mongo_db: AsyncDatabase[Document],
) -> None:
    steps: list[tuple[str, int]] = []

    async def bind(n: int) -> None:
        async with ledger(mongo_db).bound("k-1", "ci_1", "request-a", creates="check-in"):
            steps.append(("start", n))
            await asyncio.sleep(0.05)
            steps.append(("end", n))

    await asyncio.gather(*(bind(n) for n in range(10)))

    first = steps[0][1]
    assert steps[1] == ("end", first), "nobody started while the first one ran"
    assert sorted(n for step, n in steps if step == "start") == list(range(10))
    assert await mongo_db.idempotency_keys.count_documents({}) == 1


async def test_a_request_waiting_for_its_key_sees_what_the_first_one_kept(
    mongo_db: AsyncDatabase[Document],
) -> None:
    first_in = asyncio.Event()
    seen: list[object] = []

    async def first() -> None:
        async with ledger(mongo_db).bound("k-1", "v_1", "request-a", creates="v") as binding:
            first_in.set()
            await asyncio.sleep(0.2)
            await binding.keep({"version": 2, "created": True})
            seen.append("first done")

    async def retry() -> None:
        await first_in.wait()
        async with ledger(mongo_db).bound("k-1", "v_1", "request-a", creates="v") as binding:
            seen.append(binding.result)

    await asyncio.gather(first(), retry())

    assert seen == ["first done", {"version": 2, "created": True}]


async def test_a_key_bound_by_a_request_that_died_is_waited_for_a_while_then_used(
    mongo_db: AsyncDatabase[Document],
) -> None:
    await mongo_db.idempotency_keys.insert_one(
        {"_id": "ci_1", "fingerprint": "request-a", "first_used_at": NOW}
    )
    impatient = KeyLedger(mongo_db.idempotency_keys, clock=lambda: NOW, wait_seconds=0.2)
    ran: list[str] = []

    async with impatient.bound("k-1", "ci_1", "request-a", creates="check-in"):
        ran.append("retry")

    assert ran == ["retry"]
    stored = await mongo_db.idempotency_keys.find_one({"_id": "ci_1"})
    assert stored is not None
    assert stored["done"] is True
