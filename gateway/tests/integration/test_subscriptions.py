"""Live notifications over graphql-transport-ws, from what notify publishes on Kafka."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from mentorship_contracts import new_envelope
from mentorship_contracts.events import (
    NotificationCreated,
    NotificationCreatedV1,
    NotificationRead,
)
from mentorship_testing.kafka import eventually
from mentorship_testing.services import publish_events

from .conftest import Platform, serving_gateway, ws_receive, ws_send

SUBSCRIBE = "subscription { notifications { id kind title body subjectId createdAt readAt } }"


def created(recipient: str, title: str = "Ada's confidence dropped") -> Any:
    """An announcement with its texts (version 1): the gateway needs no service to pass it on."""
    return new_envelope(
        NotificationCreatedV1(
            notification_id=f"n-{uuid.uuid4().hex[:8]}",
            recipient_id=recipient,
            kind="progress.confidence_dropped",
            priority="high",
            title=title,
            body="From 4 to 2 on Purpose and strategy.",
            subject_id="pt-ada",
            created_at=datetime.now(UTC),
        ),
        producer="notify",
    )


async def subscribed(platform: Platform, user: str, op: str = "1") -> ClientConnection:
    ws: ClientConnection = await platform.websocket()
    token = platform.token(user, "mentor")
    await ws_send(ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    assert (await ws_receive(ws))["type"] == "connection_ack"
    before = platform.app.state.hub.open_for(user)
    await ws_send(ws, {"id": op, "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    await eventually(lambda: platform.app.state.hub.open_for(user) == before + 1)
    return ws


async def publish(platform: Platform, *events: Any) -> None:
    await publish_events(
        platform.settings.kafka_bootstrap_servers, platform.settings.kafka_topic_prefix, events
    )


async def test_a_notification_reaches_every_open_socket_of_its_recipient_only(
    live_gateway: Platform,
) -> None:
    grace_phone = await subscribed(live_gateway, "u-grace")
    grace_laptop = await subscribed(live_gateway, "u-grace")
    alan = await subscribed(live_gateway, "u-alan")
    try:
        event = created("u-grace")
        await publish(live_gateway, event)

        for ws in (grace_phone, grace_laptop):
            message = await ws_receive(ws)
            assert message["type"] == "next"
            assert message["id"] == "1"
            notification = message["payload"]["data"]["notifications"]
            assert notification["id"] == event.data.notification_id
            assert notification["title"] == "Ada's confidence dropped"
            assert notification["kind"] == "PROGRESS_CONFIDENCE_DROPPED"
            assert notification["subjectId"] == "pt-ada"
            assert notification["readAt"] is None
        # Alan gets his own next notification, and never Grace's
        mine = created("u-alan", title="For Alan")
        await publish(live_gateway, mine)
        message = await ws_receive(alan)
        assert message["payload"]["data"]["notifications"]["title"] == "For Alan"
    finally:
        for ws in (grace_phone, grace_laptop, alan):
            await ws.close()
    await eventually(lambda: live_gateway.app.state.hub.open_for("u-grace") == 0)


async def test_reads_and_unreadable_records_do_not_disturb_the_feed(
    live_gateway: Platform,
) -> None:
    ws = await subscribed(live_gateway, "u-grace")
    try:
        read = new_envelope(
            NotificationRead(
                recipient_id="u-grace", notification_ids=["n-1"], read_at=datetime.now(UTC)
            ),
            producer="notify",
        )
        await publish(live_gateway, read)
        producer = AIOKafkaProducer(bootstrap_servers=live_gateway.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            topic = f"{live_gateway.settings.kafka_topic_prefix}notify.notifications"
            await producer.send_and_wait(topic, b"\xff not an event", key=b"u-grace")
        finally:
            await producer.stop()
        after = created("u-grace", title="After the noise")
        await publish(live_gateway, after)

        message = await ws_receive(ws)
        assert message["payload"]["data"]["notifications"]["title"] == "After the noise"
    finally:
        await ws.close()


async def test_each_gateway_instance_serves_its_own_sockets(
    live_gateway: Platform, kafka_bootstrap: str, topic_prefix: str
) -> None:
    async with serving_gateway(kafka_bootstrap, topic_prefix) as second:
        assert second.settings.instance_id != live_gateway.settings.instance_id
        on_first = await subscribed(live_gateway, "u-grace")
        on_second = await subscribed(second, "u-grace")
        try:
            event = created("u-grace")
            await publish(live_gateway, event)
            for ws in (on_first, on_second):
                message = await ws_receive(ws)
                notification = message["payload"]["data"]["notifications"]
                assert notification["id"] == event.data.notification_id
        finally:
            await on_first.close()
            await on_second.close()


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer not-a-token"}, id="bad-token"),
        pytest.param({"Authorization": 42}, id="not-a-string"),
    ],
)
async def test_a_socket_without_a_valid_token_is_closed(
    live_gateway: Platform, payload: dict[str, Any]
) -> None:
    ws = await live_gateway.websocket()
    await ws_send(ws, {"type": "connection_init", "payload": payload})
    with pytest.raises(ConnectionClosed) as closed:
        await ws_receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_subscribing_before_the_connection_is_acknowledged_is_refused(
    live_gateway: Platform,
) -> None:
    ws = await live_gateway.websocket()
    await ws_send(ws, {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    with pytest.raises(ConnectionClosed) as closed:
        await ws_receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_an_announcement_whose_texts_notify_cannot_give_ends_with_a_code(
    live_gateway: Platform,
) -> None:
    # version 2 names the notification only; no notify answers this gateway
    ws = await subscribed(live_gateway, "u-grace")
    try:
        announced = NotificationCreated(
            notification_id="n-unreachable",
            recipient_id="u-grace",
            kind="progress.confidence_dropped",
            created_at=datetime.now(UTC),
        )
        await publish(live_gateway, new_envelope(announced, producer="notify"))
        message = await ws_receive(ws)
        assert message["type"] == "next", message
        assert message["payload"]["data"] is None
        assert message["payload"]["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert (await ws_receive(ws))["type"] == "complete"
    finally:
        await ws.close()
