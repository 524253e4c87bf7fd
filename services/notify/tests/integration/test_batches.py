"""A poll's events are notified together (one insert for their notifications, one for their
deliveries), with the same outcome as one by one: each notification once, each announcement in
the name of the event that caused it, the unknown parked."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_runtime.consumer import Batched
from notify.service_layer import handlers

from .conftest import NotifyApi
from .test_inbox import ADA, DROP, GRACE, PROGRAM


def batch(*events: Envelope[Any]) -> list[Batched]:
    return [Batched(event, nullcontext) for event in events]


async def test_a_batch_notifies_each_event_once_in_the_name_of_its_cause(
    http_only: NotifyApi,
) -> None:
    ctx = http_only.app.state.service.context()
    await handlers.on_program(new_envelope(PROGRAM, producer="test"), ctx)
    for person in (ADA, GRACE):
        await handlers.on_participant(new_envelope(person, producer="test"), ctx)
    purpose = new_envelope(DROP, producer="test")
    team = new_envelope(DROP.model_copy(update={"module_id": "team"}), producer="test")
    stranger = new_envelope(DROP.model_copy(update={"mentor_id": "pt-nobody"}), producer="test")

    created = await handlers.on_occurrences(batch(purpose, team, purpose, stranger), ctx)
    stored = await http_only.db.notifications.find({}).to_list()
    deliveries = await http_only.db.deliveries.find({}).to_list()
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
    assert await http_only.db.deliveries.count_documents({}) == len(deliveries)
    [parked] = await http_only.db.parked_events.find({}).to_list()
    assert (parked["_id"], parked["waiting_for"]) == (str(stranger.event_id), ["pt-nobody"])

    announced = await http_only.announced(settle=3)
    assert len(announced) == 2
    cause_of = {str(e.event_id): e for e in (purpose, team)}
    for announcement in announced:
        cause = cause_of[announcement.causation_id]
        assert announcement.correlation_id == cause.correlation_id
    assert {a.data.notification_id for a in announced} == {n["_id"] for n in stored}
    assert not await http_only.db.notifications.count_documents({"_outbox.0": {"$exists": True}})
