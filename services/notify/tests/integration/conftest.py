"""A notify service per test, on the real Kafka broker and MongoDB server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope, decode_event, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.auth import issue_token
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import eventually, read_topic
from mentorship_testing.services import publish_events, serving, settings_for
from notify.bootstrap import create_app
from notify.config import Settings

from .receivers import HookReceiver, SmtpReceiver


@dataclass
class NotifyApi:
    http: httpx.AsyncClient
    settings: Settings
    clock: Clock
    db: AsyncDatabase[Document]
    bootstrap: str
    app: FastAPI

    async def call(self, method: str, path: str, user: str, **kw: Any) -> httpx.Response:
        token = issue_token(
            self.settings.token_settings(),
            user_id=user,
            roles=["mentor"],
            clock=lambda: datetime.now(UTC),
        )
        return await self.http.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, **kw
        )

    async def publish(
        self, *payloads: EventPayload, again: Envelope[Any] | None = None
    ) -> list[Envelope[Any]]:
        events = (
            [again]
            if again
            else [new_envelope(p, producer="test", clock=self.clock) for p in payloads]
        )
        await publish_events(self.bootstrap, self.settings.kafka_topic_prefix, events)
        return events

    async def announced(self, settle: float = 1.5) -> list[Any]:
        topic = topic_name(Topic.NOTIFY_NOTIFICATIONS, self.settings.kafka_topic_prefix)
        records = await read_topic(self.bootstrap, topic, until=lambda rs: False, timeout=settle)
        return [decode_event(r.value) for r in records]


@asynccontextmanager
async def running(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
    **overrides: Any,
) -> AsyncIterator[NotifyApi]:
    clock = Clock()
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        **{
            "role": "all",
            "consumer_retry_base_seconds": 0.05,
            # a group of its own: joining never waits for another test's consumers
            "consumer_group": f"notify-{topic_prefix.rstrip('.')}",
            **overrides,
        },
    )
    app = create_app(settings, clock=clock)
    async with serving(app, "notify") as http:
        if settings.runs_worker:
            await eventually(lambda: all_assigned(app), timeout=180)
        yield NotifyApi(http, settings, clock, mongo_db, kafka_bootstrap, app)


def all_assigned(app: FastAPI) -> bool:
    """Every subscription of the worker has its partitions: its group has settled (its
    subscriptions join one by one, and each join rebalances the others)."""
    subscribers = app.state.service.runtime.broker.subscribers
    consumers = [getattr(s, "consumer", None) for s in subscribers]
    return all(c is not None and c.assignment() for c in consumers)


@pytest_asyncio.fixture(loop_scope="session")
async def api(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> AsyncIterator[NotifyApi]:
    async with running(kafka_bootstrap, mongo_url, mongo_db, topic_prefix) as api:
        yield api


@pytest_asyncio.fixture(loop_scope="session")
async def http_only(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> AsyncIterator[NotifyApi]:
    """The API role alone: no consumers to join a group, for tests of the HTTP edge."""
    async with running(kafka_bootstrap, mongo_url, mongo_db, topic_prefix, role="api") as api:
        yield api


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    """A real SMTP server on a free port; tests take it down and up."""
    receiver = SmtpReceiver()
    receiver.up()
    yield receiver
    receiver.down()


@pytest_asyncio.fixture(loop_scope="session")
async def hooks() -> AsyncIterator[HookReceiver]:
    receiver = HookReceiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def notify(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
    smtp: SmtpReceiver,
    hooks: HookReceiver,
) -> AsyncIterator[NotifyApi]:
    """Notify with its channels on the local receivers: the worker polls often, retries wait for
    the test clock (one to ten minutes of it) and give up after three attempts."""
    async with running(
        kafka_bootstrap,
        mongo_url,
        mongo_db,
        topic_prefix,
        smtp_port=smtp.port,
        smtp_timeout_seconds=5,
        webhook_timeout_seconds=5,
        delivery_poll_seconds=0.1,
        delivery_retry_base_seconds=60,
        delivery_retry_cap_seconds=600,
        delivery_max_attempts=3,
        reminder_poll_seconds=0.1,
    ) as api:
        yield api
