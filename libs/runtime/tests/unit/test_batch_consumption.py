"""How one poll's records are handled when a subscription has batch handlers (no broker)."""

import warnings
from collections.abc import Sequence
from typing import Any

import pytest
from faststream.kafka.subscriber.usecase import BatchSubscriber
from pymongo.errors import AutoReconnect
from structlog.contextvars import get_contextvars

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import MilestoneCompleted
from mentorship_runtime.asyncapi import asyncapi_document
from mentorship_runtime.batched import Batched
from mentorship_runtime.consumer import BATCH_POLL_MS, DLQ_ATTEMPTS, EventConsumer, Handler, Record
from mentorship_runtime.kafka import make_broker

from .test_event_consumer import check_in_event as check_in
from .test_event_consumer import make_consumer

CHECK_IN = "progress.check_in.recorded"
MILESTONE = "progress.milestone.completed"


def milestone(mentee: str) -> Envelope[MilestoneCompleted]:
    return new_envelope(
        MilestoneCompleted(
            mentee_id=mentee,
            program_id="p-1",
            module_id="purpose",
            milestone_id="first-post",
        ),
        producer="progress",
    )


def records(*bodies: bytes) -> list[Record]:
    return [
        Record(body, [("event-id", b"x")], "progress.events", 0, offset, b"e-1")
        for offset, body in enumerate(bodies, start=10)
    ]


class Journal:
    """Handlers that write down what they were given, in the order they were given it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    async def one(self, event: Envelope[Any]) -> None:
        self.calls.append(("one", [str(event.event_id)]))

    async def many(self, items: Sequence[Batched]) -> None:
        self.calls.append(("many", [str(i.event.event_id) for i in items]))


def ids(*events: Envelope[Any]) -> list[str]:
    return [str(e.event_id) for e in events]


async def test_consecutive_events_of_a_batch_handler_go_to_it_in_one_call_in_order() -> None:
    consumer, broker, _ = make_consumer()
    journal = Journal()
    a, b, c = check_in("e-1", 3), check_in("e-2", 2), check_in("e-1", 1)

    outcomes = await consumer.process_batch(
        records(a.to_bytes(), b.to_bytes(), c.to_bytes()),
        {CHECK_IN: journal.one},
        {CHECK_IN: journal.many},
    )

    assert journal.calls == [("many", ids(a, b, c))]
    assert [o.status for o in outcomes] == ["handled"] * 3
    assert broker.published == []


async def test_an_event_without_a_batch_handler_is_handled_in_its_place() -> None:
    consumer, _, _ = make_consumer()
    journal = Journal()
    a, m, b = check_in("e-1"), milestone("e-1"), check_in("e-2")

    await consumer.process_batch(
        records(a.to_bytes(), m.to_bytes(), b.to_bytes()),
        {CHECK_IN: journal.one, MILESTONE: journal.one},
        {CHECK_IN: journal.many},
    )

    assert journal.calls == [("many", ids(a)), ("one", ids(m)), ("many", ids(b))]


async def test_events_the_subscription_ignores_do_not_break_a_batch() -> None:
    consumer, broker, _ = make_consumer()
    journal = Journal()
    a, ignored, b = check_in("e-1"), milestone("e-1"), check_in("e-2")

    outcomes = await consumer.process_batch(
        records(a.to_bytes(), ignored.to_bytes(), b.to_bytes()),
        {CHECK_IN: journal.one},
        {CHECK_IN: journal.many},
    )

    assert journal.calls == [("many", ids(a, b))]
    assert [o.status for o in outcomes] == ["handled", "skipped", "handled"]
    assert broker.published == []


async def test_invalid_and_unknown_records_in_a_batch_are_set_apart_without_breaking_it() -> None:
    consumer, broker, _ = make_consumer()
    journal = Journal()
    a, b = check_in("e-1"), check_in("e-2")
    unknown = a.to_bytes().replace(CHECK_IN.encode(), b"progress.new_thing")

    outcomes = await consumer.process_batch(
        records(a.to_bytes(), b"{not json", unknown, b.to_bytes()),
        {CHECK_IN: journal.one},
        {CHECK_IN: journal.many},
    )

    assert journal.calls == [("many", ids(a, b))]
    assert [o.status for o in outcomes] == ["handled", "dead_lettered", "skipped", "handled"]
    assert [p.headers[DLQ_ATTEMPTS] for p in broker.published] == ["0"]


async def test_a_failing_batch_is_handled_again_one_by_one_and_only_the_poison_is_parked() -> None:
    consumer, broker, _ = make_consumer(max_attempts=2)
    handled: list[str] = []
    good, poison, other = (
        check_in("e-1", 3),
        check_in("e-2", 1),
        check_in("e-3", 2),
    )

    async def one(event: Envelope[Any]) -> None:
        if event.event_id == poison.event_id:
            raise ValueError("cannot plan this one")
        handled.append(str(event.event_id))

    async def many(items: Sequence[Batched]) -> None:
        for item in items:
            await one(item.event)

    outcomes = await consumer.process_batch(
        records(good.to_bytes(), poison.to_bytes(), other.to_bytes()),
        {CHECK_IN: one},
        {CHECK_IN: many},
    )

    # the good event was handled by the batch before it failed, and again alone: idempotent
    # handlers make that harmless, and nothing after the poison is lost
    assert handled == ids(good, good, other)
    assert [o.status for o in outcomes] == ["handled", "dead_lettered", "handled"]
    [parked] = broker.published
    assert parked.body == poison.to_bytes()
    assert parked.headers[DLQ_ATTEMPTS] == "2"


async def test_an_unreachable_database_retries_the_batch_then_rewinds_it() -> None:
    consumer, broker, sleeps = make_consumer(max_attempts=3)
    calls: list[int] = []

    async def database_down(items: Sequence[Batched]) -> None:
        calls.append(len(items))
        raise AutoReconnect("connection refused")

    event = check_in()
    with pytest.raises(AutoReconnect):
        await consumer.process_batch(
            records(event.to_bytes(), check_in("e-2").to_bytes()),
            {CHECK_IN: Journal().one},
            {CHECK_IN: database_down},
        )

    assert calls == [2, 2, 2]
    assert len(sleeps.delays) == 2
    assert broker.published == []


async def test_an_invalid_record_of_a_poll_read_again_after_a_rewind_is_parked_once() -> None:
    consumer, broker, _ = make_consumer(max_attempts=2)
    refusals = 2
    stored: list[str] = []

    async def many(items: Sequence[Batched]) -> None:
        nonlocal refusals
        if refusals:
            refusals -= 1
            raise AutoReconnect("connection refused")
        stored.extend(str(i.event.event_id) for i in items)

    a, b = check_in("e-1"), check_in("e-2")
    poll = records(a.to_bytes(), b"{not json", b.to_bytes())
    with pytest.raises(AutoReconnect):
        await consumer.process_batch(poll, {CHECK_IN: Journal().one}, {CHECK_IN: many})
    outcomes = await consumer.process_batch(poll, {CHECK_IN: Journal().one}, {CHECK_IN: many})

    assert [o.status for o in outcomes] == ["handled", "dead_lettered", "handled"]
    assert stored == ids(a, b)
    [parked] = broker.published
    assert parked.body == b"{not json"


async def test_a_poison_event_of_a_rewound_poll_is_parked_once_and_not_handled_again() -> None:
    consumer, broker, _ = make_consumer(max_attempts=2)
    poison, later = check_in("e-1", 1), milestone("e-2")
    tries: list[str] = []
    database_up = False

    async def one(event: Envelope[Any]) -> None:
        tries.append(str(event.event_id))
        raise ValueError("cannot plan this one")

    async def many(items: Sequence[Batched]) -> None:
        raise ValueError("cannot plan one of these")

    async def on_milestone(event: Envelope[Any]) -> None:
        if not database_up:
            raise AutoReconnect("connection refused")

    handlers: dict[str, Handler] = {CHECK_IN: one, MILESTONE: on_milestone}
    poll = records(poison.to_bytes(), later.to_bytes())
    with pytest.raises(AutoReconnect):
        await consumer.process_batch(poll, handlers, {CHECK_IN: many})
    database_up = True
    outcomes = await consumer.process_batch(poll, handlers, {CHECK_IN: many})

    assert [o.status for o in outcomes] == ["dead_lettered", "handled"]
    assert tries == ids(poison, poison)  # its two attempts, on the first reading only
    [parked] = broker.published
    assert parked.body == poison.to_bytes()


async def test_each_event_of_a_batch_has_its_own_scope() -> None:
    consumer, _, _ = make_consumer()
    seen: list[tuple[str, str | None]] = []
    a, b = check_in("e-1"), check_in("e-2")

    async def many(items: Sequence[Batched]) -> None:
        for item in items:
            with item.scope():
                seen.append((str(item.event.event_id), get_contextvars().get("event_id")))
        seen.append(("after", get_contextvars().get("event_id")))

    await consumer.process_batch(
        records(a.to_bytes(), b.to_bytes()), {CHECK_IN: Journal().one}, {CHECK_IN: many}
    )

    assert seen == [(i, i) for i in ids(a, b)] + [("after", None)]


def test_a_batch_handler_needs_an_ordinary_handler_to_fall_back_on() -> None:
    consumer, _, _ = make_consumer()

    with pytest.raises(ValueError, match=CHECK_IN):
        consumer.subscribe(
            "progress.events", {}, description="x", batch={CHECK_IN: Journal().many}, batch_size=50
        )


def test_a_batch_size_below_one_is_refused() -> None:
    consumer, _, _ = make_consumer()

    with pytest.raises(ValueError, match="batch_size"):
        consumer.subscribe("progress.events", {}, description="x", batch_size=0)


def test_an_idle_batch_subscription_pauses_briefly_between_polls() -> None:
    # an event arriving during the pause after an empty poll waits for it to end
    broker = make_broker("127.0.0.1:1", client_id="test-batch-poll")
    consumer = EventConsumer(broker, group_id="notify")

    consumer.subscribe(
        "progress.events",
        {CHECK_IN: Journal().one},
        description="x",
        batch={CHECK_IN: Journal().many},
        batch_size=50,
    )

    (subscriber,) = broker.subscribers
    assert isinstance(subscriber, BatchSubscriber)
    assert subscriber.batch_timeout_ms == BATCH_POLL_MS <= 20


def test_with_concurrency_a_batch_subscription_runs_that_many_consumers_of_its_group() -> None:
    broker = make_broker("127.0.0.1:1", client_id="test-batch-workers", group_instance_id="w-1")
    consumer = EventConsumer(broker, group_id="notify", group_prefix="dev.", concurrency=3)

    consumer.subscribe(
        "progress.events",
        {CHECK_IN: Journal().one},
        description="x",
        batch={CHECK_IN: Journal().many},
        batch_size=50,
    )

    subscribers = [s for s in broker.subscribers if isinstance(s, BatchSubscriber)]
    assert len(subscribers) == len(broker.subscribers) == 3
    assert {s.group_id for s in subscribers} == {"dev.notify"}
    # members of one group may not share a name: several consumers stay dynamic members
    assert [s._connection_args["group_instance_id"] for s in subscribers] == [None] * 3


def test_the_consumers_of_a_batch_subscription_are_one_channel_of_the_asyncapi_document() -> None:
    broker = make_broker("127.0.0.1:1", client_id="test-batch-document")
    consumer = EventConsumer(broker, group_id="notify", concurrency=2)
    consumer.subscribe(
        "progress.events",
        {CHECK_IN: Journal().one},
        description="Alerts mentors.",
        batch={CHECK_IN: Journal().many},
        batch_size=50,
    )

    with warnings.catch_warnings():
        # FastStream warns when it overwrites a channel documented twice
        warnings.simplefilter("error")
        document = asyncapi_document(broker, title="notify", description="x")

    [channel] = document["channels"].values()
    assert channel["description"] == "Alerts mentors."
