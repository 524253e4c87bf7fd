"""The outbox without multi-document transactions.

A state change and the events it causes are written in **one single-document update**: the events
wait inside the aggregate's own document, in ``_outbox`` (oldest first), and ``_outbox_since`` marks
the document as having some. Nothing is published before that write is durable.

Right after the write, ``OutboxRelay.drain(collection, id)`` publishes the document's pending events
in order, waits for Kafka's acknowledgement (``acks=all``), then removes exactly those entries with
``$pullAll`` (or, when they were all there was, by emptying the array in one update).
``drain_written`` does the same for the entries a batch has just written to several documents.
If the process dies in between, ``sweep`` (run periodically by the worker) finds the documents
whose ``_outbox_since`` is older than a grace period and publishes what was left behind.

An event may thus be published twice (a crash after the publish, before the removal); consumers
are idempotent, so that is safe. It is never lost, and one aggregate's events keep their order.

**Outbox queues.** Removing published entries is an update of the aggregate's document, and on
FerretDB 1.24 an update by ``_id`` costs in proportion to the collection (it is not served by the
``_id`` index). For documents written once and never changed after (notify's notifications), the
events may instead wait in a collection of their own, an *outbox queue*: one document per event,
``_id`` its event id (``queue_entries``), inserted *before* the state it announces, then published
by ``publish_queued`` and deleted in one ``delete_many``. The queue only ever holds what is in
flight, so it stays small and cheap however large the state grows. Its events are announcements
whose relative order does not matter; ``sweep_queue`` publishes what a crash left there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

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
QUEUED_SINCE = "since"


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


def queue_entries(
    events: Sequence[Envelope[Any]], *, now: datetime, topic_prefix: str = ""
) -> list[Document]:
    """Documents for an outbox queue, one per event (its ``_id`` is the event id, so the same
    event queued twice is one document); insert them before the state they announce."""
    return [
        {"_id": entry["event_id"], QUEUED_SINCE: now, **entry}
        for entry in outbox_entries(events, topic_prefix=topic_prefix)
    ]


async def ensure_outbox_index(collection: AsyncCollection[Document]) -> None:
    await collection.create_index(OUTBOX_SINCE)
    await collection.create_index(OUTBOX_PENDING)


async def ensure_queue_index(queue: AsyncCollection[Document]) -> None:
    await queue.create_index(QUEUED_SINCE)


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
            document = await collection.find_one({"_id": document_id}, {OUTBOX: 1})
            entries = (document or {}).get(OUTBOX) or []
        if not entries:
            return 0
        return await self.drain_written(collection, {document_id: entries})

    async def drain_written(
        self, collection: AsyncCollection[Document], written: Mapping[Any, Sequence[Document]]
    ) -> int:
        """Publish the entries just written to several documents (document id: its entries):
        all are handed to the producer before any acknowledgement is awaited, in order, so one
        document's events keep theirs; then they are removed. Returns how many were published."""
        pending = {
            document_id: list(entries) for document_id, entries in written.items() if entries
        }
        published = await self._publish([e for entries in pending.values() for e in entries])
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

    async def publish_queued(
        self, queue: AsyncCollection[Document], entries: Sequence[Document]
    ) -> int:
        """Publish entries of an outbox queue (as inserted there), then delete them in one
        ``delete_many``; returns how many were published."""
        if not entries:
            return 0
        published = await self._publish(entries)
        await self.forget_queued(queue, entries)
        return published

    async def forget_queued(
        self, queue: AsyncCollection[Document], entries: Sequence[Document]
    ) -> None:
        """Delete entries of an outbox queue without publishing them."""
        if entries:
            await queue.delete_many({"_id": {"$in": [entry["_id"] for entry in entries]}})

    async def publish_queued_soon(
        self, queue: AsyncCollection[Document], entries: Sequence[Document]
    ) -> None:
        """``publish_queued`` right after the writes, leaving to the sweep what Kafka refuses or
        does not acknowledge within ``soon``."""
        try:
            await asyncio.wait_for(self.publish_queued(queue, entries), self._soon)
        except (KafkaError, OSError, TimeoutError) as exc:
            self._log.warning("outbox_deferred_to_sweep", queued=len(entries), error=repr(exc))

    @staticmethod
    async def _remove(
        collection: AsyncCollection[Document], published: dict[Any, list[Document]]
    ) -> None:
        # Usually nothing was added meanwhile, and one update empties the outbox. Otherwise
        # exactly the published entries go, and the mark goes only if none is left. One update
        # per document, not one bulk write: on FerretDB 1.24 a bulk update run while other
        # connections write never returned and left the server unresponsive.
        for document_id, entries in published.items():
            done = {"$unset": {OUTBOX_SINCE: "", OUTBOX_PENDING: ""}}
            emptied = await collection.update_one(
                {"_id": document_id, OUTBOX: entries}, {"$set": {OUTBOX: []}, **done}
            )
            if emptied.matched_count:
                continue
            await collection.update_one({"_id": document_id}, {"$pullAll": {OUTBOX: entries}})
            await collection.update_one({"_id": document_id, OUTBOX: {"$size": 0}}, done)

    async def drain_soon(
        self,
        collection: AsyncCollection[Document],
        document_id: Any,
        entries: Sequence[Document] | None = None,
    ) -> None:
        """Publish right after a write; if Kafka is unreachable now or does not acknowledge
        within ``soon``, leave it to the sweep (which may then publish an event twice: consumers
        know events by id).

        The state change is already durable, so the request that caused it must not fail, nor
        wait for a broker that is away.
        """
        try:
            await asyncio.wait_for(self.drain(collection, document_id, entries), self._soon)
        except (KafkaError, OSError, TimeoutError) as exc:
            self._log.warning(
                "outbox_deferred_to_sweep", document=str(document_id), error=repr(exc)
            )

    async def drain_written_soon(
        self, collection: AsyncCollection[Document], written: Mapping[Any, Sequence[Document]]
    ) -> None:
        """``drain_written`` right after the writes, leaving to the sweep what Kafka refuses or
        does not acknowledge within ``soon``."""
        try:
            await asyncio.wait_for(self.drain_written(collection, written), self._soon)
        except (KafkaError, OSError, TimeoutError) as exc:
            self._log.warning("outbox_deferred_to_sweep", documents=len(written), error=repr(exc))

    async def sweep(
        self, collection: AsyncCollection[Document], *, limit: int = 500, legacy: bool = False
    ) -> int:
        """Publish what a crash left behind in any document of ``collection``.

        ``legacy``: also look for documents pending without ``_outbox_pending`` (written before
        it existed), by the date; the sweeper does it once, at its first round."""
        cutoff = self._clock() - self._grace
        published = 0
        cursor = collection.find({OUTBOX_PENDING: True}, {OUTBOX_SINCE: 1}).limit(limit)
        # read the ids to the end first: on FerretDB a write waits for the cursors open on its
        # database, so draining while iterating would hold the whole database
        found = [d async for d in cursor]
        if legacy:
            old = collection.find({OUTBOX_SINCE: {"$lte": cutoff}}, {OUTBOX_SINCE: 1})
            found += [d async for d in old.limit(limit)]
        pending = [d["_id"] for d in found if _since(d) <= cutoff]
        for document_id in dict.fromkeys(pending):
            published += await self.drain(collection, document_id)
        if published:
            self._log.warning("outbox_swept", collection=collection.name, events=published)
        backlog = await collection.count_documents({OUTBOX_PENDING: True})
        OUTBOX_BACKLOG.labels(collection.name).set(backlog)
        return published

    async def sweep_queue(self, queue: AsyncCollection[Document], *, limit: int = 500) -> int:
        """Publish what a crash (or Kafka being away) left in an outbox queue for longer than
        the grace period, oldest first."""
        cutoff = self._clock() - self._grace
        cursor = queue.find({QUEUED_SINCE: {"$lte": cutoff}}).sort(QUEUED_SINCE, 1).limit(limit)
        left = [entry async for entry in cursor]  # read to the end before writing (see sweep)
        published = await self.publish_queued(queue, left)
        if published:
            self._log.warning("outbox_swept", collection=queue.name, events=published)
        OUTBOX_BACKLOG.labels(queue.name).set(await queue.count_documents({}))
        return published

    async def run_sweeper(
        self,
        collections: Sequence[AsyncCollection[Document]],
        *,
        queues: Sequence[AsyncCollection[Document]] = (),
        every: float = 5.0,
    ) -> None:
        """Sweep forever (a worker task); one failing round is logged and the next one tries."""
        legacy = True
        while True:
            try:
                for collection in collections:
                    await self.sweep(collection, legacy=legacy)
                for queue in queues:
                    await self.sweep_queue(queue)
                legacy = False
            except (PyMongoError, KafkaError, OSError) as exc:  # the next round retries
                self._log.error("outbox_sweep_failed", error=repr(exc))
            await asyncio.sleep(every)


def _since(document: Document) -> datetime:
    """When the document's outbox became pending (a document without a date: long ago)."""
    since = document.get(OUTBOX_SINCE)  # aware: the platform's client is tz_aware
    return since if isinstance(since, datetime) else datetime.min.replace(tzinfo=UTC)
