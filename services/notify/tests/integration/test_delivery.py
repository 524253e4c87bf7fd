"""Deliveries over real channels: an SMTP server (aiosmtpd) and an HTTP receiver for webhooks,
with notify on the real Kafka broker and MongoDB server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    ConfidenceDropped,
    MatchAccepted,
    MatchDeclined,
    MatchProposed,
    MenteeStalled,
    MilestoneCompleted,
    ParticipantRegistered,
    PathCompleted,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_runtime.consumer import DLQ_ATTEMPTS, DLQ_CONSUMER_GROUP, DLQ_ERROR
from mentorship_runtime.metrics import EVENTS_CONSUMED
from mentorship_testing.kafka import eventually, read_topic
from notify.adapters.dead_letters import delivery_dead_letter_topic
from notify.adapters.deliveries import DeliveryStore
from notify.domain.webhooks import SIGNATURE_HEADER, verify

from .conftest import NotifyApi
from .receivers import HookReceiver, SmtpReceiver

GRACE = ParticipantRegistered(
    participant_id="pt-grace",
    program_id="pg-1",
    user_id="u-grace",
    roles=["mentor"],
    display_name="Grace",
    email="grace@example.org",
    language="fr",
    timezone="Europe/Paris",
)
ADA = ParticipantRegistered(
    participant_id="pt-ada",
    program_id="pg-1",
    user_id="u-ada",
    roles=["mentee"],
    display_name="Ada",
    email="ada@example.org",
)
PROGRAM = ProgramPublished(
    program_id="pg-1",
    name="Pilot",
    status="open",
    learning_path_id="p",
    admins=[
        ProgramAdmin(user_id="u-admin", display_name="Admin"),
        ProgramAdmin(user_id="u-alan", display_name="Alan", email="alan@example.org"),
    ],
)
PAIR: dict[str, Any] = {"mentee_id": "pt-ada", "mentor_id": "pt-grace", "program_id": "pg-1"}
MATCH: dict[str, Any] = {**PAIR, "match_id": "m-1"}
WAIT = 120  # seconds; the machine is shared, a consumer group may be rebalancing
LATER = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)

PROPOSED = MatchProposed(**MATCH, proposed_by="admin", expires_at=LATER)
ACCEPTED = MatchAccepted(**MATCH)
DECLINED = MatchDeclined(**PAIR, match_id="m-1")
STALLED = MenteeStalled(**PAIR, last_activity_at=LATER - timedelta(days=30), stall_window_days=14)
DROPPED = ConfidenceDropped(**PAIR, module_id="purpose", previous_confidence=4, confidence=2)
MILESTONE = MilestoneCompleted(**PAIR, module_id="purpose", milestone_id="why")
FINISHED = PathCompleted(**PAIR, learning_path_id="p")
EVERY_RULE: list[EventPayload] = [
    PROPOSED,
    ACCEPTED,
    DECLINED,
    STALLED,
    DROPPED,
    MILESTONE,
    FINISHED,
]


async def introduce_everyone(api: NotifyApi) -> None:
    await api.publish(GRACE, ADA, PROGRAM)

    async def known() -> bool:
        people = await api.db.people.count_documents({})
        return people == 2 and await api.db.programs.count_documents({}) == 1

    await eventually(known, timeout=WAIT)


async def prefer(api: NotifyApi, user: str, **choice: Any) -> dict[str, Any]:
    answer = await api.call("PUT", "/preferences", user, json=choice)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def consumed(api: NotifyApi, outcome: str, event_type: str | None = None) -> float:
    """Notify's events by outcome, from the consumer's Prometheus counter."""
    prefix = api.settings.kafka_topic_prefix
    return sum(
        sample.value
        for metric in EVENTS_CONSUMED.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
        and sample.labels["group"] == api.settings.consumer_group
        and sample.labels["outcome"] == outcome
        and sample.labels["topic"].startswith(prefix)
        and event_type in (None, sample.labels["type"])
    )


def handled(api: NotifyApi) -> float:
    return consumed(api, "handled")


async def deliveries(api: NotifyApi, **query: Any) -> list[dict[str, Any]]:
    """Queued and archived (both collections)."""
    store: DeliveryStore = api.app.state.service.deliveries
    return await store.every_delivery(query)


async def settled(api: NotifyApi, expected: int) -> list[dict[str, Any]]:
    """Wait until ``expected`` deliveries exist and none is waiting any more."""

    async def done() -> bool:
        found = await deliveries(api)
        return len(found) == expected and all(d["status"] in ("sent", "dead") for d in found)

    try:
        await eventually(done, timeout=WAIT)
    except AssertionError:
        found = await deliveries(api)
        states = sorted((d["user_id"], d["channel"], d["status"], d["last_error"]) for d in found)
        raise AssertionError(f"{len(found)} deliveries, not {expected}: {states}") from None
    return await deliveries(api)


def kinds_of(api: NotifyApi, found: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(d["user_id"], d["notification_id"], d["channel"]) for d in found}


async def test_each_rule_gives_exactly_the_expected_deliveries_once_even_if_redelivered(
    notify: NotifyApi, smtp: SmtpReceiver, hooks: HookReceiver
) -> None:
    grace = await prefer(
        notify,
        "u-grace",
        webhook_url=hooks.url("/grace"),
        channels={"progress.milestone_completed": ["in_app"]},
    )
    await introduce_everyone(notify)
    events = await notify.publish(*EVERY_RULE)

    found = await settled(notify, 27)

    notes = {n["_id"]: n async for n in notify.db.notifications.find({})}
    planned = sorted(
        (d["user_id"], notes[d["notification_id"]]["kind"], d["channel"]) for d in found
    )
    both, three = ("email", "in_app"), ("email", "in_app", "webhook")
    expected = sorted(
        [
            ("u-grace", kind, c)
            for kind in ("match.proposed", "progress.mentee_stalled")
            for c in three
        ]
        + [("u-grace", "progress.confidence_dropped", c) for c in three]
        + [("u-grace", "progress.path_completed", c) for c in three]
        + [("u-grace", "progress.milestone_completed", "in_app")]
        + [
            ("u-ada", k, c)
            for k in ("match.proposed", "match.accepted", "match.declined")
            for c in both
        ]
        + [("u-ada", "progress.path_completed", c) for c in both]
        + [("u-alan", k, c) for k in ("match.declined", "progress.path_completed") for c in both]
        + [("u-admin", k, "in_app") for k in ("match.declined", "progress.path_completed")]
    )
    assert planned == expected
    assert all(d["status"] == "sent" for d in found)

    emails = [d for d in found if d["channel"] == "email"]
    ids = sorted(m["Message-ID"] for m in smtp.messages)
    assert len(ids) == len(set(ids)) == len(emails)
    assert {m["To"] for m in smtp.messages} == {
        "grace@example.org",
        "ada@example.org",
        "alan@example.org",
    }
    to_grace = smtp.to("grace@example.org")[0]
    assert to_grace.get_body(("plain",)) is not None
    assert to_grace.get_body(("html",)) is not None
    assert to_grace["Content-Language"] == "fr"

    calls = hooks.on("/grace")
    assert len(calls) == 4
    for call in calls:
        verify(
            grace["webhook_secret"].encode(),
            call.headers[SIGNATURE_HEADER.lower()],
            call.body,
            notify.clock(),
        )
        assert call.json()["text"]
        assert call.json()["notification"]["recipient_id"] == "pt-grace"

    # every event again: nothing more is planned, sent or posted
    before = handled(notify)
    for event in events:
        await notify.publish(again=event)
    await eventually(lambda: handled(notify) >= before + len(events), timeout=WAIT)
    await asyncio.sleep(1)  # a few worker rounds
    assert len(await deliveries(notify)) == len(found)
    assert len(smtp.messages) == len(emails)

    async def all_archived() -> bool:  # the worker's queue keeps only what is in progress
        return not await notify.db.deliveries.count_documents({})

    await eventually(all_archived, timeout=WAIT)
    assert await notify.db.delivery_log.count_documents({}) == len(found)
    assert len(hooks.on("/grace")) == 4


async def test_smtp_down_for_a_while_then_up_every_email_arrives_exactly_once(
    notify: NotifyApi, smtp: SmtpReceiver
) -> None:
    smtp.down()
    await introduce_everyone(notify)
    await notify.publish(PROPOSED, ACCEPTED, DROPPED, FINISHED)

    async def all_failed_once() -> bool:
        emails = await deliveries(notify, channel="email")
        return len(emails) == 7 and all(
            d["status"] == "failed" and d["attempts"] >= 1 for d in emails
        )

    try:
        await eventually(all_failed_once, timeout=WAIT)
    except AssertionError:
        emails = await deliveries(notify, channel="email")
        raise AssertionError([(d["status"], d["attempts"]) for d in emails]) from None
    failed = await deliveries(notify, channel="email")
    assert all("SMTP unreachable" in d["last_error"] for d in failed)

    smtp.up()
    notify.clock.advance(minutes=11)  # past the longest backoff of a second attempt

    found = await settled(notify, 15)
    emails = [d for d in found if d["channel"] == "email"]
    assert all(d["status"] == "sent" for d in emails)
    await asyncio.sleep(1)  # a few more worker rounds: nothing is sent again
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == len(emails)


async def test_a_webhook_that_keeps_failing_is_dead_lettered_and_others_are_delivered(
    notify: NotifyApi, smtp: SmtpReceiver, hooks: HookReceiver
) -> None:
    hooks.answers["/broken"] = 503
    await prefer(notify, "u-grace", webhook_url=hooks.url("/broken"))
    await prefer(notify, "u-ada", webhook_url=hooks.url("/ada"))
    await introduce_everyone(notify)
    await notify.publish(FINISHED)

    async def broken_is_dead() -> bool:
        notify.clock.advance(minutes=11)
        [hook] = await deliveries(notify, user_id="u-grace", channel="webhook") or [{}]
        return hook.get("status") == "dead"

    await eventually(broken_is_dead, timeout=WAIT)

    [dead] = await deliveries(notify, user_id="u-grace", channel="webhook")
    assert dead["attempts"] == notify.settings.delivery_max_attempts
    assert "HTTP 503" in dead["last_error"]
    assert len(hooks.on("/broken")) == notify.settings.delivery_max_attempts
    [ada_hook] = await deliveries(notify, user_id="u-ada", channel="webhook")
    assert ada_hook["status"] == "sent"
    assert len(hooks.on("/ada")) == 1
    assert len(smtp.to("grace@example.org")) == 1

    topic = delivery_dead_letter_topic(notify.settings.kafka_topic_prefix)
    [letter] = await read_topic(notify.bootstrap, topic, until=lambda rs: len(rs) >= 1)
    headers = {k: v.decode() for k, v in letter.headers}
    assert "HTTP 503" in headers[DLQ_ERROR]
    assert headers[DLQ_ATTEMPTS] == str(notify.settings.delivery_max_attempts)
    assert headers[DLQ_CONSUMER_GROUP] == "notify-delivery"
    body = json.loads(letter.value)
    assert body["delivery_id"] == dead["_id"]
    assert "broken" not in letter.value.decode()  # the URL, possibly secret, is not copied

    async def archived() -> bool:  # published as dead: done, out of the worker's queue
        return await notify.db.delivery_log.count_documents({"_id": dead["_id"]}) == 1

    await eventually(archived, timeout=WAIT)
    assert not await notify.db.deliveries.count_documents({"_id": dead["_id"]})


async def test_quiet_hours_hold_normal_news_and_the_digest_gathers_a_day(
    notify: NotifyApi, smtp: SmtpReceiver
) -> None:
    # 09:00 UTC is 10:00 in Paris: inside Grace's quiet hours, which end at 12:00 Paris time
    await prefer(notify, "u-grace", quiet_hours={"start": "08:00", "end": "12:00"})
    await prefer(notify, "u-ada", digest="daily", digest_hour=18, timezone="UTC")
    await introduce_everyone(notify)
    await notify.publish(PROPOSED, DROPPED, ACCEPTED, DECLINED, FINISHED)

    async def urgent_only() -> bool:
        found = await deliveries(notify)
        alan, grace = smtp.to("alan@example.org"), smtp.to("grace@example.org")
        return len(found) == 20 and len(alan) == 2 and len(grace) == 1

    await eventually(urgent_only, timeout=WAIT)
    [urgent] = smtp.to("grace@example.org")
    assert "confiance" in urgent["Subject"].lower()
    held = [
        d["next_attempt_at"]
        for d in await deliveries(notify, user_id="u-grace", channel="email")
        if d["status"] == "pending"
    ]
    assert held == [datetime(2026, 11, 2, 11, 0, tzinfo=UTC)] * 2  # the proposal, the path

    notify.clock.now = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
    await eventually(lambda: len(smtp.to("grace@example.org")) == 3, timeout=WAIT)
    await asyncio.sleep(0.5)
    assert smtp.to("ada@example.org") == []

    notify.clock.now = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
    await eventually(lambda: len(smtp.to("ada@example.org")) == 1, timeout=WAIT)
    [digest] = smtp.to("ada@example.org")
    assert "4" in digest["Subject"]

    async def all_sent() -> bool:
        waiting = await deliveries(notify, user_id="u-ada", channel="email")
        return [d["status"] for d in waiting] == ["sent"] * 4

    await eventually(all_sent, timeout=WAIT)
    await asyncio.sleep(0.5)
    assert len(smtp.to("ada@example.org")) == 1
