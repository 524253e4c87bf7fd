"""The gateway against fake services (httpx transports), without Kafka: fast and exact."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from gateway.app import create_app
from gateway.config import SERVICES, ServiceName, Settings
from mentorship_runtime.auth import TokenSettings, TokenVerifier, issue_token
from mentorship_testing.served import served
from mentorship_testing.services import TEST_JWT_SECRET

Handler = Callable[[httpx.Request], httpx.Response]


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "mentoring_url": "http://mentoring",
        "progress_url": "http://progress",
        "notify_url": "http://notify",
        "kafka_bootstrap_servers": "unused:9092",
        "profile": "test",
        "jwt_secret": TEST_JWT_SECRET,
        **overrides,
    }
    return Settings(**values)


@dataclass
class FakeService:
    """Routes ``(method, path)`` to handlers and records every request it gets."""

    name: str
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    down: bool = False

    def route(self, method: str, path: str, handler: Handler | Any) -> None:
        if callable(handler):
            self.routes[(method, path)] = handler
        else:
            self.routes[(method, path)] = lambda _: httpx.Response(200, json=handler)

    @property
    def changes(self) -> list[httpx.Request]:
        """The requests but the reader's language (``GET /me/participations``), which a message
        in the caller's language asks for."""
        return [r for r in self.requests if (r.method, r.url.path) != ("GET", "/me/participations")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        handler = self.routes.get((request.method, request.url.path))
        if handler is None:
            return httpx.Response(404, json={"detail": "no such route", "kind": "route", "id": ""})
        return handler(request)


class WebSocket:
    """A graphql-transport-ws client, as a front end speaks it."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def send_text(self, text: str) -> None:
        await self.connection.send(text)

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(
            await asyncio.wait_for(self.connection.recv(), timeout)
        )
        return message

    async def init(self, token: str) -> None:
        await self.send(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        assert (await self.receive())["type"] == "connection_ack"

    async def closed(self, timeout: float = 10) -> tuple[int | None, str]:
        """The close code and reason the server gave."""
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.wait_for(self.connection.recv(), timeout)
        return self.connection.close_code, self.connection.close_reason or ""


@dataclass
class Gateway:
    http: httpx.AsyncClient
    settings: Settings
    services: dict[ServiceName, FakeService]
    app: FastAPI

    @asynccontextmanager
    async def websocket(self) -> AsyncIterator[WebSocket]:
        """The app served by uvicorn on a free port (websockets need a real server)."""
        async with (
            served(self.app, lifespan="off") as url,
            connect(
                url.replace("http://", "ws://") + "/graphql",
                subprotocols=[Subprotocol("graphql-transport-ws")],
            ) as connection,
        ):
            yield WebSocket(connection)

    def token(self, user: str, *roles: str, **kw: Any) -> str:
        return issue_token(
            TokenSettings(
                issuer=self.settings.jwt_issuer,
                audience=self.settings.jwt_audience,
                secret=TEST_JWT_SECRET,
            ),
            user_id=user,
            roles=roles,
            clock=lambda: datetime.now(UTC),
            **kw,
        )

    async def query(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: str | None = "u-grace",
        roles: tuple[str, ...] = ("mentor",),
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.post(
            query, variables, user=user, roles=roles, token=token, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        user: str | None = "u-grace",
        roles: tuple[str, ...] = ("mentor",),
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is None and user is not None:
            token = self.token(user, *roles)
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )


@asynccontextmanager
async def running(**overrides: Any) -> AsyncIterator[Gateway]:
    config = settings(**overrides)
    services: dict[ServiceName, FakeService] = {name: FakeService(name) for name in SERVICES}
    transports: dict[ServiceName, httpx.AsyncBaseTransport] = {
        name: httpx.MockTransport(service) for name, service in services.items()
    }
    # the production profile verifies RS256 keys from an IdP; here, the test key stands in
    verifier = TokenVerifier(
        TokenSettings(
            issuer=config.jwt_issuer, audience=config.jwt_audience, secret=TEST_JWT_SECRET
        )
    )
    app = create_app(config, transports=transports, live_updates=False, verifier=verifier)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield Gateway(http, config, services, app)


@pytest_asyncio.fixture(loop_scope="session")
async def gateway() -> AsyncIterator[Gateway]:
    async with running() as found:
        yield found


@pytest_asyncio.fixture(loop_scope="session")
async def production() -> AsyncIterator[Gateway]:
    async with running(profile="prod", jwt_jwks_url="https://idp.invalid/jwks") as found:
        yield found
