"""Occurrences become notifications, over preferences, quiet hours and digests, parked until
the people they name are known: the use cases on fakes."""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from datetime import timedelta

from mentorship_contracts.events import ModuleCompleted, NotificationCreated
from mentorship_runtime.batched import Batched
from notify.domain.events import EventKind
from notify.domain.preferences import Preferences
from notify.service_layer import handlers
from notify.service_layer.delivery import ANNOUNCEMENTS
from notify.service_layer.handlers import NAMES_WAIT
from notify.service_layer.ports import QueuedDelivery
from services.notify.tests.unit.fakes import FakeDeliveries, Fakes

from .events import ADA, DROPPED, GRACE, PAIR, PROGRAM, T0, event, knowing

MODULE_DONE = ModuleCompleted(**PAIR, module_id="purpose")


def deliveries_of(world: Fakes, user_id: str) -> dict[str, QueuedDelivery]:
    return {d.channel: d for d in world.deliveries.every() if d.user_id == user_id}


def held(deliveries: FakeDeliveries) -> list[str]:
    return [i for i, r in deliveries.queue.items() if (r.delivery.lease or "").startswith("held")]


async def test_an_occurrence_notifies_its_recipient_and_announces_it_once() -> None:
    world = await knowing()

    created = await handlers.on_occurrence(event(DROPPED), world.context())

    assert created == 1
    [stored] = world.store.notifications.values()
    assert (stored.user_id, stored.notification.kind) == ("u-grace", EventKind.CONFIDENCE_DROPPED)
    [announced] = world.store.published
    assert isinstance(announced.data, NotificationCreated)
    assert announced.data.recipient_id == "u-grace"
    assert announced.event_id == uuid.uuid5(ANNOUNCEMENTS, stored.notification.notification_id)


async def test_the_deliveries_are_released_once_the_notification_is_stored() -> None:
    world = await knowing()

    await handlers.on_occurrence(event(DROPPED), world.context())

    mine = deliveries_of(world, "u-grace")
    assert sorted(mine) == ["email", "in_app"]
    assert not held(world.deliveries)
    assert [d.delivery_id for d in await world.deliveries.due(T0, 10, thorough=False)] == [
        mine["email"].delivery_id
    ]


async def test_a_redelivered_event_notifies_and_queues_nothing_more() -> None:
    world = await knowing()
    ctx = world.context()
    dropped = event(DROPPED)
    await handlers.on_occurrence(dropped, ctx)
    before = (len(world.store.published), len(world.deliveries.every()))

    assert await handlers.on_occurrence(dropped, ctx) == 0

    assert (len(world.store.published), len(world.deliveries.every())) == before
    assert not held(world.deliveries)


async def test_a_batch_of_events_is_planned_together_each_once() -> None:
    world = await knowing()
    first, second = event(DROPPED), event(MODULE_DONE)
    items = [Batched(e, nullcontext) for e in (first, second, first)]

    assert await handlers.on_occurrences(items, world.context()) == 2

    assert len(world.store.notifications) == 2


async def test_a_kind_turned_off_for_email_is_delivered_in_the_app_only() -> None:
    world = await knowing()
    chosen = Preferences.parse("u-grace", channels={EventKind.MODULE_COMPLETED.value: ["in_app"]})
    await world.store.save_preferences("u-grace", chosen, "secret")

    await handlers.on_occurrence(event(MODULE_DONE), world.context())

    assert sorted(deliveries_of(world, "u-grace")) == ["in_app"]


async def test_quiet_hours_hold_an_email_until_they_end() -> None:
    world = await knowing()
    quiet = Preferences.parse("u-grace", quiet_hours=("09:00", "12:00"))  # Paris: 10:00 now
    await world.store.save_preferences("u-grace", quiet, "secret")

    await handlers.on_occurrence(event(MODULE_DONE), world.context())

    email = deliveries_of(world, "u-grace")["email"]
    assert email.next_attempt_at == T0 + timedelta(hours=2)  # 12:00 in Paris (UTC+1)
    assert not await world.deliveries.due(T0, 10, thorough=True)
    assert await world.deliveries.due(T0 + timedelta(hours=2), 10, thorough=True)


async def test_a_daily_digest_marks_the_email_as_part_of_it() -> None:
    world = await knowing()
    daily = Preferences.parse("u-grace", digest="daily", digest_hour=18)
    await world.store.save_preferences("u-grace", daily, "secret")

    await handlers.on_occurrence(event(MODULE_DONE), world.context())

    email = deliveries_of(world, "u-grace")["email"]
    assert email.digest
    assert email.next_attempt_at is not None
    assert email.next_attempt_at > T0


async def test_stored_preferences_that_no_longer_validate_give_way_to_the_defaults() -> None:
    world = await knowing()
    broken = await world.store.save_preferences("u-grace", Preferences.default("u-grace"), "s")
    world.store.preferences["u-grace"] = type(broken)(digest="hourly")

    assert await handlers.on_occurrence(event(MODULE_DONE), world.context()) == 1

    assert sorted(deliveries_of(world, "u-grace")) == ["email", "in_app"]


async def test_an_event_naming_an_unknown_mentor_waits_and_is_planned_when_they_arrive() -> None:
    world = await knowing(PROGRAM, ADA)
    ctx = world.context()

    assert await handlers.on_occurrence(event(DROPPED), ctx) == 0
    assert [p.waiting_for for p in world.store.parked.values()] == [["pt-grace"]]

    await handlers.on_participant(event(GRACE, T0 + timedelta(minutes=1)), ctx)

    assert not world.store.parked
    [stored] = world.store.notifications.values()
    assert stored.user_id == "u-grace"
    assert "Ada" in stored.notification.title + stored.notification.body


async def test_a_replayed_event_already_planned_is_let_go_without_notifying_twice() -> None:
    world = await knowing(PROGRAM, ADA)
    ctx = world.context()
    dropped = event(DROPPED)
    await handlers.on_occurrence(dropped, ctx)
    await handlers.on_participant(event(GRACE, T0 + timedelta(minutes=1)), ctx)

    await handlers.on_occurrence(dropped, ctx)  # redelivered: Grace is known now

    assert len(world.store.notifications) == 1
    assert not world.store.parked


async def test_an_event_waiting_too_long_for_a_name_is_planned_with_the_generic_wording() -> None:
    world = await knowing(PROGRAM, GRACE)
    ctx = world.context()
    assert await handlers.on_occurrence(event(DROPPED), ctx) == 0
    assert await handlers.plan_overdue(ctx) == 0  # not yet

    world.clock.advance(seconds=NAMES_WAIT.total_seconds() + 1)

    assert await handlers.plan_overdue(ctx) == 1
    [stored] = world.store.notifications.values()
    assert stored.user_id == "u-grace"
    assert "Ada" not in stored.notification.title
    assert not world.store.parked
