"""The same notifications planned by many planners at once (two workers sending the same
reminder, a redelivery overlapping the first delivery): each is stored once and each of its
deliveries queued once, free for the worker, none lost to another planner's clean-up."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from mentorship_testing.kafka import eventually
from notify.adapters.deliveries import FREE, DeliveryStore
from notify.domain.delivery import DeliveryStatus
from notify.domain.directory import Language
from notify.domain.dispatch import PlannedDelivery
from notify.domain.events import Detail, EventKind, Occurrence
from notify.domain.preferences import Channel
from notify.service_layer import handlers

from .conftest import NotifyApi
from .receivers import SmtpReceiver
from .test_delivery import WAIT, deliveries, introduce_everyone

PLANNERS = 8
OCCURRENCES = 15


async def test_many_planners_of_the_same_notifications_queue_each_delivery_once(
    notify: NotifyApi, smtp: SmtpReceiver
) -> None:
    api = notify
    await introduce_everyone(api)
    service = api.app.state.service
    occurrences = [
        Occurrence(
            kind=EventKind.SESSION_NOT_RATED,
            event_id=f"rating:s-{i}:mentee",
            occurred_at=api.clock(),
            program_id="pg-1",
            mentee_id="pt-ada",
            mentor_id="pt-grace",
            details={Detail.NOT_RATED_BY: "mentee", Detail.SESSION_ID: f"s-{i}"},
        )
        for i in range(OCCURRENCES)
    ]

    created = await asyncio.gather(
        *(handlers.notify(o, service.context(), None) for o in occurrences for _ in range(PLANNERS))
    )

    assert sum(created) == OCCURRENCES
    assert await api.db.notifications.count_documents({}) == OCCURRENCES
    emails = await deliveries(api, channel="email")
    assert len(emails) == OCCURRENCES
    assert len({e["notification_id"] for e in emails}) == OCCURRENCES

    async def all_sent() -> bool:  # none left held by a planner: the worker sends every one
        found = await deliveries(api, channel="email")
        return [e["status"] for e in found] == ["sent"] * OCCURRENCES

    await eventually(all_sent, timeout=WAIT)
    assert len(smtp.to("ada@example.org")) == OCCURRENCES


async def test_a_planner_that_lost_the_race_for_the_notification_leaves_the_deliveries_it_wrote(
    api: NotifyApi,
) -> None:
    """Planner B writes the deliveries first, planner A finds them written and stores the
    notification; B, finding the notification stored, cleans up before A releases them: the
    deliveries are the only copies, so B releases them instead of removing them. Once sent (in
    the log), a later planner's copy is removed: a replay sends nothing again."""
    store: DeliveryStore = api.app.state.service.deliveries
    now = api.clock()
    planned = PlannedDelivery(
        delivery_id="n-1:email",
        notification_id="n-1",
        recipient_id="pt-ada",
        channel=Channel.EMAIL,
        target="ada@example.org",
        due_at=now,
        status=DeliveryStatus.PENDING,
        digest=False,
        display_name="Ada",
        language=Language.EN,
    )
    until = now + timedelta(minutes=2)

    b = await store.hold_all([("u-ada", [planned])], now, until)
    a = await store.hold_all([("u-ada", [planned])], now, until)
    assert (b.queued, a.queued) == ({"n-1:email"}, set())
    await store.drop_held(b, ["n-1:email"])  # B: the notification was stored by A
    await store.release(a, ["n-1:email"])  # A: it stored the notification

    [kept] = await store.every_delivery({"_id": "n-1:email"})
    assert (kept["lease"], kept["lease_until"]) == (None, FREE)

    await store.deliveries.delete_one({"_id": "n-1:email"})
    await store.log.insert_one({**kept, "status": "sent"})  # sent and archived
    replay = await store.hold_all([("u-ada", [planned])], now, until)
    assert replay.queued == {"n-1:email"}
    await store.drop_held(replay, ["n-1:email"])
    assert await store.deliveries.count_documents({"_id": "n-1:email"}) == 0
