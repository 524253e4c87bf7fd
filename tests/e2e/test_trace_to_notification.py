"""One trace from a request to the alert it causes: HTTP into progress, Kafka to notify, and the
notification announced on Kafka all carry the caller's trace id."""

from __future__ import annotations

import secrets

from mentorship_contracts import decode_event
from mentorship_contracts.topics import Topic, topic_name
from mentorship_testing.kafka import eventually, read_topic

from .conftest import Platform, matched_pair


def trace_id_of(headers: list[tuple[str, bytes]]) -> str | None:
    parent = dict(headers).get("traceparent")
    return parent.decode().split("-")[1] if parent else None


async def test_a_check_in_request_and_the_alert_it_causes_share_one_trace(
    platform: Platform,
) -> None:
    pair = await matched_pair(platform)
    mentee_id = pair.mentee["id"]
    check_ins = f"/mentees/{mentee_id}/check-ins"
    first = await platform.progress.post(
        check_ins, headers=pair.ada, json={"module_id": "purpose", "confidence": 5}
    )
    assert first.status_code == 201, first.text

    trace_id = secrets.token_hex(16)
    traced = {**pair.ada, "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01"}
    second = await platform.progress.post(
        check_ins, headers=traced, json={"module_id": "purpose", "confidence": 2}
    )
    assert second.status_code == 201, second.text

    progress_records = await read_topic(
        platform.bootstrap,
        topic_name(Topic.PROGRESS_EVENTS, platform.prefix),
        until=lambda rs: any(b"confidence.dropped" in r.value for r in rs),
    )
    [dropped] = [r for r in progress_records if b"confidence.dropped" in r.value]
    assert trace_id_of(list(dropped.headers)) == trace_id
    [untraced] = [r for r in progress_records if b'"confidence":5' in r.value]
    assert trace_id_of(list(untraced.headers)) != trace_id

    notifications = await read_topic(
        platform.bootstrap,
        topic_name(Topic.NOTIFY_NOTIFICATIONS, platform.prefix),
        until=lambda rs: any(b"confidence" in r.value for r in rs),
        timeout=30,
    )
    alerts = [
        r
        for r in notifications
        if decode_event(r.value).data.recipient_id == "grace" and b"confidence" in r.value
    ]
    assert alerts, "the mentor was not notified"
    assert {trace_id_of(list(r.headers)) for r in alerts} == {trace_id}

    async def in_inbox() -> bool:
        inbox = (await platform.notify.get("/inbox", headers=pair.grace)).json()
        return any(item["subject_id"] == mentee_id for item in inbox["items"])

    await eventually(in_inbox, timeout=15)
