"""MongoDB through PyMongo's native async client, within the subset FerretDB also serves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.revisions import RevisedClient

Document = dict[str, Any]
DUPLICATE_KEY = 11000
LOOKUP_CONCURRENCY = 16
"""How many of the equality queries that stand for one ``$in`` run at once."""
T = TypeVar("T")


def make_mongo_client(
    url: str,
    *,
    app_name: str,
    timeout_ms: int = 10_000,
    event_listeners: Sequence[monitoring._EventListener] = (),
) -> AsyncMongoClient[Document]:
    """One client per process: it pools connections. Datetimes come back aware, in UTC. Its
    collections keep a revision on every update and retry stale writes (``revisions``)."""
    return RevisedClient(
        url,
        appname=app_name,
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        event_listeners=list(event_listeners),
    )


async def insert_once(collection: AsyncCollection[Document], document: Mapping[str, Any]) -> bool:
    """Insert a document whose ``_id`` is derived from an event id.

    Consumers see each event at least once; the second insert of the same ``_id`` is a duplicate
    key and means the work was already done. Returns whether this call inserted it.
    """
    try:
        await collection.insert_one(dict(document))
    except DuplicateKeyError:
        return False
    return True


async def insert_or_find(
    collection: AsyncCollection[Document], document: Mapping[str, Any]
) -> tuple[bool, Document | None]:
    """Insert a document whose ``_id`` derives from a request (its idempotency key), or find the
    one stored under that ``_id`` before.

    Returns ``(True, None)`` when this call inserted it, ``(False, stored)`` when the ``_id``
    existed already (a retried or concurrent request: compare ``stored`` with what was asked),
    and ``(False, None)`` when another unique index refused it (or the stored document was
    removed meanwhile). Other write errors raise.
    """
    try:
        await collection.insert_one(dict(document))
    except DuplicateKeyError:
        return False, await collection.find_one({"_id": document["_id"]})
    return True, None


async def insert_all_once(
    collection: AsyncCollection[Document], documents: Sequence[Document]
) -> list[Document]:
    """``insert_once`` for many documents in one unordered ``insert_many``; returns those this
    call inserted (a duplicate key is a document stored before). Other write errors raise."""
    if not documents:
        return []
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        refused = {e["index"] for e in errors}
        return [d for i, d in enumerate(documents) if i not in refused]
    return list(documents)


async def each_found(
    values: Iterable[T], lookup: Callable[[T], Awaitable[list[Document]]]
) -> list[Document]:
    """``lookup`` of every distinct value, ``LOOKUP_CONCURRENCY`` at a time: what one ``$in``
    would find, each document once, in the order of the values that found them. FerretDB reads
    a whole table for ``$in``, and serves an equality on an indexed field from its index; on
    MongoDB the lookups cost round trips that run at once."""
    gate = asyncio.Semaphore(LOOKUP_CONCURRENCY)

    async def one(value: T) -> list[Document]:
        async with gate:
            return await lookup(value)

    found = await asyncio.gather(*(one(v) for v in dict.fromkeys(values)))
    unique = {d["_id"]: d for documents in found for d in documents}
    return list(unique.values())


async def find_by_ids(
    collection: AsyncCollection[Document],
    ids: Iterable[Any],
    projection: Mapping[str, Any] | None = None,
) -> list[Document]:
    """The documents with these ids that exist, each once, in the order of the ids (an id
    ``None`` or empty is skipped): one lookup by ``_id`` per id, as ``each_found`` runs them."""

    async def by_id(document_id: Any) -> list[Document]:
        document = await collection.find_one({"_id": document_id}, projection)
        return [document] if document is not None else []

    return await each_found([i for i in ids if i], by_id)


async def ping(client: AsyncMongoClient[Document]) -> None:
    await client.admin.command("ping")


async def keep_if_newer(
    collection: AsyncCollection[Document],
    document_id: Any,
    newer: Document,
    fields: Document,
    *,
    what: str,
    tries: int = 4,
) -> bool:
    """Set ``fields`` on a document whose stored state ``newer`` (a filter on its ``_id`` and on
    the order kept beside that state) says is older, or insert the document if there is none.
    False when the stored state is as new or newer (a redelivery, a replay). One update, atomic on
    the document; an insert that races another is tried again as an update."""
    for _ in range(tries):
        result = await collection.update_one(newer, {"$set": fields})
        if result.matched_count:
            return True
        if await collection.find_one({"_id": document_id}, {"_id": 1}):
            return False  # known already, with this state or a newer one
        try:
            await collection.insert_one({"_id": document_id, **fields})
        except DuplicateKeyError:
            continue  # inserted meanwhile: is this state newer than that one?
        return True
    raise ConcurrentUpdate(what, str(document_id))
