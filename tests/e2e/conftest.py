"""The three services in this process, each with its own database, on the real Kafka broker and
MongoDB server; they talk to one another only through Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from mentoring.bootstrap import create_app as mentoring_app
from mentoring.config import Settings as MentoringSettings
from mentorship_runtime.auth import issue_token
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from mentorship_testing.plugin import unique_name
from mentorship_testing.services import serving, settings_for
from notify.bootstrap import create_app as notify_app
from notify.config import Settings as NotifySettings
from progress.bootstrap import create_app as progress_app
from progress.config import Settings as ProgressSettings


@dataclass
class Platform:
    mentoring: httpx.AsyncClient
    progress: httpx.AsyncClient
    notify: httpx.AsyncClient
    settings: MentoringSettings
    prefix: str
    bootstrap: str

    def bearer(self, user: str, *roles: str) -> dict[str, str]:
        token = issue_token(
            self.settings.token_settings(),
            user_id=user,
            roles=roles,
            name=user.title(),
            email=f"{user}@example.org",
            clock=lambda: datetime.now(UTC),
        )
        return {"Authorization": f"Bearer {token}"}


@pytest_asyncio.fixture(loop_scope="session")
async def platform(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_client: AsyncMongoClient[Document],
    topic_prefix: str,
) -> AsyncIterator[Platform]:
    names = ("mentoring", "progress", "notify")
    databases = {name: unique_name(f"t_{name}_") for name in names}

    def settings(cls: type[Any], name: str) -> Any:
        return settings_for(
            cls,
            kafka=kafka_bootstrap,
            mongo_url=mongo_url,
            database=databases[name],
            topic_prefix=topic_prefix,
            role="all",
        )

    mentoring_settings = settings(MentoringSettings, "mentoring")
    apps: dict[str, FastAPI] = {
        "mentoring": mentoring_app(mentoring_settings),
        "progress": progress_app(settings(ProgressSettings, "progress")),
        "notify": notify_app(settings(NotifySettings, "notify")),
    }
    try:
        async with AsyncExitStack() as stack:
            clients = {
                name: await stack.enter_async_context(serving(app, name))
                for name, app in apps.items()
            }
            yield Platform(
                **clients,
                settings=mentoring_settings,
                prefix=topic_prefix,
                bootstrap=kafka_bootstrap,
            )
    finally:
        for database in databases.values():
            await mongo_client.drop_database(database)


@dataclass
class Pair:
    """A program with one mentor (Grace) and one mentee (Ada), matched and tracked."""

    program: dict[str, Any]
    mentor: dict[str, Any]
    mentee: dict[str, Any]
    admin: dict[str, str]
    grace: dict[str, str]
    ada: dict[str, str]


async def matched_pair(platform: Platform) -> Pair:
    """Through the services' APIs, as the gateway would call them, until progress tracks Ada."""
    mentoring = platform.mentoring
    admin = platform.bearer("admin", "admin")
    grace = platform.bearer("grace", "mentor")
    ada = platform.bearer("ada", "mentee")
    program = (await mentoring.post("/programs", json={"name": "Pilot"}, headers=admin)).json()
    register = f"/programs/{program['id']}/participants"
    mentor = (
        await mentoring.post(
            register,
            headers=grace,
            json={
                "roles": ["mentor"],
                "display_name": "Grace",
                "email": "grace@example.org",
                "competencies": {"purpose": 5},
            },
        )
    ).json()
    mentee = (
        await mentoring.post(
            register,
            headers=ada,
            json={
                "roles": ["mentee"],
                "display_name": "Ada",
                "email": "ada@example.org",
                "goals": {"purpose": 3},
            },
        )
    ).json()
    run = await mentoring.post(
        f"/programs/{program['id']}/matching-runs", headers=admin, json={"objective": "best_fit"}
    )
    [match_id] = run.json()["proposals"]
    accepted = await mentoring.post(f"/matches/{match_id}/accept", headers=grace)
    assert accepted.json()["status"] == "active"

    async def tracked() -> bool:
        answer = await platform.progress.get(f"/mentees/{mentee['id']}/progress", headers=ada)
        return bool(answer.status_code == 200)

    await eventually(tracked, timeout=30)
    return Pair(program, mentor, mentee, admin, grace, ada)
