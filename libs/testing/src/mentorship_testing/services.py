"""Running one service in a test: its settings on the test's own database and topics, its app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from mentorship_contracts import Envelope
from mentorship_contracts.topics import topic_name
from mentorship_runtime.kafka import make_broker, publish_envelope
from mentorship_runtime.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
TEST_JWT_SECRET = "integration-tests-secret-of-sufficient-length"  # noqa: S105 - tests only


def settings_for(
    cls: type[S], *, kafka: str, mongo_url: str, database: str, topic_prefix: str, **overrides: Any
) -> S:
    return cls(
        kafka_bootstrap_servers=kafka,
        kafka_topic_prefix=topic_prefix,
        mongodb_url=mongo_url,
        mongodb_database=database,
        profile="test",
        jwt_secret=TEST_JWT_SECRET,
        **overrides,
    )


@asynccontextmanager
async def serving(app: FastAPI, name: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (lifespan included) and an HTTP client that calls it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}") as http:
            yield http


async def publish_events(
    bootstrap: str, topic_prefix: str, events: Iterable[Envelope[Any]]
) -> None:
    """Publish events as their producer would, each on its topic under the test's prefix."""
    broker = make_broker(bootstrap, client_id="test-producer")
    await broker.start()
    try:
        for event in events:
            await publish_envelope(broker, topic_name(event.data.topic, topic_prefix), event)
    finally:
        await broker.stop()
