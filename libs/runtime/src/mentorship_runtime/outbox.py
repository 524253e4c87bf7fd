"""The outbox without multi-document transactions.

A state change and the events it causes are written in **one single-document write**: the events
wait inside the aggregate's own document, in ``_outbox`` (oldest first), and ``_outbox_since``
marks the document as having some (with ``_outbox_pending``, which the sweep looks for). Nothing
is published before that write is durable. A document inserted with its first events carries
them the same way (``outbox_fields``).

Right after the write, ``OutboxRelay.drain(collection, id)`` publishes the document's pending events
in order, waits for Kafka's acknowledgement (``acks=all``), then removes exactly those entries.
``drain_written`` does the same for the entries a batch has just written to several documents,
removing them with a few concurrent bulk writes. If the process dies in between, ``sweep`` (run
periodically by the worker) finds the documents whose ``_outbox_since`` is older than a grace
period and publishes what was left behind.

An event may thus be published twice (a crash after the publish, before the removal); consumers
are idempotent, so that is safe. It is never lost, and one aggregate's events keep their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError
from pymongo.results import UpdateResult

from mentorship_contracts import Envelope
from mentorship_contracts.headers import envelope_headers
from mentorship_contracts.topics import topic_name
from mentorship_runtime.logging import get_logger
from mentorship_runtime.metrics import OUTBOX_BACKLOG, PUBLISHED
from mentorship_runtime.mongo import Document
from mentorship_runtime.tracing import trace_headers

OUTBOX = "_outbox"
OUTBOX_SINCE = "_outbox_since"
OUTBOX_PENDING = "_outbox_pending"
"""Set (true) with ``_outbox_since``: the sweep finds pending documents by this equality, which
FerretDB hands to its backend, where a range on the date makes it decode the whole collection."""
REMOVAL_SLICES = 8
"""At most this many bulk writes at once remove what a drain published (see ``_remove``)."""


def outbox_entries(events: Sequence[Envelope[Any]], *, topic_prefix: str = "") -> list[Document]:
    """Pending entries for ``events``, to be pushed in the same update as the state change."""
    return [
        {
            "event_id": str(event.event_id),
            "topic": topic_name(event.data.topic, topic_prefix),
            "key": event.key,
            "headers": {**envelope_headers(event), **trace_headers()},
            "body": event.to_bytes().decode(),
        }
        for event in events
    ]


def outbox_update(
    events: Sequence[Envelope[Any]], *, now: datetime, topic_prefix: str = ""
) -> Document:
    """The ``$push``/``$set`` parts that add ``events`` to a document's outbox.

    Merge them into the update that changes the state, e.g.
    ``{"$set": {"status": "accepted", **parts["$set"]}, "$push": parts["$push"]}``.
    """
    if not events:
        return {}
    return {
        "$push": {OUTBOX: {"$each": outbox_entries(events, topic_prefix=topic_prefix)}},
        "$set": {OUTBOX_SINCE: now, OUTBOX_PENDING: True},
    }


def outbox_fields(entries: Sequence[Document], *, now: datetime) -> Document:
    """The fields that make a document inserted with ``entries`` (from ``outbox_entries``)
    pending, as ``outbox_update`` makes an updated one: merge them into the new document."""
    if not entries:
        return {}
    return {OUTBOX: list(entries), OUTBOX_SINCE: now, OUTBOX_PENDING: True}


def without_outbox(*also: str) -> dict[str, int]:
    """A projection that leaves out the outbox's fields (and the fields named in ``also``)."""
    return {OUTBOX: 0, OUTBOX_SINCE: 0, OUTBOX_PENDING: 0, **dict.fromkeys(also, 0)}


def written_entries(document: Mapping[str, Any]) -> list[Document]:
    """The outbox entries a document was written with (none for a document without events)."""
    return list(document.get(OUTBOX) or [])


class Outbox:
    """How a store writes a change together with the events it causes: it hands over its update
    or its new document and the events, and never names the outbox's fields.

    ``update_one`` and ``insert_one`` write and then publish right away (``drain_soon``);
    ``update`` and ``document`` only build what to write, for a store that writes by other means
    (a bulk write, ``find_one_and_update``) and then calls ``publish_soon``."""

    def __init__(
        self,
        relay: OutboxRelay,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        topic_prefix: str = "",
    ) -> None:
        self.relay = relay
        self._clock = clock
        self._prefix = topic_prefix

    def update(self, update: Mapping[str, Any], events: Sequence[Envelope[Any]]) -> Document:
        """``update`` (with its operators) that also appends ``events`` to the outbox."""
        merged = dict(update)
        parts = outbox_update(events, now=self._clock(), topic_prefix=self._prefix)
        for operator, fields in parts.items():
            merged[operator] = {**update.get(operator, {}), **fields}
        return merged

    def document(self, document: Mapping[str, Any], events: Sequence[Envelope[Any]]) -> Document:
        """A new document that carries ``events`` in its outbox."""
        entries = outbox_entries(events, topic_prefix=self._prefix)
        return {**document, **outbox_fields(entries, now=self._clock())}

    async def update_one(
        self,
        collection: AsyncCollection[Document],
        selector: Mapping[str, Any],
        update: Mapping[str, Any],
        events: Sequence[Envelope[Any]] = (),
        *,
        upsert: bool = False,
    ) -> UpdateResult:
        """Change the document ``selector`` finds (by ``_id``, with any guard) and append
        ``events`` in the same write; publish them right after when it matched."""
        result = await collection.update_one(selector, self.update(update, events), upsert=upsert)
        if events and (result.matched_count or result.upserted_id is not None):
            await self.relay.drain_soon(collection, selector["_id"])
        return result

    async def insert_one(
        self,
        collection: AsyncCollection[Document],
        document: Mapping[str, Any],
        events: Sequence[Envelope[Any]] = (),
    ) -> None:
        """Insert ``document`` with ``events`` in its outbox, then publish them right away
        (a duplicate key raises before anything is published)."""
        new = self.document(document, events)
        await collection.insert_one(new)
        if events:
            await self.relay.drain_soon(collection, new["_id"], written_entries(new))

    async def publish_soon(
        self,
        collection: AsyncCollection[Document],
        document_id: Any,
        entries: Sequence[Document] | None = None,
    ) -> None:
        """Publish what a write outside ``update_one``/``insert_one`` left in one document's
        outbox (``OutboxRelay.drain_soon``)."""
        await self.relay.drain_soon(collection, document_id, entries)

    async def publish_written_soon(
        self, collection: AsyncCollection[Document], written: Mapping[Any, Sequence[Document]]
    ) -> None:
        """Publish what a bulk write left in several documents' outboxes (document id: the
        entries it wrote there, ``written_entries``)."""
        await self.relay.drain_written_soon(collection, written)


async def ensure_outbox_index(collection: AsyncCollection[Document]) -> None:
    """The index the sweep finds pending documents by (the date is read, never searched)."""
    await collection.create_index(OUTBOX_PENDING)


class OutboxRelay:
    def __init__(
        self,
        broker: KafkaBroker,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        grace: timedelta = timedelta(seconds=10),
        soon: timedelta = timedelta(seconds=2),
    ) -> None:
        """``soon``: how long a publish right after a write may keep its request waiting (the
        producer itself waits up to its request timeout, 40 s, for a broker that is away)."""
        self._broker = broker
        self._clock = clock
        self._grace = grace
        self._soon = soon.total_seconds()
        self._log = get_logger("outbox")

    async def drain(
        self,
        collection: AsyncCollection[Document],
        document_id: Any,
        entries: Sequence[Document] | None = None,
    ) -> int:
        """Publish the pending events of one document; returns how many were published.

        ``entries``: the events the caller has just written there, when it knows them, which
        saves reading them back (what else is pending is left to the next drain or the sweep).
        """
        if entries is None:
            entries = await _pending_entries(collection, document_id)
        return await self.drain_written(collection, {document_id: entries})

    async def drain_written(
        self, collection: AsyncCollection[Document], written: Mapping[Any, Sequence[Document]]
    ) -> int:
        """Publish the entries just written to several documents (document id: its entries):
        all are handed to the producer before any acknowledgement is awaited, in order, so one
        document's events keep theirs; then they are removed from every document by bulk writes
        (see ``_remove``). Returns how many were published."""
        pending = _non_empty(written)
        published = await self._publish(_all(pending))
        await self._remove(collection, pending)
        return published

    async def _publish(self, entries: Sequence[Document]) -> int:
        """Hand every entry to the producer, in order, then wait for all acknowledgements."""
        acknowledgements = [
            await self._broker.publish(
                entry["body"].encode(),
                entry["topic"],
                key=entry["key"].encode(),
                headers={"content-type": "application/json", **entry["headers"]},
                correlation_id=entry["headers"].get("event-correlation-id"),
                no_confirm=True,
            )
            for entry in entries
        ]
        await asyncio.gather(*acknowledgements)
        for entry in entries:
            PUBLISHED.labels(entry["topic"], entry["headers"].get("event-type", "")).inc()
        return len(acknowledgements)

    @staticmethod
    async def _remove(
        collection: AsyncCollection[Document], published: Mapping[Any, Sequence[Document]]
    ) -> None:
        """Remove exactly the published entries from each document: the documents are cut into
        at most ``REMOVAL_SLICES`` slices, each removed by one bulk write (``_remove_slice``),
        the slices at the same time. On the local server each updated document is a commit of
        its own, and concurrent commits share their flushes to disk: 200 documents took 750 to
        950 ms in one bulk write, 200 to 280 ms in 8."""
        documents = list(published.items())
        slices = [dict(documents[i::REMOVAL_SLICES]) for i in range(REMOVAL_SLICES)]
        await asyncio.gather(*(_remove_slice(collection, s) for s in slices if s))

    async def drain_soon(
        self,
        collection: AsyncCollection[Document],
        document_id: Any,
        entries: Sequence[Document] | None = None,
    ) -> None:
        """Publish right after a write (``drain``); if Kafka is unreachable now or does not
        acknowledge within ``soon``, leave it to the sweep (which may then publish an event
        twice: consumers know events by id).

        The state change is already durable, so the request that caused it must not fail, nor
        wait for a broker that is away.
        """
        if entries is None:
            entries = await _pending_entries(collection, document_id)
        await self.drain_written_soon(collection, {document_id: entries})

    async def drain_written_soon(
        self, collection: AsyncCollection[Document], written: Mapping[Any, Sequence[Document]]
    ) -> None:
        """``drain_written`` right after the writes, leaving to the sweep what Kafka refuses or
        does not acknowledge within ``soon``. Only the publish is bounded by ``soon``: once
        acknowledged, the entries are removed however long the database takes (a write per
        document), so that a slow removal never leaves acknowledged events to be published
        again by the sweep."""
        pending = _non_empty(written)
        try:
            await asyncio.wait_for(self._publish(_all(pending)), self._soon)
        except (KafkaError, OSError, TimeoutError) as exc:
            self._log.warning("outbox_deferred_to_sweep", documents=len(pending), error=repr(exc))
            return
        await self._remove(collection, pending)

    async def sweep(self, collection: AsyncCollection[Document], *, limit: int = 500) -> int:
        """Publish what a crash (or Kafka being away) left behind in any document of
        ``collection`` for longer than the grace period; returns how many were published.

        The documents are found by ``_outbox_pending: true`` (an equality FerretDB hands to its
        backend, served by the index ``ensure_outbox_index`` declares), read with their outboxes,
        published and emptied together as ``drain_written`` does. A document marked pending with
        an empty outbox (a removal cut short) has its marks unset."""
        cutoff = self._clock() - self._grace
        cursor = collection.find({OUTBOX_PENDING: True}, {OUTBOX: 1, OUTBOX_SINCE: 1}).limit(limit)
        # read the documents to the end first: on FerretDB a write waits for the cursors open
        # on its database, so draining while iterating would hold the whole database
        found = [d async for d in cursor]
        due = {d["_id"]: list(d.get(OUTBOX) or []) for d in found if _since(d) <= cutoff}
        published = await self._publish(_all(due))
        await self._remove(collection, due)
        if published:
            self._log.warning("outbox_swept", collection=collection.name, events=published)
        backlog = await collection.count_documents({OUTBOX_PENDING: True})
        OUTBOX_BACKLOG.labels(collection.name).set(backlog)
        return published

    async def run_sweeper(
        self, collections: Sequence[AsyncCollection[Document]], *, every: float = 5.0
    ) -> None:
        """Sweep forever (a worker task); one failing round is logged and the next one tries."""
        while True:
            try:
                for collection in collections:
                    await self.sweep(collection)
            except (PyMongoError, KafkaError, OSError) as exc:  # the next round retries
                self._log.error("outbox_sweep_failed", error=repr(exc))
            await asyncio.sleep(every)


def _since(document: Document) -> datetime:
    """When the document's outbox became pending (a document without a date: long ago)."""
    since = document.get(OUTBOX_SINCE)  # aware: the platform's client is tz_aware
    return since if isinstance(since, datetime) else datetime.min.replace(tzinfo=UTC)


async def _remove_slice(
    collection: AsyncCollection[Document], published: Mapping[Any, Sequence[Document]]
) -> None:
    """Remove exactly the published entries from each of these documents, in one bulk write.

    Usually nothing was added meanwhile: the outbox is emptied and the marks unset by one
    update guarded by the outbox being exactly what was published. A document that no longer
    matches that (an event added, or another relay drained it) has the published entries pulled
    (``$pullAll``) and its marks unset only if none is left, by a second bulk write. Every update
    is guarded so that running it again changes nothing (a bulk write is retried whole when the
    server refuses one of its documents as stale), and those of the second only match a
    document still pending.
    """
    done = {"$unset": {OUTBOX_SINCE: "", OUTBOX_PENDING: ""}}
    emptied = await collection.bulk_write(
        [
            UpdateOne({"_id": document_id, OUTBOX: list(entries)}, {"$set": {OUTBOX: []}, **done})
            for document_id, entries in published.items()
        ]
    )
    if emptied.matched_count == len(published):
        return
    rest: list[UpdateOne] = []
    for document_id, entries in published.items():
        pending = {"_id": document_id, OUTBOX_PENDING: True}
        rest.append(UpdateOne(pending, {"$pullAll": {OUTBOX: list(entries)}}))
        rest.append(UpdateOne({**pending, OUTBOX: {"$size": 0}}, done))
    await collection.bulk_write(rest)


async def _pending_entries(collection: AsyncCollection[Document], document_id: Any) -> list[Any]:
    document = await collection.find_one({"_id": document_id}, {OUTBOX: 1})
    return list((document or {}).get(OUTBOX) or [])


def _non_empty(written: Mapping[Any, Sequence[Document]]) -> dict[Any, list[Document]]:
    """The documents that have entries to publish, with their entries."""
    return {document_id: list(entries) for document_id, entries in written.items() if entries}


def _all(pending: Mapping[Any, Sequence[Document]]) -> list[Document]:
    """Every entry, document after document, each document's in order."""
    return [entry for entries in pending.values() for entry in entries]
