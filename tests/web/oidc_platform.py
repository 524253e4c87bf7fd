"""The platform outside the dev profile, signing people in at a real (test) OpenID provider: the
provider (``tests/web/oidc_provider.py``) served on loopback, the three services and the gateway
verifying its RS256 tokens from its JWKS (``JWT_JWKS_URL``, ``JWT_ISSUER``), the gateway naming
it to the web app (``OIDC_CLIENT_ID``), and the web app served by Vite in front of the gateway.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from gateway.app import create_app as gateway_app
from gateway.config import ServiceName
from gateway.config import Settings as GatewaySettings
from mentoring.bootstrap import create_app as mentoring_app
from mentoring.config import Settings as MentoringSettings
from mentorship_localstack.dev import VITE, WEB_DIR
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import delete_topics, eventually
from mentorship_testing.plugin import unique_name
from mentorship_testing.served import served
from mentorship_testing.services import settings_for
from notify.bootstrap import create_app as notify_app
from notify.config import Settings as NotifySettings
from progress.bootstrap import create_app as progress_app
from progress.config import Settings as ProgressSettings
from tests.web.oidc_provider import Provider, User
from tests.web.oidc_provider import create_app as provider_app

CLIENT_ID = "mentorship-web"
AUDIENCE = "mentorship"
USERS = (
    User("ada-oidc", "Ada Company", ("mentee",)),
    User("grace-oidc", "Grace Company", ("mentor",)),
    User("olive-oidc", "Olive Company", ("admin", "mentor")),
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class OidcPlatform:
    provider: Provider
    provider_url: str
    gateway: httpx.AsyncClient
    gateway_url: str
    web_origin: str

    @property
    def redirect_uri(self) -> str:
        return f"{self.web_origin}/auth/callback"


@asynccontextmanager
async def oidc_platform(
    kafka_bootstrap: str, mongo_url: str, mongo_client: AsyncMongoClient[Document]
) -> AsyncIterator[OidcPlatform]:
    """The platform without the web app (``web_app`` serves it in front of the gateway)."""
    web_origin = f"http://127.0.0.1:{free_port()}"
    provider = Provider(
        issuer="",  # its URL, once it is served
        client_id=CLIENT_ID,
        redirect_uris=(f"{web_origin}/auth/callback",),
        audience=AUDIENCE,
        users=USERS,
    )
    prefix = unique_name("oidc") + "."
    databases = {name: unique_name(f"oidc_{name}_") for name in ("m", "p", "n")}
    async with AsyncExitStack() as stack:
        provider_url = await stack.enter_async_context(served(provider_app(provider)))
        provider.issuer = provider_url
        tokens: dict[str, Any] = {
            "jwt_issuer": provider_url,
            "jwt_audience": AUDIENCE,
            "jwt_jwks_url": f"{provider_url}/jwks",
        }
        common: dict[str, Any] = {
            "kafka": kafka_bootstrap,
            "mongo_url": mongo_url,
            "topic_prefix": prefix,
            "role": "all",
            **tokens,
        }
        services: dict[ServiceName, FastAPI] = {
            "mentoring": mentoring_app(
                settings_for(MentoringSettings, database=databases["m"], **common)
            ),
            "progress": progress_app(
                settings_for(ProgressSettings, database=databases["p"], **common)
            ),
            "notify": notify_app(settings_for(NotifySettings, database=databases["n"], **common)),
        }
        for app in services.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        settings = GatewaySettings(
            mentoring_url="http://mentoring",
            progress_url="http://progress",
            notify_url="http://notify",
            kafka_bootstrap_servers=kafka_bootstrap,
            kafka_topic_prefix=prefix,
            profile="test",
            oidc_client_id=CLIENT_ID,
            **tokens,
        )
        transports: dict[ServiceName, httpx.AsyncBaseTransport] = {
            name: httpx.ASGITransport(app=app) for name, app in services.items()
        }
        gateway = gateway_app(settings, transports=transports)
        gateway_url = await stack.enter_async_context(served(gateway))
        http = await stack.enter_async_context(httpx.AsyncClient(base_url=gateway_url, timeout=30))
        try:
            yield OidcPlatform(provider, provider_url, http, gateway_url, web_origin)
        finally:
            for name in databases.values():
                await mongo_client.drop_database(name)
    await delete_topics(kafka_bootstrap, prefix)


@asynccontextmanager
async def web_app(platform: OidcPlatform, log: Path) -> AsyncIterator[str]:
    """The web app from Vite's server at the platform's web origin, proxying to its gateway."""
    port = platform.web_origin.rsplit(":", 1)[1]
    env = {**os.environ, "GATEWAY_URL": platform.gateway_url, "WEB_PORT": port}
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block; it runs apart
            ["node", str(VITE), str(WEB_DIR)], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        async with httpx.AsyncClient(timeout=5) as http:

            async def up() -> bool:
                if process.poll() is not None:
                    return True
                try:
                    return (await http.get(platform.web_origin)).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(up, timeout=60)
        if process.poll() is not None:
            said = await asyncio.to_thread(log.read_text, errors="replace")
            raise AssertionError(f"the web app did not start:\n{said[-3000:]}")
        yield platform.web_origin
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
