"""The hub hands each notification to its recipient's subscriptions and never waits for one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
import pytest

from gateway.app import create_app
from gateway.context import GatewayContext, Runtime
from gateway.live import NotificationFeed, NotificationHub, SlowSubscriber
from gateway.schema import build_schema
from mentorship_contracts import new_envelope
from mentorship_contracts.events import NotificationCreated
from mentorship_runtime.auth import TokenSettings, TokenVerifier, issue_token
from mentorship_testing.kafka import eventually
from mentorship_testing.services import TEST_JWT_SECRET

from .conftest import settings


def notification(recipient: str, name: str = "hello") -> NotificationCreated:
    return NotificationCreated(
        notification_id=f"n-{name}",
        recipient_id=recipient,
        kind="match.proposed",
        created_at=datetime.now(UTC),
    )


async def test_each_recipient_gets_only_their_own() -> None:
    hub = NotificationHub(queue_size=10)
    async with hub.subscribe("u-ada") as ada, hub.subscribe("u-grace") as grace:
        assert hub.publish(notification("u-ada", "for-ada")) == 1
        assert hub.publish(notification("u-nobody")) == 0
        assert (await anext(ada)).notification_id == "n-for-ada"
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(grace), 0.05)
    assert hub.open_for("u-ada") == 0


async def test_a_notification_announced_twice_is_pushed_once() -> None:
    hub = NotificationHub(queue_size=10, remembered=2)
    async with hub.subscribe("u-ada") as ada:
        assert hub.publish(notification("u-ada", "first")) == 1
        assert hub.publish(notification("u-ada", "first")) == 0  # the outbox published it again
        assert hub.publish(notification("u-ada", "second")) == 1
        assert hub.publish(notification("u-ada", "third")) == 1  # "first" is forgotten now
        assert hub.publish(notification("u-ada", "first")) == 1
        ids = [(await anext(ada)).notification_id for _ in range(4)]
        assert ids == ["n-first", "n-second", "n-third", "n-first"]
        assert hub.repeated == 1


async def test_a_slow_subscriber_is_dropped_and_the_others_get_everything() -> None:
    hub = NotificationHub(queue_size=3)
    async with hub.subscribe("u-grace") as slow, hub.subscribe("u-grace") as quick:
        got = []
        for i in range(10):
            hub.publish(notification("u-grace", f"n{i}"))
            got.append((await anext(quick)).notification_id)
        assert got == [f"n-n{i}" for i in range(10)]
        assert hub.dropped == 7  # every notification after the overflow
        with pytest.raises(SlowSubscriber):
            await anext(slow)


async def test_a_poll_of_hundreds_for_one_person_reaches_a_subscriber_that_keeps_up() -> None:
    # notify writes a batch's notifications together: one poll of the feed can hold hundreds
    hub = NotificationHub(queue_size=10)
    feed = NotificationFeed(hub, bootstrap="unused", topic_prefix="t.", instance_id="i")
    burst = [
        new_envelope(notification("u-ada", f"n{i}"), producer="notify").to_bytes()
        for i in range(200)
    ]
    async with hub.subscribe("u-ada") as ada:
        got: list[str] = []

        async def read() -> None:
            async for created in ada:
                got.append(created.notification_id)
                if len(got) == len(burst):
                    return

        reader = asyncio.create_task(read())
        await feed.pass_on(burst)
        await asyncio.wait_for(reader, 5)
    assert got == [f"n-n{i}" for i in range(200)]
    assert hub.dropped == 0


def test_the_feed_skips_what_it_cannot_read() -> None:
    hub = NotificationHub()
    feed = NotificationFeed(hub, bootstrap="unused", topic_prefix="t.", instance_id="i")
    assert feed.topic == "t.notify.notifications"
    assert feed.group_id == "gateway.i"
    feed.handle(b"\xff\x00 not json")
    feed.handle(b'{"type": "unknown"}')
    feed.handle(None)
    assert hub.delivered == 0
    feed.handle(new_envelope(notification("u-ada"), producer="notify").to_bytes())
    assert hub.delivered == 0  # nobody listens: nothing kept


def inbox_of(asked: list[tuple[str, str]], request: httpx.Request) -> httpx.Response:
    """notify's ``GET /inbox/notifications/{id}`` for one person's notifications."""
    asked.append((request.url.path, request.headers["Authorization"]))
    notification_id = request.url.path.rsplit("/", 1)[-1]
    return httpx.Response(
        200,
        json={
            "id": notification_id,
            "kind": "match.proposed",
            "priority": "normal",
            "title": f"Title of {notification_id}",
            "body": "Body",
            "html_body": "<p>Body</p>",
            "subject_id": "",
            "created_at": "2026-12-07T09:00:00+00:00",
            "read_at": None,
            "about": {},
        },
    )


async def test_a_slow_subscription_ends_with_a_slow_subscriber_error() -> None:
    config = settings(subscription_queue_size=2)
    hub = NotificationHub(config.subscription_queue_size)
    keys = TokenSettings(
        issuer=config.jwt_issuer, audience=config.jwt_audience, secret=TEST_JWT_SECRET
    )
    verifier = TokenVerifier(keys)
    asked: list[tuple[str, str]] = []
    notify = httpx.AsyncClient(
        transport=httpx.MockTransport(partial(inbox_of, asked)), base_url="http://notify"
    )
    runtime = Runtime(config, verifier, {"notify": notify}, hub)
    context = GatewayContext(runtime, "c-123456789", per_connection=True)
    token = issue_token(keys, user_id="u-grace", roles=["mentor"])
    await context.authenticate(token)
    schema = build_schema(config)

    stream = await schema.subscribe(
        "subscription { notifications { title } }", context_value=context
    )
    first = asyncio.ensure_future(anext(stream))
    await eventually(lambda: hub.open_for("u-grace") == 1, timeout=10)
    hub.publish(notification("u-grace", "one"))
    assert (await first).data == {"notifications": {"title": "Title of n-one"}}
    # the event named the notification only: its texts were read from the subscriber's inbox
    assert asked == [("/inbox/notifications/n-one", f"Bearer {token}")]
    for i in range(5):
        hub.publish(notification("u-grace", f"n{i}"))
    result = await anext(stream)
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "SLOW_SUBSCRIBER"}


async def test_a_subscription_ends_when_its_token_expires() -> None:
    config = settings()
    hub = NotificationHub()
    keys = TokenSettings(
        issuer=config.jwt_issuer, audience=config.jwt_audience, secret=TEST_JWT_SECRET
    )
    # leeway lets a token that expired a moment ago through; its subscription ends at once
    verifier = TokenVerifier(keys)
    context = GatewayContext(Runtime(config, verifier, {}, hub), "c-123456789", per_connection=True)
    token = issue_token(keys, user_id="u-grace", roles=["mentor"], lifetime=timedelta(seconds=-5))
    await context.authenticate(token)
    assert context.principal is not None

    stream = await build_schema(config).subscribe(
        "subscription { notifications { title } }", context_value=context
    )
    result = await anext(stream)
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "UNAUTHENTICATED"}
    assert hub.open_for("u-grace") == 0


async def test_the_gateway_serves_queries_while_kafka_is_unreachable() -> None:
    config = settings(kafka_bootstrap_servers="127.0.0.1:9")  # nothing listens there
    app = create_app(config, live_updates=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            ready = await http.get("/readyz")
            assert ready.json() == {"status": "ok", "live_updates": "connecting"}
            assert (await http.get("/healthz")).status_code == 200
            keys = TokenSettings(
                issuer=config.jwt_issuer, audience=config.jwt_audience, secret=TEST_JWT_SECRET
            )
            token = issue_token(keys, user_id="u-ada", roles=["mentee"])
            answer = await http.post(
                "/graphql",
                json={"query": "{ me { userId } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.json()["data"] == {"me": {"userId": "u-ada"}}
