"""The three services and the gateway, in-process, on the real Kafka broker and MongoDB server.

The gateway runs under uvicorn on a free local port (HTTP and websockets, as a front end uses
it); it reaches the services through in-process ASGI transports.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from websockets.asyncio.client import ClientConnection, connect

from gateway.app import create_app
from gateway.config import ServiceName, Settings
from mentoring.bootstrap import create_app as mentoring_app
from mentoring.config import Settings as MentoringSettings
from mentorship_runtime.auth import issue_token
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from mentorship_testing.served import served
from mentorship_testing.services import TEST_JWT_SECRET, settings_for
from notify.bootstrap import create_app as notify_app
from notify.config import Settings as NotifySettings
from progress.bootstrap import create_app as progress_app
from progress.config import Settings as ProgressSettings


class Switchable(httpx.AsyncBaseTransport):
    """A service's transport that a test can cut, as if the service were down."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


@dataclass
class Platform:
    http: httpx.AsyncClient
    url: str
    settings: Settings
    app: FastAPI
    transports: dict[ServiceName, Switchable] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, user: str, *roles: str) -> str:
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
        return self.tokens[key]

    async def gql(
        self, user: str, roles: tuple[str, ...], query: str, **variables: Any
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token(user, *roles)}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ok(self, user: str, roles: tuple[str, ...], query: str, **variables: Any) -> Any:
        body = await self.gql(user, roles, query, **variables)
        assert "errors" not in body, body
        return body["data"]

    async def live(self) -> None:
        """Wait until this gateway's Kafka consumer has its partitions (it starts at latest)."""
        await eventually(self.app.state.feed.ready.is_set, timeout=30)

    def websocket(self) -> Any:
        return connect(
            self.url.replace("http://", "ws://") + "/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        )


async def ws_send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def ws_receive(ws: ClientConnection, timeout: float = 30) -> dict[str, Any]:
    raw = await asyncio.wait_for(ws.recv(), timeout)
    message: dict[str, Any] = json.loads(raw)
    return message


@asynccontextmanager
async def running_platform(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
    *,
    progress_clock: Callable[[], datetime] | None = None,
    notify_settings: Mapping[str, Any] | None = None,
) -> AsyncIterator[Platform]:
    """The three services in-process, each on its own database (dropped afterwards), and the
    gateway served over HTTP in front of them; ``progress_clock`` and ``notify_settings`` adjust
    progress's clock and notify's settings for a test that needs it."""
    common: dict[str, Any] = {
        "kafka": kafka_bootstrap,
        "mongo_url": mongo_url,
        "topic_prefix": topic_prefix,
        "role": "all",
        "consumer_retry_base_seconds": 0.05,
    }
    databases = [f"{mongo_db.name}_{name}" for name in ("m", "p", "n")]
    services = {
        "mentoring": mentoring_app(
            settings_for(MentoringSettings, database=databases[0], **common)
        ),
        "progress": progress_app(
            settings_for(ProgressSettings, database=databases[1], detection_seconds=3600, **common),
            progress_clock,
        ),
        "notify": notify_app(
            settings_for(
                NotifySettings, database=databases[2], **{**common, **(notify_settings or {})}
            )
        ),
    }
    settings = Settings(
        mentoring_url="http://mentoring",
        progress_url="http://progress",
        notify_url="http://notify",
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_prefix=topic_prefix,
        profile="test",
        jwt_secret=TEST_JWT_SECRET,
    )
    transports: dict[ServiceName, Switchable] = {
        name: Switchable(httpx.ASGITransport(app=app))  # type: ignore[misc]
        for name, app in services.items()
    }
    gateway = create_app(settings, transports=transports)
    async with AsyncExitStack() as stack:
        for app in services.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        url = await stack.enter_async_context(served(gateway))
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            yield Platform(http, url, settings, gateway, transports)
    for name in databases:
        await mongo_client.drop_database(name)


@pytest_asyncio.fixture(loop_scope="session")
async def platform(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
) -> AsyncIterator[Platform]:
    async with running_platform(
        kafka_bootstrap, mongo_url, mongo_client, mongo_db, topic_prefix
    ) as running:
        yield running


@asynccontextmanager
async def serving_gateway(kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[Platform]:
    """A gateway alone, on the real Kafka broker, ready: no service answers it (a subscription
    reads an announcement that carries its texts, version 1, without calling notify)."""
    settings = Settings(
        mentoring_url="http://mentoring",
        progress_url="http://progress",
        notify_url="http://notify",
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_prefix=topic_prefix,
        profile="test",
        jwt_secret=TEST_JWT_SECRET,
    )
    gateway = create_app(settings)
    async with served(gateway) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        platform = Platform(http, url, settings, gateway)
        await platform.live()
        yield platform


@pytest_asyncio.fixture(loop_scope="session")
async def live_gateway(kafka_bootstrap: str, topic_prefix: str) -> AsyncIterator[Platform]:
    async with serving_gateway(kafka_bootstrap, topic_prefix) as platform:
        yield platform


# ---- the scenario the tests share: GraphQL only, as a front end -----------------------------

ADMIN = ("u-admin", ("admin",))
GRACE = ("u-grace", ("mentor",))
ALAN = ("u-alan", ("mentor",))
ADA = ("u-ada", ("mentee",))

CREATE_PROGRAM = """
mutation($name: String!) {
  createProgram(input: {name: $name, defaultMentorCapacity: 3}) {
    __typename
    ... on Program { id name status }
    ... on MutationError { message }
  }
}"""

REGISTER = """
mutation($input: RegisterInput!, $mentor: Boolean!) {
  mentor: registerMentor(input: $input) @include(if: $mentor) {
    __typename ... on Participant { id roles } ... on MutationError { message }
  }
  mentee: registerMentee(input: $input) @skip(if: $mentor) {
    __typename ... on Participant { id roles } ... on MutationError { message }
  }
}"""

PROPOSE = """
mutation($mentee: ID!, $mentor: ID!) {
  proposeMatch(menteeId: $mentee, mentorId: $mentor, idempotencyKey: "first-proposal") {
    __typename ... on Match { id status } ... on MutationError { message }
  }
}"""

ACCEPT = """
mutation($id: ID!) {
  acceptMatch(matchId: $id) {
    __typename
    ... on Match { id status mentor { name } }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""

CHECK_IN = """
mutation($mentee: ID!, $confidence: Int!, $key: String) {
  recordCheckIn(menteeId: $mentee, moduleId: "purpose", confidence: $confidence,
                idempotencyKey: $key) {
    __typename
    ... on MenteeProgress { confidenceTrend modules { moduleId latestConfidence } }
    ... on ValidationError { message problems { path message } }
    ... on MutationError { message }
  }
}"""


ADD_PROGRAM_ADMIN = """
mutation($program: ID!, $admin: ID!, $name: String, $email: String) {
  addProgramAdmin(programId: $program, userId: $admin, displayName: $name, email: $email) {
    __typename
    ... on Program { adminIds }
    ... on MutationError { message }
  }
}"""


async def add_program_admin(
    platform: Platform,
    by: tuple[str, tuple[str, ...]],
    program: str,
    user_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
) -> list[str]:
    """``user_id`` becomes an admin of ``program`` through ``addProgramAdmin``, asked by ``by``;
    returns the program's admin ids."""
    added = await platform.ok(
        *by, ADD_PROGRAM_ADMIN, program=program, admin=user_id, name=name, email=email
    )
    result = added["addProgramAdmin"]
    assert result["__typename"] == "Program", result
    return list(result["adminIds"])


def profile(program_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "programId": program_id,
        "displayName": name,
        "email": f"{name.lower()}@example.org",
        "timezone": "Europe/Paris",
        "availability": [{"day": 1, "startHour": 9, "endHour": 12}],
        **extra,
    }


async def set_up_match(platform: Platform) -> dict[str, str]:
    """A program, Grace (mentor) and Ada (mentee), and a proposal of Grace to Ada that nobody
    has answered yet; returns the ids."""
    created = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]
    assert created["__typename"] == "Program", created
    program = created["id"]
    grace = await platform.ok(
        *GRACE,
        REGISTER,
        mentor=True,
        input=profile(program, "Grace", competencies=[{"key": "purpose", "level": 4}]),
    )
    ada = await platform.ok(
        *ADA,
        REGISTER,
        mentor=False,
        input=profile(program, "Ada", goals=[{"key": "purpose", "level": 3}]),
    )
    grace_id, ada_id = grace["mentor"]["id"], ada["mentee"]["id"]
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=ada_id, mentor=grace_id))["proposeMatch"]
    assert proposed["status"] == "PROPOSED", proposed
    return {"program": program, "grace": grace_id, "ada": ada_id, "match": proposed["id"]}
