"""A progress service per test, on the real Kafka broker and MongoDB server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope, decode_event, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.auth import issue_token
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import eventually, read_topic
from mentorship_testing.services import publish_events, serving, settings_for
from progress.bootstrap import Service, create_app
from progress.config import Settings


@dataclass
class ProgressApi:
    http: httpx.AsyncClient
    service: Service
    settings: Settings
    clock: Clock
    db: AsyncDatabase[Document]
    bootstrap: str

    def auth(self, user: str, *roles: str) -> dict[str, str]:
        token = issue_token(
            self.settings.token_settings(),
            user_id=user,
            roles=roles,
            clock=lambda: datetime.now(UTC),
        )
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self, method: str, path: str, user: str, *roles: str, **kw: Any
    ) -> httpx.Response:
        headers = {**self.auth(user, *roles), **kw.pop("headers", {})}
        return await self.http.request(method, path, headers=headers, **kw)

    async def publish(self, payload: EventPayload) -> Envelope[Any]:
        event = new_envelope(payload, producer="mentoring", clock=self.clock)
        await self.republish(event)
        return event

    async def republish(self, event: Envelope[Any]) -> None:
        """Deliver an event (once more, if already published, as at-least-once delivery may)."""
        await publish_events(self.bootstrap, self.settings.kafka_topic_prefix, [event])

    async def tracked(self, mentee_id: str, state: str = "active") -> None:
        async def there() -> bool:
            doc = await self.db.trackings.find_one({"_id": mentee_id})
            return doc is not None and doc["state"] == state

        await eventually(there, timeout=30)

    async def progress_events(self, settle: float = 1.5) -> list[Any]:
        topic = topic_name(Topic.PROGRESS_EVENTS, self.settings.kafka_topic_prefix)
        records = await read_topic(self.bootstrap, topic, until=lambda rs: False, timeout=settle)
        return [decode_event(r.value) for r in records]


@pytest_asyncio.fixture(loop_scope="session")
async def api(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> AsyncIterator[ProgressApi]:
    clock = Clock()
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        role="all",
        detection_seconds=3600,
        consumer_retry_base_seconds=0.05,
    )
    app = create_app(settings, clock=clock)
    async with serving(app, "progress") as http:
        yield ProgressApi(http, app.state.service, settings, clock, mongo_db, kafka_bootstrap)
