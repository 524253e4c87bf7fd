"""Session-rating reminders, and events notify does not know or cannot read."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from mentorship_contracts.events import SessionLogged, SessionRated
from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name
from mentorship_runtime.consumer import DLQ_ERROR, DLQ_ORIGINAL_TOPIC
from mentorship_runtime.kafka import make_broker
from mentorship_testing.kafka import eventually, read_topic

from .conftest import NotifyApi
from .test_delivery import DROPPED, PAIR, WAIT, consumed, introduce_everyone

SESSION: dict[str, Any] = {
    **PAIR,
    "held_on": date(2026, 10, 30),
    "duration_minutes": 45,
}


async def kinds_in_inbox(api: NotifyApi, user: str) -> list[str]:
    page = (await api.call("GET", "/inbox", user)).json()
    return [n["kind"] for n in page["items"]]


async def test_a_side_that_has_not_rated_is_reminded_two_days_later_once(
    notify: NotifyApi,
) -> None:
    await introduce_everyone(notify)
    events = await notify.publish(
        SessionLogged(**SESSION, session_id="s-1", rated_by=["mentee"]),
        SessionLogged(**SESSION, session_id="s-2", rated_by=[]),
        SessionRated(**PAIR, session_id="s-2", rated_by="mentor", rating=4),
    )

    async def scheduled() -> bool:
        states = {r["_id"]: r["status"] async for r in notify.db.reminders.find({})}
        return states == {
            "rating:s-1:mentor": "waiting",
            "rating:s-2:mentee": "waiting",
            "rating:s-2:mentor": "cancelled",
        }

    await eventually(scheduled, timeout=WAIT)
    assert await kinds_in_inbox(notify, "u-grace") == []

    notify.clock.advance(days=1, hours=23)
    for event in events:  # delivered again before the reminders are due: nothing changes
        await notify.publish(again=event)
    await eventually(scheduled, timeout=WAIT)
    assert await notify.db.notifications.count_documents({}) == 0

    notify.clock.advance(hours=1)

    async def reminded() -> bool:
        return await notify.db.notifications.count_documents({}) == 2

    await eventually(reminded, timeout=WAIT)
    grace = (await notify.call("GET", "/inbox", "u-grace")).json()["items"]
    ada = (await notify.call("GET", "/inbox", "u-ada")).json()["items"]
    assert [n["kind"] for n in grace] == ["progress.session_logged_without_rating"]
    assert [n["kind"] for n in ada] == ["progress.session_logged_without_rating"]
    assert "Ada" in grace[0]["body"]
    assert "Grace" in ada[0]["body"]
    # each reminder names the session it is about, for the inbox to open it
    assert grace[0]["about"] == {"program_id": "pg-1", "mentee_id": "pt-ada", "session_id": "s-1"}
    assert ada[0]["about"] == {"program_id": "pg-1", "mentee_id": "pt-ada", "session_id": "s-2"}

    for event in events:
        await notify.publish(again=event)
    await eventually(scheduled_after_sending(notify), timeout=WAIT)
    assert await notify.db.notifications.count_documents({}) == 2


def scheduled_after_sending(api: NotifyApi) -> Any:
    async def check() -> bool:
        states = {r["_id"]: r["status"] async for r in api.db.reminders.find({})}
        return states == {
            "rating:s-1:mentor": "sent",
            "rating:s-2:mentee": "sent",
            "rating:s-2:mentor": "cancelled",
        }

    return check


async def test_unknown_types_and_versions_are_skipped_and_counted_malformed_is_dead_lettered(
    notify: NotifyApi,
) -> None:
    await introduce_everyone(notify)
    progress = topic_name(Topic.PROGRESS_EVENTS, notify.settings.kafka_topic_prefix)
    [valid] = await notify.publish(DROPPED)
    original = json.loads(valid.to_bytes())

    def variant(number: int, **changes: Any) -> bytes:
        event_id = f"5f0c6a4e-0d7e-4c55-9d55-{number:012d}"
        return json.dumps({**original, "event_id": event_id, **changes}).encode()

    bodies = [
        variant(1, type="progress.horoscope.published"),
        variant(2, version=99),
        variant(3, data={"mentee_id": "pt-ada", "confidence": 9}),  # malformed
        variant(4, data={**original["data"], "module_id": "rules"}),  # valid, after them
    ]
    skipped_before = consumed(notify, "skipped", "unknown")

    broker = make_broker(notify.bootstrap, client_id="test-producer")
    await broker.start()
    try:
        for body in bodies:
            await broker.publish(body, progress, key=b"pt-ada")
    finally:
        await broker.stop()

    async def stream_went_on() -> bool:
        return await notify.db.notifications.count_documents({}) == 2

    await eventually(stream_went_on, timeout=WAIT)
    assert consumed(notify, "skipped", "unknown") == skipped_before + 2
    dlq = dead_letter_topic(progress, notify.settings.consumer_group)
    [letter] = await read_topic(notify.bootstrap, dlq, until=lambda rs: len(rs) >= 1)
    headers = {k: v.decode() for k, v in letter.headers}
    assert "confidence" in headers[DLQ_ERROR]
    assert headers[DLQ_ORIGINAL_TOPIC] == progress
    assert json.loads(letter.value)["event_id"].endswith("000000000003")
