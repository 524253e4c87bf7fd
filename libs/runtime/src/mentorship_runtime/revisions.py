"""Every update the platform sends is atomic, on MongoDB and on the local FerretDB alike.

Collections obtained from ``make_mongo_client`` are ``RevisedCollection``s: each update they send
also increments the document's revision, ``_rev``. MongoDB applies an update atomically and
ignores that field. FerretDB reads a document, computes the new one and writes it back in a
separate statement, so two concurrent updates of one document could both report success while one
is lost; on the local stack a trigger in its PostgreSQL database refuses a write whose ``_rev`` is
not the stored one plus one, and the collection retries such a *stale write* (after a short,
jittered pause) until it goes through. The retried update reads the document afresh, so a guarded
update (``{_id, version: seen}``) that lost the race matches nothing, as it would on MongoDB.

What may be sent:

* update operators (``$set``, ``$inc``, ``$push`` ...), never a replacement document or a
  pipeline, and never ``_rev`` itself;
* ``update_many`` and ``bulk_write`` are retried whole when one of their documents was stale
  (FerretDB writes their documents one by one, and the stale one ends the command): their updates
  must be idempotent (``$set``, ``$unset``, ``$pull`` ...) or guarded so that a document already
  changed no longer matches, and the counts they return are those of the attempt that went
  through. ``update_many`` refuses ``$inc``, ``$push`` and ``$mul`` for that reason.

An upsert that loses a race to insert the same ``_id`` (a duplicate key) is retried too: its second
attempt finds the document and updates it, as MongoDB does.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from prometheus_client import Counter
from pymongo import AsyncMongoClient, ReplaceOne, UpdateMany, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure
from pymongo.results import BulkWriteResult, UpdateResult

Document = dict[str, Any]
T = TypeVar("T")

REVISION = "_rev"
STALE_WRITE = "write conflict: stale _rev"
RETRY_FOR_SECONDS = 30.0
FIRST_PAUSE = 0.002
LONGEST_PAUSE = 0.1
UPSERT_ATTEMPTS = 3
NOT_IDEMPOTENT = ("$inc", "$push", "$mul")

STALE_WRITES = Counter(
    "mentorship_mongo_stale_writes_total",
    "Updates refused by the server as stale (a concurrent update won) and retried",
    ["collection"],
)


class StaleWrite(OperationFailure):
    """An update stayed stale for ``RETRY_FOR_SECONDS``: other writers kept winning."""


def revised(update: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> Document:
    """``update`` that also increments the document's revision."""
    if isinstance(update, Sequence) or not isinstance(update, Mapping):
        msg = "send update operators ($set, $inc ...), not a pipeline"
        raise TypeError(msg)
    if not update or any(not key.startswith("$") for key in update):
        msg = "send update operators ($set, $inc ...), not a replacement document"
        raise TypeError(msg)
    for operator, fields in update.items():
        if isinstance(fields, Mapping) and REVISION in fields:
            msg = f"{REVISION} is the collection's to keep; {operator} names it"
            raise ValueError(msg)
    return {**update, "$inc": {**update.get("$inc", {}), REVISION: 1}}


def is_stale(exc: BaseException) -> bool:
    """Whether the server refused a write as stale (it names the revision guard)."""
    if not isinstance(exc, OperationFailure):
        return False
    messages = [str(exc)]
    details = exc.details or {}
    messages.append(str(details.get("errmsg", "")))
    messages.extend(str(e.get("errmsg", "")) for e in details.get("writeErrors", []) or [])
    return any(STALE_WRITE in message for message in messages)


async def retrying(
    attempt: Callable[[], Awaitable[T]], *, collection: str, upsert: bool = False
) -> T:
    """Run ``attempt`` until it is not refused as stale (or, for an upsert, a duplicate key)."""
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    pause = FIRST_PAUSE
    duplicates = 0
    while True:
        try:
            return await attempt()
        except DuplicateKeyError:
            duplicates += 1
            if not upsert or duplicates >= UPSERT_ATTEMPTS:
                raise
        except OperationFailure as exc:
            if not is_stale(exc):
                raise
            STALE_WRITES.labels(collection).inc()
            if time.monotonic() >= deadline:
                msg = f"an update of {collection} stayed stale for {RETRY_FOR_SECONDS:.0f} s"
                raise StaleWrite(msg, code=112) from exc
        await asyncio.sleep(random.uniform(0, pause))  # noqa: S311 - jitter, not secrecy
        pause = min(pause * 2, LONGEST_PAUSE)


def _idempotent(update: Any) -> Any:
    refused = [operator for operator in NOT_IDEMPOTENT if operator in update]
    if refused:
        msg = f"update_many is retried whole: {', '.join(refused)} would apply twice"
        raise ValueError(msg)
    return update


class RevisedCollection(AsyncCollection[Document]):
    """A collection whose updates increment ``_rev`` and are retried when stale."""

    async def update_one(  # type: ignore[override]
        self, filter: Mapping[str, Any], update: Mapping[str, Any], *args: Any, **kwargs: Any
    ) -> UpdateResult:
        sent = revised(update)
        return await retrying(
            lambda: AsyncCollection.update_one(self, filter, sent, *args, **kwargs),
            collection=self.name,
            upsert=bool(kwargs.get("upsert")),
        )

    async def update_many(  # type: ignore[override]
        self, filter: Mapping[str, Any], update: Mapping[str, Any], *args: Any, **kwargs: Any
    ) -> UpdateResult:
        sent = revised(_idempotent(update))
        return await retrying(
            lambda: AsyncCollection.update_many(self, filter, sent, *args, **kwargs),
            collection=self.name,
            upsert=bool(kwargs.get("upsert")),
        )

    async def find_one_and_update(  # type: ignore[override]
        self, filter: Mapping[str, Any], update: Mapping[str, Any], *args: Any, **kwargs: Any
    ) -> Document | None:
        sent = revised(update)
        return await retrying(
            lambda: AsyncCollection.find_one_and_update(self, filter, sent, *args, **kwargs),
            collection=self.name,
            upsert=bool(kwargs.get("upsert")),
        )

    async def bulk_write(
        self, requests: Sequence[Any], *args: Any, **kwargs: Any
    ) -> BulkWriteResult:
        sent = [_revised_request(request) for request in requests]

        async def attempt() -> BulkWriteResult:
            try:
                return await AsyncCollection.bulk_write(self, sent, *args, **kwargs)
            except BulkWriteError as exc:
                if is_stale(exc):
                    raise OperationFailure(STALE_WRITE, details=exc.details) from exc
                raise

        return await retrying(attempt, collection=self.name)

    async def replace_one(self, *args: Any, **kwargs: Any) -> UpdateResult:
        msg = "replace_one cannot keep the revision: send update operators with update_one"
        raise TypeError(msg)

    async def find_one_and_replace(self, *args: Any, **kwargs: Any) -> Any:
        msg = "find_one_and_replace cannot keep the revision: use find_one_and_update"
        raise TypeError(msg)


def _revised_request(request: Any) -> Any:
    """An UpdateOne or UpdateMany that also increments the revision (PyMongo keeps what a request
    was made with in these attributes); other requests (inserts, deletes) go unchanged."""
    if isinstance(request, UpdateOne | UpdateMany):
        options = ("_collation", "_array_filters", "_hint", "_sort")
        if any(getattr(request, option, None) is not None for option in options):
            msg = "a revised bulk update takes a filter, update operators and upsert only"
            raise TypeError(msg)
        document = request._doc
        if isinstance(request, UpdateOne):
            return UpdateOne(request._filter, revised(document), upsert=request._upsert)
        return UpdateMany(request._filter, revised(_idempotent(document)), upsert=request._upsert)
    if isinstance(request, ReplaceOne):
        msg = "ReplaceOne cannot keep the revision: send UpdateOne with update operators"
        raise TypeError(msg)
    return request


class RevisedDatabase(AsyncDatabase[Document]):
    """A database whose collections are ``RevisedCollection``s."""

    def __getitem__(self, name: str) -> RevisedCollection:
        return RevisedCollection(self, name)

    def get_collection(self, name: str, *args: Any, **kwargs: Any) -> RevisedCollection:
        plain = AsyncDatabase.get_collection(self, name, *args, **kwargs)
        return RevisedCollection(
            self,
            name,
            False,
            plain.codec_options,
            plain.read_preference,
            plain.write_concern,
            plain.read_concern,
        )


class RevisedClient(AsyncMongoClient[Document]):
    """A client whose databases are ``RevisedDatabase``s."""

    def __getitem__(self, name: str) -> RevisedDatabase:
        return RevisedDatabase(self, name)

    def get_database(self, *args: Any, **kwargs: Any) -> RevisedDatabase:
        plain = AsyncMongoClient.get_database(self, *args, **kwargs)
        return RevisedDatabase(
            self,
            plain.name,
            plain.codec_options,
            plain.read_preference,
            plain.write_concern,
            plain.read_concern,
        )
