"""The platform the fuzzing runs against: the three services in this process on the real Kafka
broker and MongoDB server (databases and a topic prefix of their own, removed afterwards), the
gateway under uvicorn on a loopback port wired to them in-process, tokens for an admin and a
mentee, and a little seeded data (a program, a mentor and a mentee matched) so that generated
requests with known ids reach the code behind the look-ups.

One platform serves every test of this folder (starting it costs seconds, not the fuzzing)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest_asyncio
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from gateway.app import create_app as gateway_app
from gateway.config import Settings as GatewaySettings
from mentoring.bootstrap import create_app as mentoring_app
from mentoring.config import Settings as MentoringSettings
from mentorship_runtime.auth import TokenSettings, issue_token
from mentorship_runtime.mongo import Document
from mentorship_runtime.settings import ServiceSettings
from mentorship_testing.kafka import delete_topics, eventually
from mentorship_testing.plugin import unique_name
from mentorship_testing.served import served
from mentorship_testing.services import TEST_JWT_SECRET, settings_for
from notify.bootstrap import create_app as notify_app
from notify.config import Settings as NotifySettings
from progress.bootstrap import create_app as progress_app
from progress.config import Settings as ProgressSettings

T = TypeVar("T")
SERVICES = ("mentoring", "progress", "notify")
# Who calls: an admin (who creates the seeded program, so administers it) and a mentee (Ada).
CALLERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin": ("u-admin", ("admin",)),
    "mentee": ("u-ada", ("mentee",)),
}
MENTOR = ("u-grace", ("mentor",))
LEARNING_PATH = "social-business-accompaniment"


@dataclass
class Service:
    name: str
    app: FastAPI
    http: httpx.AsyncClient


@dataclass
class FuzzPlatform:
    services: dict[str, Service]
    gateway: httpx.AsyncClient
    loop: asyncio.AbstractEventLoop
    tokens: dict[str, str]
    known: dict[str, list[str]] = field(default_factory=dict)
    """Path parameter values that name seeded things, by parameter name."""
    forged_token: str = ""
    """The admin's token, signed with a key that is not the platform's."""

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run ``coroutine`` on the platform's event loop from a Hypothesis thread."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


def _token(settings: ServiceSettings | GatewaySettings, user: str, roles: tuple[str, ...]) -> str:
    return issue_token(
        settings.token_settings(),
        user_id=user,
        roles=roles,
        name=user.removeprefix("u-").title(),
        email=f"{user.removeprefix('u-')}@example.org",
        clock=lambda: datetime.now(UTC),
    )


def _forged(settings: GatewaySettings) -> str:
    """A token like the admin's, signed with another key."""
    platform = settings.token_settings()
    other = TokenSettings(platform.issuer, platform.audience, secret="not-" + TEST_JWT_SECRET)
    return issue_token(other, user_id=CALLERS["admin"][0], roles=CALLERS["admin"][1])


async def _seed(
    services: dict[str, Service], tokens: Callable[[str, tuple[str, ...]], str]
) -> dict[str, list[str]]:
    """A program (the admin's), Grace registered as a mentor and Ada as a mentee, Grace proposed
    to Ada and accepted, a matching preview; progress tracks Ada once it has read the
    acceptance."""
    mentoring = services["mentoring"].http

    async def call(who: tuple[str, tuple[str, ...]], method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {tokens(*who)}"}
        response = await mentoring.request(method, path, headers=headers, **kw)
        assert response.status_code < 300, (path, response.text)
        return response.json()

    program = (await call(CALLERS["admin"], "POST", "/programs", json={"name": "Fuzzing"}))["id"]
    profile: dict[str, Any] = {
        "languages": ["en"],
        "timezone": "Europe/Paris",
        "availability": [{"day": 1, "start_hour": 9, "end_hour": 12}],
    }
    grace = await call(
        MENTOR,
        "POST",
        f"/programs/{program}/participants",
        json={
            "roles": ["mentor"],
            "display_name": "Grace",
            "email": "grace@example.org",
            "competencies": {"purpose": 4},
            **profile,
        },
    )
    ada = await call(
        CALLERS["mentee"],
        "POST",
        f"/programs/{program}/participants",
        json={
            "roles": ["mentee"],
            "display_name": "Ada",
            "email": "ada@example.org",
            "goals": {"purpose": 3},
            **profile,
        },
    )
    match = await call(
        CALLERS["admin"],
        "POST",
        "/matches",
        json={"mentee_id": ada["id"], "mentor_id": grace["id"]},
    )
    await call(MENTOR, "POST", f"/matches/{match['id']}/accept")
    preview = await call(
        CALLERS["admin"], "POST", f"/programs/{program}/matching-previews", json={}
    )

    progress = services["progress"].http
    ada_headers = {"Authorization": f"Bearer {tokens(*CALLERS['mentee'])}"}

    async def tracked() -> bool:
        answer = await progress.get(f"/mentees/{ada['id']}/progress", headers=ada_headers)
        return answer.status_code == 200

    await eventually(tracked, timeout=90)
    path = (await progress.get(f"/learning-paths/{LEARNING_PATH}", headers=ada_headers)).json()
    milestones = [m["id"] for module in path["modules"] for m in module["milestones"]]
    return {
        "program_id": [program],
        "participant_id": [ada["id"], grace["id"]],
        "match_id": [match["id"]],
        "mentee_id": [ada["id"]],
        "mentor": ["me", grace["user_id"]],
        "milestone_id": milestones[:2],
        "path_id": [LEARNING_PATH],
        "session_id": ["s-fuzz"],
        "external_id": ["hr-fuzz-1", "okta|fuzz"],
        "run_id": [preview["id"]],
    }


@pytest_asyncio.fixture(loop_scope="session", scope="package")
async def fuzz_platform(
    kafka_bootstrap: str, mongo_url: str, mongo_client: AsyncMongoClient[Document]
) -> AsyncIterator[FuzzPlatform]:
    prefix = unique_name("fz") + "."
    databases = {name: unique_name(f"fz_{name[0]}_") for name in SERVICES}
    common: dict[str, Any] = {
        "kafka": kafka_bootstrap,
        "mongo_url": mongo_url,
        "topic_prefix": prefix,
        "log_level": "ERROR",
        "consumer_retry_base_seconds": 0.05,
    }
    settings: dict[str, ServiceSettings] = {
        "mentoring": settings_for(
            MentoringSettings, database=databases["mentoring"], role="api", **common
        ),
        # the worker too: it tracks the seeded mentee from the match's acceptance
        "progress": settings_for(
            ProgressSettings,
            database=databases["progress"],
            role="all",
            detection_seconds=3600,
            **common,
        ),
        "notify": settings_for(NotifySettings, database=databases["notify"], role="api", **common),
    }
    factories: dict[str, Callable[[Any], FastAPI]] = {
        "mentoring": mentoring_app,
        "progress": progress_app,
        "notify": notify_app,
    }
    apps = {name: factories[name](settings[name]) for name in SERVICES}
    gateway_settings = GatewaySettings(
        mentoring_url="http://mentoring",
        progress_url="http://progress",
        notify_url="http://notify",
        kafka_bootstrap_servers=kafka_bootstrap,
        kafka_topic_prefix=prefix,
        profile="test",
        jwt_secret=TEST_JWT_SECRET,
        log_level="ERROR",
        cost_points_per_minute=0,  # no budget: the fuzzing sends far more than a client may
    )
    gateway = gateway_app(
        gateway_settings,
        transports={name: httpx.ASGITransport(app=app) for name, app in apps.items()},  # type: ignore[misc]
    )

    def token(user: str, roles: tuple[str, ...]) -> str:
        return _token(gateway_settings, user, roles)

    try:
        async with AsyncExitStack() as stack:
            services: dict[str, Service] = {}
            for name, app in apps.items():
                await stack.enter_async_context(app.router.lifespan_context(app))
                http = await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app),
                        base_url=f"http://{name}",
                        timeout=60,
                    )
                )
                services[name] = Service(name, app, http)
            url = await stack.enter_async_context(served(gateway))
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=60))
            yield FuzzPlatform(
                services=services,
                gateway=http,
                loop=asyncio.get_running_loop(),
                tokens={who: token(*caller) for who, caller in CALLERS.items()},
                forged_token=_forged(gateway_settings),
                known=await _seed(services, token),
            )
    finally:
        for database in databases.values():
            await mongo_client.drop_database(database)
        await delete_topics(kafka_bootstrap, prefix)
