"""An event naming someone notify does not know yet waits for their name, within a bound.

A progress event names the mentee (and their mentor) by id only; their names come from the
directory. When the mentee is not in it yet (a fresh notify replaying the topics, a
``ConfidenceDropped`` overtaking the registration on another topic), the event is parked and
planned when they arrive, so the mentor reads the mentee's name rather than "the mentee". Someone
who never arrives (withdrawn before notify saw them, erased) holds nobody's alert for longer than
``NAMES_WAIT``: the worker's job then plans it with the generic wording.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import MenteeStillStalled
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.tracing import continuing
from mentorship_testing.kafka import eventually, read_topic
from notify.domain import texts
from notify.domain.directory import Audience, Language
from notify.service_layer import handlers
from notify.service_layer.context import Context
from notify.service_layer.handlers import NAMES_WAIT

from .conftest import NotifyApi, running
from .test_inbox import ADA, DROP, GRACE, PROGRAM, inbox

THE_MENTEE_FR = texts.UNKNOWN_NAMES[Language.FR][Audience.MENTEE]  # Grace reads French
THE_MENTOR_EN = texts.UNKNOWN_NAMES[Language.EN][Audience.MENTOR]


def event(payload: EventPayload) -> Envelope[Any]:
    return new_envelope(payload, producer="test")


async def knowing(api: NotifyApi, *people: EventPayload) -> Context:
    """The handlers' context, once the program and these people are known."""
    ctx: Context = api.app.state.service.context()
    await handlers.on_program(event(PROGRAM), ctx)
    for person in people:
        await handlers.on_participant(event(person), ctx)
    return ctx


async def alerts_for(api: NotifyApi, user_id: str) -> list[dict[str, Any]]:
    return await api.db.notifications.find({"user_id": user_id}).to_list()


async def test_an_alert_about_a_mentee_not_known_yet_waits_to_name_them(
    http_only: NotifyApi,
) -> None:
    ctx = await knowing(http_only, GRACE)
    drop = event(DROP)
    await handlers.on_occurrence(drop, ctx)
    await handlers.on_occurrence(drop, ctx)
    assert await alerts_for(http_only, "u-grace") == []
    [parked] = await http_only.db.parked_events.find({}).to_list()
    assert parked["waiting_for"] == ["pt-ada"]

    await handlers.on_participant(event(ADA), ctx)

    [alert] = await alerts_for(http_only, "u-grace")
    assert "Ada" in alert["title"] + alert["body"]
    assert THE_MENTEE_FR not in alert["title"] + alert["body"]
    assert await http_only.db.parked_events.count_documents({}) == 0


async def test_an_alert_naming_a_mentor_not_known_yet_waits_to_name_them(
    http_only: NotifyApi,
) -> None:
    """The admins' alert of a lasting stall names the mentor, who is not among its recipients."""
    ctx = await knowing(http_only, ADA)
    lasting = event(
        MenteeStillStalled(
            mentee_id="pt-ada",
            mentor_id="pt-grace",
            program_id="pg-1",
            last_activity_at=http_only.clock.now - timedelta(days=28),
            stall_window_days=14,
        )
    )
    await handlers.on_occurrence(lasting, ctx)
    await handlers.on_occurrence(lasting, ctx)
    assert await alerts_for(http_only, "u-admin") == []

    await handlers.on_participant(event(GRACE), ctx)

    [alert] = await alerts_for(http_only, "u-admin")
    assert "Grace" in alert["body"]
    assert THE_MENTOR_EN not in alert["body"]


async def test_an_alert_whose_mentee_never_arrives_is_planned_with_the_generic_wording_in_time(
    http_only: NotifyApi,
) -> None:
    ctx = await knowing(http_only, GRACE)
    await handlers.on_occurrence(event(DROP), ctx)

    http_only.clock.advance(seconds=NAMES_WAIT.total_seconds() - 1)
    early = await handlers.plan_overdue(ctx)
    assert (early, await alerts_for(http_only, "u-grace")) == (0, [])
    http_only.clock.advance(seconds=2)
    planned = await handlers.plan_overdue(ctx)
    again = await handlers.plan_overdue(ctx)

    assert (planned, again) == (1, 0)
    [alert] = await alerts_for(http_only, "u-grace")
    assert THE_MENTEE_FR in alert["title"] + alert["body"]
    assert alert["priority"] == "high"
    assert await http_only.db.parked_events.count_documents({}) == 0
    await handlers.on_participant(event(ADA), ctx)  # too late: the alert is not sent twice
    assert len(await alerts_for(http_only, "u-grace")) == 1


async def test_after_the_wait_an_alert_waits_only_for_its_recipient(
    http_only: NotifyApi,
) -> None:
    """Neither the mentee nor the mentor is known: past the wait the alert no longer waits for
    the mentee's name, but it still cannot be addressed before the mentor arrives."""
    ctx = await knowing(http_only)
    await handlers.on_occurrence(event(DROP), ctx)
    http_only.clock.advance(seconds=NAMES_WAIT.total_seconds() + 1)

    assert await handlers.plan_overdue(ctx) == 1
    [parked] = await http_only.db.parked_events.find({}).to_list()
    assert parked["waiting_for"] == ["pt-grace"]
    assert await handlers.plan_overdue(ctx) == 0  # not planned again each round
    await handlers.on_participant(event(GRACE), ctx)

    [alert] = await alerts_for(http_only, "u-grace")
    assert THE_MENTEE_FR in alert["title"] + alert["body"]
    assert await http_only.db.parked_events.count_documents({}) == 0


async def test_a_redelivery_of_an_alert_still_waiting_keeps_its_first_deadline(
    http_only: NotifyApi,
) -> None:
    ctx = await knowing(http_only, GRACE)
    drop = event(DROP)
    await handlers.on_occurrence(drop, ctx)
    http_only.clock.advance(seconds=NAMES_WAIT.total_seconds() - 1)
    await handlers.on_occurrence(drop, ctx)  # delivered again, later
    http_only.clock.advance(seconds=2)

    assert await handlers.plan_overdue(ctx) == 1
    assert len(await alerts_for(http_only, "u-grace")) == 1


async def test_a_mentee_arriving_while_their_alert_is_being_parked_is_still_named(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ada's registration is handled between the alert's directory lookup and its parking (the
    two travel on different topics): the registration finds nothing parked yet, so the alert
    itself must notice Ada has arrived."""
    ctx = await knowing(http_only, GRACE)
    park = ctx.store.park

    async def park_once_ada_is_known(*args: Any, **kwargs: Any) -> None:
        await handlers.on_participant(event(ADA), ctx)
        await park(*args, **kwargs)

    monkeypatch.setattr(ctx.store, "park", park_once_ada_is_known)

    await handlers.on_occurrence(event(DROP), ctx)

    [alert] = await alerts_for(http_only, "u-grace")
    assert "Ada" in alert["title"] + alert["body"]
    assert await http_only.db.parked_events.count_documents({}) == 0


async def test_a_mentor_arriving_while_an_arrival_parks_the_alert_again_leaves_nothing_parked(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ada's arrival plans the parked alert while Grace is still unknown, and Grace's arrival is
    handled before that planning parks it again: Grace's finds the first parking, plans it and
    lets it go, then the second parking looks once more and finds Grace."""
    ctx = await knowing(http_only)
    await handlers.on_occurrence(event(DROP), ctx)
    park = ctx.store.park

    async def park_once_grace_is_known(*args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(ctx.store, "park", park)
        await handlers.on_participant(event(GRACE), ctx)
        await park(*args, **kwargs)

    monkeypatch.setattr(ctx.store, "park", park_once_grace_is_known)

    await handlers.on_participant(event(ADA), ctx)

    [alert] = await alerts_for(http_only, "u-grace")
    assert "Ada" in alert["title"] + alert["body"]
    assert await http_only.db.parked_events.count_documents({}) == 0


@pytest.mark.parametrize("arrival", ["mentee", "overdue"])
async def test_a_crash_while_planning_a_parked_alert_leaves_it_parked(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch, arrival: str
) -> None:
    ctx = await knowing(http_only, GRACE)
    await handlers.on_occurrence(event(DROP), ctx)
    ada_arrives = event(ADA)
    if arrival == "overdue":
        http_only.clock.advance(seconds=NAMES_WAIT.total_seconds() + 1)

    async def plan() -> None:
        if arrival == "mentee":
            await handlers.on_participant(ada_arrives, ctx)
        else:
            await handlers.plan_overdue(ctx)

    add_all = ctx.store.add_all

    async def crash(*args: Any) -> int:
        raise RuntimeError("the process dies here")

    monkeypatch.setattr(ctx.store, "add_all", crash)
    with pytest.raises(RuntimeError):
        await plan()
    assert await http_only.db.parked_events.count_documents({}) == 1

    monkeypatch.setattr(ctx.store, "add_all", add_all)
    await plan()  # the registration delivered again, or the job's next round

    assert len(await alerts_for(http_only, "u-grace")) == 1
    assert await http_only.db.parked_events.count_documents({}) == 0


async def test_an_alert_overtaking_its_mentees_registration_names_them_through_kafka(
    api: NotifyApi,
) -> None:
    await api.publish(PROGRAM, GRACE)

    async def grace_known() -> bool:
        return await api.db.people.count_documents({}) == 1

    await eventually(grace_known, timeout=30)
    [drop] = await api.publish(DROP)
    await api.publish(again=drop)

    async def parked() -> bool:
        return await api.db.parked_events.count_documents({}) == 1

    await eventually(parked, timeout=30)
    assert await api.db.notifications.count_documents({}) == 0
    await api.publish(ADA)

    page = await inbox(api, "u-grace", 1)
    [alert] = page["items"]
    assert "Ada" in alert["title"] + alert["body"]
    assert len(await api.announced()) == 1


async def test_the_worker_plans_at_start_what_waited_long_enough_while_it_was_down(
    http_only: NotifyApi, kafka_bootstrap: str, mongo_url: str
) -> None:
    ctx = await knowing(http_only, GRACE)
    await handlers.on_occurrence(event(DROP), ctx)
    await http_only.db.parked_events.update_many(
        {}, {"$set": {"names_due": http_only.clock.now - timedelta(seconds=1)}}
    )
    prefix = http_only.settings.kafka_topic_prefix

    async with running(kafka_bootstrap, mongo_url, http_only.db, prefix, role="worker"):

        async def planned_and_let_go() -> bool:
            # planned first, then let go: both, before the worker stops
            alerts = await alerts_for(http_only, "u-grace")
            return bool(alerts) and await http_only.db.parked_events.count_documents({}) == 0

        await eventually(planned_and_let_go, timeout=30)

    [alert] = await alerts_for(http_only, "u-grace")
    assert THE_MENTEE_FR in alert["title"] + alert["body"]
    assert await http_only.db.parked_events.count_documents({}) == 0


def _traceparent(trace_id: str) -> dict[str, str]:
    return {"traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}


async def test_a_parked_alert_carries_on_the_trace_of_the_event_that_caused_it(
    http_only: NotifyApi,
) -> None:
    """The mentor's alert belongs to the check-in's trace, not to the registration's that
    released it."""
    ctx = await knowing(http_only, GRACE)
    cause, arrival = secrets.token_hex(16), secrets.token_hex(16)
    with continuing(_traceparent(cause), "the drop"):
        await handlers.on_occurrence(event(DROP), ctx)
    with continuing(_traceparent(arrival), "the registration"):
        await handlers.on_participant(event(ADA), ctx)

    topic = topic_name(Topic.NOTIFY_NOTIFICATIONS, http_only.settings.kafka_topic_prefix)
    records = await read_topic(http_only.bootstrap, topic, until=lambda rs: len(rs) >= 1)
    traces = {dict(r.headers)["traceparent"].decode().split("-")[1] for r in records}
    assert traces == {cause}
