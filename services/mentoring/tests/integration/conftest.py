"""A mentoring service per test, on the real Kafka broker and MongoDB server, driven over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.bootstrap import Service, create_app
from mentoring.config import Settings
from mentorship_contracts import decode_event
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.auth import issue_token
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import read_topic
from mentorship_testing.services import serving, settings_for


@dataclass
class MentoringApi:
    http: httpx.AsyncClient
    service: Service
    settings: Settings
    clock: Clock
    db: AsyncDatabase[Document]
    bootstrap: str
    app: FastAPI
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: str, *roles: str) -> dict[str, str]:
        key = f"{user}:{','.join(sorted(roles))}"
        if key not in self.tokens:
            self.tokens[key] = issue_token(
                self.settings.token_settings(),
                user_id=user,
                roles=roles,
                name=user.title(),
                email=f"{user}@example.org",
                clock=lambda: datetime.now(UTC),
            )
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    async def call(
        self, method: str, path: str, user: str, *roles: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.token(user, *roles), **kwargs.pop("headers", {})}
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def events(self, topic: Topic, at_least: int, timeout: float = 15) -> list[Any]:
        records = await read_topic(
            self.bootstrap,
            topic_name(topic, self.settings.kafka_topic_prefix),
            until=lambda rs: len(rs) >= at_least,
            timeout=timeout,
        )
        return [decode_event(r.value) for r in records]

    async def settle(self) -> list[Any]:
        """Every match event published so far (waits briefly so a stray duplicate would show)."""
        topic = topic_name(Topic.MENTORING_MATCHES, self.settings.kafka_topic_prefix)
        records = await read_topic(self.bootstrap, topic, until=lambda rs: False, timeout=1.5)
        return [decode_event(r.value) for r in records]

    # ---- scenario helpers ----

    async def program(self, admin: str = "admin", **fields: Any) -> dict[str, Any]:
        response = await self.call(
            "POST", "/programs", admin, "admin", json={"name": "Social business", **fields}
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def register(
        self, program_id: str, user: str, role: str, **fields: Any
    ) -> dict[str, Any]:
        body = {
            "roles": [role],
            "display_name": user.title(),
            "email": f"{user}@example.org",
            "languages": ["en"],
            "timezone": "Europe/Paris",
            "availability": [{"day": 1, "start_hour": 9, "end_hour": 12}],
            **fields,
        }
        response = await self.call(
            "POST", f"/programs/{program_id}/participants", user, role, json=body
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest_asyncio.fixture(loop_scope="session")
async def api(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> AsyncIterator[MentoringApi]:
    clock = Clock()
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        role="api",
    )
    app = create_app(settings, clock=clock)
    async with serving(app, "mentoring") as http:
        yield MentoringApi(http, app.state.service, settings, clock, mongo_db, kafka_bootstrap, app)


@pytest.fixture
def paris_morning() -> list[dict[str, int]]:
    return [{"day": 1, "start_hour": 9, "end_hour": 12}]
