"""Claims on deliveries, on the real MongoDB server: of workers racing for one delivery exactly one
takes it, a read from before a claim or a settlement takes nothing, a dead worker's e-mail is sent
by another once its short lease runs out, a slow send keeps its claim by renewing it, and a worker
that can no longer say it holds a claim stops sending and settles nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import new_envelope
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from notify.adapters.deliveries import FREE, DeliveryStore
from notify.service_layer import handlers
from notify.service_layer.context import Context
from notify.service_layer.delivery import DeliveryWorker, RoundReport, WorkerConfig

from .conftest import NotifyApi
from .test_batches import batch, introduced
from .test_inbox import DROP

RENEW_OFTEN = timedelta(milliseconds=50)
"""Renewals in real time, while the tests move the service's clock by hand."""


def queue_of(ctx: Context) -> DeliveryStore:
    """The delivery queue's adapter, for what only the real store answers."""
    return cast(DeliveryStore, ctx.deliveries)


class Mailroom:
    """An e-mail sender that holds each message until let through, noting what became of it."""

    def __init__(self, *, open_: bool = False) -> None:
        self.through = asyncio.Event()
        if open_:
            self.through.set()
        self.started: list[str] = []
        self.sent: list[str] = []
        self.cancelled: list[str] = []

    async def send(self, email: Any) -> None:
        self.started.append(email.message_id)
        try:
            await self.through.wait()
        except asyncio.CancelledError:
            self.cancelled.append(email.message_id)
            raise
        self.sent.append(email.message_id)

    async def post(self, call: Any) -> None:
        raise AssertionError("no webhook is planned here")

    async def publish(self, delivery: Any) -> None:
        raise AssertionError("nothing dies here")


def worker(api: NotifyApi, ctx: Context, mail: Mailroom, **settings: Any) -> DeliveryWorker:
    config = WorkerConfig(concurrency=1, **settings)
    return DeliveryWorker(ctx.deliveries, ctx.store, mail, mail, mail, api.clock, config)


async def an_email_planned(api: NotifyApi) -> tuple[Context, dict[str, Any]]:
    """A confidence drop: one e-mail to the mentor, due now."""
    ctx = await introduced(api)
    await handlers.on_occurrences(batch(new_envelope(DROP, producer="test")), ctx)
    store = queue_of(ctx)
    [email] = await store.deliveries.find({"channel": "email"}).to_list()
    return ctx, email


async def current(ctx: Context, delivery_id: str) -> dict[str, Any]:
    [found] = await queue_of(ctx).every_delivery({"_id": delivery_id})
    return found


T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=20)
WORKERS = 20


async def a_due_email(db: AsyncDatabase[Document]) -> DeliveryStore:
    store = DeliveryStore(db)
    await store.ensure_indexes()
    await store.deliveries.insert_one(
        {
            "_id": "n-1:email",
            "notification_id": "n-1",
            "channel": "email",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": T0,
            "lease": None,
            "lease_until": FREE,
            "ready": True,
        }
    )
    return store


async def test_of_twenty_workers_racing_for_a_due_delivery_exactly_one_takes_it(
    mongo_db: AsyncDatabase[Document],
) -> None:
    """Each race: every worker read the same state (the previous winner's lease run out), then
    all claim at once; the stored lease is the one winner's."""
    store = await a_due_email(mongo_db)
    now = T0
    for race in range(5):
        [read] = await store.candidates(now, 10)
        tokens = [f"race-{race}-worker-{w}-{uuid.uuid4().hex}" for w in range(WORKERS)]
        claims = await asyncio.gather(
            *(store.claim(read, token, now, now + LEASE) for token in tokens)
        )

        winners = [token for token, won in zip(tokens, claims, strict=True) if won]
        assert len(winners) == 1, f"race {race}: {len(winners)} winners"
        [stored] = await store.deliveries.find({}).to_list()
        assert (stored["lease"], stored["lease_until"]) == (winners[0], now + LEASE)
        taken = {**read, "lease": winners[0], "lease_until": now + LEASE}
        assert [c for c in claims if c] == [taken]
        now += LEASE + timedelta(seconds=1)  # the winner died: its lease runs out
    assert "delivery_claims" not in await mongo_db.list_collection_names()


async def test_a_read_from_before_a_claim_or_a_settlement_takes_nothing(
    mongo_db: AsyncDatabase[Document],
) -> None:
    store = await a_due_email(mongo_db)
    [stale] = await store.candidates(T0, 10)

    assert await store.claim(stale, "first", T0, T0 + LEASE)
    assert await store.claim(stale, "second", T0, T0 + LEASE) is None  # held by the first
    failed = {"status": "failed", "attempts": 1, "next_attempt_at": T0, "last_error": "x"}
    assert await store.settle(stale["_id"], "first", failed)  # lease freed, as it was read
    assert await store.claim(stale, "late", T0, T0 + LEASE) is None  # but an attempt was made
    [fresh] = await store.candidates(T0, 10)
    assert await store.claim(fresh, "retry", T0, T0 + LEASE)
    assert await store.settle(fresh["_id"], "retry", {"status": "sent", "attempts": 2})
    assert await store.claim(fresh, "after-sent", T0, T0 + LEASE) is None
    [after] = await store.every_delivery()
    assert (after["status"], after["attempts"], after["lease"]) == ("sent", 2, None)


async def test_a_dead_workers_email_is_sent_by_another_once_its_short_lease_runs_out(
    http_only: NotifyApi,
) -> None:
    ctx, email = await an_email_planned(http_only)
    dying, survivor = Mailroom(), Mailroom(open_=True)
    sending = asyncio.create_task(worker(http_only, ctx, dying).run_once())
    await eventually(lambda: dying.started, timeout=30)

    sending.cancel()  # the worker dies mid-send: nothing settled, nobody renews its lease
    await asyncio.gather(sending, return_exceptions=True)
    other = worker(http_only, ctx, survivor)
    http_only.clock.advance(seconds=19)
    too_soon = await other.run_once()
    http_only.clock.advance(seconds=2)  # 21 s after the claim: its 20 s lease ran out
    after_the_lease = await other.run_once()

    assert (too_soon.sent, after_the_lease.sent) == (0, 1)
    assert survivor.sent == dying.started  # the same Message-ID: the receiver may drop a double
    assert (await current(ctx, email["_id"]))["status"] == "sent"


async def test_a_slow_send_renews_its_claim_so_that_no_other_worker_takes_it(
    http_only: NotifyApi,
) -> None:
    ctx, email = await an_email_planned(http_only)
    slow, other_mail = Mailroom(), Mailroom(open_=True)
    sending = asyncio.create_task(worker(http_only, ctx, slow, renew_every=RENEW_OFTEN).run_once())
    await eventually(lambda: slow.started, timeout=30)
    claimed_until = (await current(ctx, email["_id"]))["lease_until"]

    http_only.clock.advance(seconds=15)

    async def renewed() -> bool:
        found = await current(ctx, email["_id"])
        return bool(found["lease_until"] == http_only.clock() + timedelta(seconds=20))

    await eventually(renewed, timeout=30)
    http_only.clock.advance(seconds=10)  # past the first lease, within the renewed one
    taken_by_other = await worker(http_only, ctx, other_mail).run_once()
    slow.through.set()
    report: RoundReport = await sending

    assert claimed_until < http_only.clock()
    assert taken_by_other.sent == 0
    assert other_mail.started == []
    assert (report.sent, slow.sent, slow.cancelled) == (1, slow.started, [])
    assert (await current(ctx, email["_id"]))["status"] == "sent"


async def test_a_worker_whose_claim_was_taken_stops_sending_and_settles_nothing(
    http_only: NotifyApi,
) -> None:
    ctx, email = await an_email_planned(http_only)
    slow = Mailroom()
    sending = asyncio.create_task(worker(http_only, ctx, slow, renew_every=RENEW_OFTEN).run_once())
    await eventually(lambda: slow.started, timeout=30)

    # another worker took it (as after a lease this one failed to renew in time)
    await queue_of(ctx).deliveries.update_one(
        {"_id": email["_id"]}, {"$set": {"lease": "another-worker"}}
    )
    report = await asyncio.wait_for(sending, timeout=30)

    after = await current(ctx, email["_id"])
    assert slow.cancelled == slow.started
    assert slow.sent == []
    assert (report.sent, report.failed) == (0, 0)
    assert (after["status"], after["attempts"], after["lease"]) == ("pending", 0, "another-worker")


async def test_a_worker_that_cannot_renew_before_its_lease_nearly_ends_stops_sending(
    http_only: NotifyApi,
) -> None:
    ctx, email = await an_email_planned(http_only)
    slow, later = Mailroom(), Mailroom(open_=True)
    # a lease of 1 s: renewals would be due after a minute, it will be out long before
    stuck = worker(http_only, ctx, slow, lease=timedelta(seconds=1), renew_every=timedelta(60))
    sending = asyncio.create_task(stuck.run_once())
    await eventually(lambda: slow.started, timeout=30)

    http_only.clock.advance(seconds=1)  # its last sixth began: it may not send any more
    report = await asyncio.wait_for(sending, timeout=30)
    http_only.clock.advance(seconds=1)
    retried = await worker(http_only, ctx, later).run_once()

    assert slow.cancelled == slow.started
    assert report.sent == 0
    assert retried.sent == 1
    assert later.sent == slow.started
    assert (await current(ctx, email["_id"]))["status"] == "sent"
