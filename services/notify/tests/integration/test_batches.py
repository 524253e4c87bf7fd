"""A poll's events are notified together (one insert for their notifications, one for their
deliveries), with the same outcome as one by one: each notification once, each announcement in
the name of the event that caused it, the unknown parked."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from typing import Any, cast

import pytest
from aiokafka.errors import KafkaConnectionError
from pymongo.errors import AutoReconnect

from mentorship_contracts import Envelope, new_envelope
from mentorship_runtime.batched import Batched
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.mongo import LOOKUP_CONCURRENCY, insert_all_once
from mentorship_runtime.outbox import OUTBOX_PENDING
from notify.adapters import store as store_module
from notify.adapters.deliveries import FREE, HELD, DeliveryStore
from notify.domain.delivery import HOLD
from notify.service_layer import handlers
from notify.service_layer.context import Context
from notify.service_layer.delivery import DeliveryWorker, WorkerConfig
from notify.service_layer.ports import PersonFacts

from .conftest import NotifyApi
from .test_inbox import ADA, DROP, GRACE, PROGRAM

TEAM_DROP = DROP.model_copy(update={"module_id": "team"})
ORDER = EventOrder.of(new_envelope(GRACE, producer="test"))


def queue_of(ctx: Context) -> DeliveryStore:
    """The delivery queue's adapter, for what only the real store answers."""
    return cast(DeliveryStore, ctx.deliveries)


async def pending(api: NotifyApi) -> int:
    """How many notifications have announcements waiting in their outbox."""
    return await api.db.notifications.count_documents({OUTBOX_PENDING: True})


def batch(*events: Envelope[Any]) -> list[Batched]:
    return [Batched(event, nullcontext) for event in events]


async def introduced(api: NotifyApi) -> Context:
    """The handlers' context, once the program and its two people are known."""
    ctx: Context = api.app.state.service.context()
    await handlers.on_program(new_envelope(PROGRAM, producer="test"), ctx)
    for person in (ADA, GRACE):
        await handlers.on_participant(new_envelope(person, producer="test"), ctx)
    return ctx


async def test_a_batch_notifies_each_event_once_in_the_name_of_its_cause(
    http_only: NotifyApi,
) -> None:
    ctx = await introduced(http_only)
    purpose = new_envelope(DROP, producer="test")
    team = new_envelope(TEAM_DROP, producer="test")
    stranger = new_envelope(DROP.model_copy(update={"mentor_id": "pt-nobody"}), producer="test")

    created = await handlers.on_occurrences(batch(purpose, team, purpose, stranger), ctx)
    stored = await http_only.db.notifications.find({}).to_list()
    deliveries = await queue_of(ctx).every_delivery()
    again = await handlers.on_occurrences(batch(team, purpose), ctx)

    assert (created, again) == (2, 0)
    assert sorted(n["event_id"] for n in stored) == sorted(
        [str(purpose.event_id), str(team.event_id)]
    )
    assert {n["user_id"] for n in stored} == {"u-grace"}
    channels = {
        n["_id"]: sorted(d["channel"] for d in deliveries if d["notification_id"] == n["_id"])
        for n in stored
    }
    assert list(channels.values()) == [["email", "in_app"]] * 2
    assert len(await queue_of(ctx).every_delivery()) == len(deliveries)
    [parked] = await http_only.db.parked_events.find({}).to_list()
    assert (parked["_id"], parked["waiting_for"]) == (str(stranger.event_id), ["pt-nobody"])

    announced = await http_only.announced(settle=3)
    assert len(announced) == 2
    cause_of = {str(e.event_id): e for e in (purpose, team)}
    for announcement in announced:
        cause = cause_of[announcement.causation_id]
        assert announcement.correlation_id == cause.correlation_id
    assert {a.data.notification_id for a in announced} == {n["_id"] for n in stored}
    assert not await pending(http_only)
    http_only.clock.advance(minutes=1)
    assert await http_only.app.state.service.runtime.relay.sweep(http_only.db.notifications) == 0
    assert len(await http_only.announced(settle=1)) == 2  # the redelivered batch announced nothing


async def test_a_replay_long_after_stores_and_announces_nothing_again(http_only: NotifyApi) -> None:
    ctx = await introduced(http_only)
    drops = [new_envelope(DROP, producer="test"), new_envelope(TEAM_DROP, producer="test")]
    assert await handlers.on_occurrences(batch(*drops), ctx) == 2
    assert await queue_of(ctx).deliveries.count_documents({"lease": None}) == 2  # released
    # the e-mails were sent since; the worker moved them to the log
    await queue_of(ctx).deliveries.update_many({}, {"$set": {"status": "sent"}})
    assert await ctx.deliveries.archive_settled() == 2
    before = sorted((d["_id"], d["status"]) for d in await queue_of(ctx).every_delivery())
    http_only.clock.advance(days=30)
    assert await handlers.on_occurrences(batch(*drops), ctx) == 0

    assert not await pending(http_only)
    http_only.clock.advance(minutes=1)
    assert await http_only.app.state.service.runtime.relay.sweep(http_only.db.notifications) == 0
    assert len(await http_only.announced(settle=2)) == 2
    assert not await queue_of(ctx).deliveries.count_documents({})  # queued again, then dropped
    after = sorted((d["_id"], d["status"]) for d in await queue_of(ctx).every_delivery())
    assert after == before


async def test_an_attempt_that_died_before_storing_is_announced_by_the_next(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first attempt holds the deliveries, then the database goes away before the
    notifications (and their announcements) are stored; the redelivery stores and announces
    them, each once."""
    ctx = await introduced(http_only)
    drops = [new_envelope(DROP, producer="test"), new_envelope(TEAM_DROP, producer="test")]

    async def database_away(collection: Any, documents: Any) -> Any:
        if collection.name == "notifications":
            raise AutoReconnect("the database went away")
        return await insert_all_once(collection, documents)

    monkeypatch.setattr(store_module, "insert_all_once", database_away)
    with pytest.raises(AutoReconnect):
        await handlers.on_occurrences(batch(*drops), ctx)
    assert not await http_only.db.notifications.count_documents({})
    monkeypatch.undo()

    held = await queue_of(ctx).deliveries.find({"channel": "email"}).to_list()
    assert [d["lease"].startswith(HELD) for d in held] == [True, True]
    assert not await queue_of(ctx).candidates(http_only.clock(), 10)

    assert await handlers.on_occurrences(batch(*drops), ctx) == 2
    assert not await pending(http_only)
    announced = await http_only.announced(settle=2)
    stored = {n["_id"] async for n in http_only.db.notifications.find({})}
    assert sorted(a.data.notification_id for a in announced) == sorted(stored)
    released = await queue_of(ctx).candidates(http_only.clock(), 10)
    assert sorted(d["_id"] for d in released) == sorted(d["_id"] for d in held)


async def test_deliveries_an_attempt_left_held_after_storing_are_freed_when_the_hold_ends(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = await introduced(http_only)
    drops = [new_envelope(DROP, producer="test"), new_envelope(TEAM_DROP, producer="test")]

    async def died(*_: Any) -> None:
        raise RuntimeError("the process dies here")

    monkeypatch.setattr(ctx.deliveries, "release", died)
    with pytest.raises(RuntimeError):
        await handlers.on_occurrences(batch(*drops), ctx)
    monkeypatch.undo()
    assert await handlers.on_occurrences(batch(*drops), ctx) == 0  # stored: nothing to release

    assert not await queue_of(ctx).candidates(http_only.clock(), 10)
    http_only.clock.advance(seconds=HOLD.total_seconds() + 1)
    due = await queue_of(ctx).candidates(http_only.clock(), 10)
    assert sorted(d["notification_id"] for d in due) == sorted(
        [n["_id"] async for n in http_only.db.notifications.find({})]
    )


async def test_a_batch_releases_its_deliveries_by_its_lease_alone(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-app deliveries go to the log, never to the queue: releasing must not look for them
    there by ``$in``, which makes FerretDB decode the whole queue (300 ms a batch under load)."""
    ctx = await introduced(http_only)
    drops = [new_envelope(DROP, producer="test"), new_envelope(TEAM_DROP, producer="test")]
    queue = queue_of(ctx).deliveries
    filters: list[dict[str, Any]] = []
    update_many = queue.update_many

    async def spied(query: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        filters.append(query)
        return await update_many(query, *args, **kwargs)

    monkeypatch.setattr(queue, "update_many", spied)
    assert await handlers.on_occurrences(batch(*drops), ctx) == 2

    assert len(filters) == 1
    assert list(filters[0]) == ["lease"]
    assert filters[0]["lease"].startswith(HELD)
    released = await queue_of(ctx).candidates(http_only.clock(), 10)
    assert sorted(d["channel"] for d in released) == ["email", "email"]


async def test_an_announcement_left_by_an_attempt_that_died_after_storing_is_swept(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored, then the process died before publishing: the redelivery finds everything stored
    and announces nothing, leaving the announcements pending in the notifications' outboxes to
    the sweep, which publishes each once."""
    ctx = await introduced(http_only)
    drops = [new_envelope(DROP, producer="test"), new_envelope(TEAM_DROP, producer="test")]
    relay = http_only.app.state.service.runtime.relay

    async def died(*_: Any, **__: Any) -> None:
        raise KafkaConnectionError("the process died here")

    monkeypatch.setattr(http_only.app.state.service.runtime.broker, "publish", died)
    assert await handlers.on_occurrences(batch(*drops), ctx) == 2
    monkeypatch.undo()
    assert await handlers.on_occurrences(batch(*drops), ctx) == 0
    assert await relay.sweep(http_only.db.notifications) == 0  # within the grace period
    assert await pending(http_only) == 2
    assert not await http_only.announced(settle=1)

    http_only.clock.advance(minutes=1)
    assert await relay.sweep(http_only.db.notifications) == 2
    assert not await pending(http_only)
    announced = await http_only.announced(settle=2)
    assert len(announced) == 2
    assert len({a.event_id for a in announced}) == 2


async def test_a_notification_read_before_its_announcement_went_out_is_announced_first(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its events wait in one outbox: the read follows the creation, whoever publishes them."""
    ctx = await introduced(http_only)

    async def died(*_: Any, **__: Any) -> None:
        raise KafkaConnectionError("the process died here")

    monkeypatch.setattr(http_only.app.state.service.runtime.broker, "publish", died)
    assert await handlers.on_occurrences(batch(new_envelope(DROP, producer="test")), ctx) == 1
    monkeypatch.undo()
    [note] = await http_only.db.notifications.find({}).to_list()
    read = await http_only.call(
        "POST", "/inbox/read", "u-grace", json={"notification_ids": [note["_id"]]}
    )

    assert read.json()["marked"] == 1
    announced = await http_only.announced(settle=2)
    assert [a.type for a in announced] == [
        "notify.notification.created",
        "notify.notification.read",
    ]
    assert not await pending(http_only)


@pytest.mark.parametrize("known", [3, LOOKUP_CONCURRENCY + 4])
async def test_the_people_a_batch_names_are_found_whether_few_or_many(
    http_only: NotifyApi, known: int
) -> None:
    store = http_only.app.state.service.store
    for i in range(known):
        fields = PersonFacts(display_name=f"P{i}", program_id="p-1", user_id=f"u-{i}")
        await store.remember_person(f"pt-{i}", fields, ORDER)
    await store.remember_person(
        "pt-incomplete", PersonFacts(user_id="u-x"), ORDER
    )  # no name or program
    asked = [f"pt-{i}" for i in reversed(range(known))] + ["pt-0", "pt-nobody", "pt-incomplete"]

    found = await store.recipients(asked)

    assert sorted(r.person_id for r in found) == sorted(f"pt-{i}" for i in range(known))
    assert {r.person_id: r.display_name for r in found}["pt-0"] == "P0"


async def test_deliveries_ready_when_planned_are_taken_quickly_and_the_others_by_the_full_query(
    http_only: NotifyApi,
) -> None:
    store = http_only.app.state.service.deliveries
    now = http_only.clock()

    def delivery(i: str, status: str, due: timedelta, *, ready: bool) -> dict[str, Any]:
        return {
            "_id": i,
            "status": status,
            "next_attempt_at": now + due,
            "lease": None,
            "lease_until": FREE,
            "ready": ready,
        }

    await store.deliveries.insert_many(
        [
            *(
                delivery(f"ready-{i}", "pending", timedelta(seconds=-i), ready=True)
                for i in (1, 2, 3)
            ),
            delivery("retry", "failed", timedelta(hours=-1), ready=False),
            delivery("after-quiet-hours", "pending", timedelta(hours=1), ready=False),
            {
                **delivery("leased", "pending", timedelta(0), ready=True),
                "lease": "w-1",
                "lease_until": now + timedelta(minutes=5),
            },
        ]
    )

    def ids(found: list[dict[str, Any]]) -> list[str]:
        return [d["_id"] for d in found]

    quick = await store.candidates(now, 3, thorough=False)
    assert sorted(ids(quick)) == ["ready-1", "ready-2", "ready-3"]
    # the quick query takes only the ready ones, even when they do not fill the round
    assert sorted(ids(await store.candidates(now, 10, thorough=False))) == sorted(ids(quick))
    # the full query: all that are due, oldest first
    assert ids(await store.candidates(now, 2)) == ["retry", "ready-3"]
    # a ready delivery whose worker died is taken quickly once its lease ran out
    later = now + timedelta(minutes=6)
    assert "leased" in ids(await store.candidates(later, 10, thorough=False))


async def test_a_batch_holding_an_event_twice_and_a_replay_releases_only_the_new_deliveries(
    http_only: NotifyApi,
) -> None:
    ctx = await introduced(http_only)
    old = new_envelope(DROP, producer="test")
    assert await handlers.on_occurrences(batch(old), ctx) == 1
    await queue_of(ctx).deliveries.update_many({}, {"$set": {"status": "sent"}})
    assert await ctx.deliveries.archive_settled() == 1  # its e-mail went out

    fresh = new_envelope(TEAM_DROP, producer="test")
    assert await handlers.on_occurrences(batch(fresh, fresh, old), ctx) == 1

    queued = await queue_of(ctx).deliveries.find({}).to_list()
    [stored] = await http_only.db.notifications.find({"event_id": str(fresh.event_id)}).to_list()
    assert [(d["notification_id"], d["lease"]) for d in queued] == [(stored["_id"], None)]


class Outbox:
    """E-mail and webhook senders and dead letters that only write down what they are given."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, email: Any) -> None:
        self.sent.append(email)

    async def post(self, call: Any) -> None:
        self.sent.append(call)

    async def publish(self, delivery: Any) -> None:
        self.sent.append(delivery)


async def test_a_round_that_takes_as_many_deliveries_as_it_may_says_more_may_wait(
    http_only: NotifyApi,
) -> None:
    ctx = await introduced(http_only)
    drops = [new_envelope(DROP, producer="test"), new_envelope(TEAM_DROP, producer="test")]
    assert await handlers.on_occurrences(batch(*drops), ctx) == 2  # an e-mail each
    outbox = Outbox()
    worker = DeliveryWorker(
        ctx.deliveries,
        ctx.store,
        outbox,
        outbox,
        outbox,
        http_only.clock,
        WorkerConfig(concurrency=1, batch=1),
    )

    rounds = [await worker.run_once() for _ in range(3)]

    assert [(r.sent, r.full) for r in rounds] == [(1, True), (1, True), (0, False)]
    assert len(outbox.sent) == 2
