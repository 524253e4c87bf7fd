"""Two services, each with its own database, talking only through Kafka: a match accepted in
mentoring starts the mentee's tracking in progress, and a drop in confidence alerts the mentor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from mentoring.bootstrap import create_app as mentoring_app
from mentoring.config import Settings as MentoringSettings
from mentorship_contracts import decode_event
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.auth import issue_token
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually, read_topic
from mentorship_testing.plugin import unique_name
from progress.bootstrap import create_app as progress_app
from progress.config import Settings as ProgressSettings

SECRET = "end-to-end-tests-secret-of-sufficient-length"
Call = Callable[..., Any]


@pytest_asyncio.fixture(loop_scope="session")
async def platform(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_client: AsyncMongoClient[Document],
    topic_prefix: str,
) -> AsyncIterator[dict[str, Any]]:
    databases = {name: unique_name(f"t_{name}_") for name in ("mentoring", "progress")}
    common: dict[str, Any] = {
        "kafka_bootstrap_servers": kafka_bootstrap,
        "kafka_topic_prefix": topic_prefix,
        "mongodb_url": mongo_url,
        "role": "all",
        "profile": "test",
        "jwt_secret": SECRET,
    }
    mentoring_settings = MentoringSettings(mongodb_database=databases["mentoring"], **common)
    progress_settings = ProgressSettings(mongodb_database=databases["progress"], **common)
    apps: dict[str, FastAPI] = {
        "mentoring": mentoring_app(mentoring_settings),
        "progress": progress_app(progress_settings),
    }
    async with AsyncExitStack() as stack:
        clients = {}
        for name, app in apps.items():
            await stack.enter_async_context(app.router.lifespan_context(app))
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")
            )
        yield {"http": clients, "settings": mentoring_settings, "prefix": topic_prefix}
    for database in databases.values():
        await mongo_client.drop_database(database)


def bearer(settings: MentoringSettings, user: str, *roles: str) -> dict[str, str]:
    token = issue_token(
        settings.token_settings(),
        user_id=user,
        roles=roles,
        name=user.title(),
        email=f"{user}@example.org",
        clock=lambda: datetime.now(UTC),
    )
    return {"Authorization": f"Bearer {token}"}


async def test_a_mentor_is_alerted_when_their_new_mentee_loses_confidence(
    platform: dict[str, Any], kafka_bootstrap: str
) -> None:
    mentoring, progress = platform["http"]["mentoring"], platform["http"]["progress"]
    settings = platform["settings"]
    admin = bearer(settings, "admin", "admin")
    grace = bearer(settings, "grace", "mentor")
    ada = bearer(settings, "ada", "mentee")

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
        answer = await progress.get(f"/mentees/{mentee['id']}/progress", headers=ada)
        return bool(answer.status_code == 200)

    await eventually(tracked, timeout=30)
    for confidence in (4, 1):
        answer = await progress.post(
            f"/mentees/{mentee['id']}/check-ins",
            headers=ada,
            json={"module_id": "purpose", "confidence": confidence},
        )
        assert answer.status_code == 201, answer.text

    records = await read_topic(
        kafka_bootstrap,
        topic_name(Topic.PROGRESS_EVENTS, platform["prefix"]),
        until=lambda rs: any(b"confidence.dropped" in r.value for r in rs),
    )
    [alert] = [
        e for e in map(decode_event, (r.value for r in records)) if e.type.endswith("dropped")
    ]
    assert alert.data.mentor_id == mentor["id"]
    assert alert.data.mentee_id == mentee["id"]
    assert alert.data.program_id == program["id"]
    view = (await progress.get(f"/mentees/{mentee['id']}/progress", headers=grace)).json()
    assert view["modules"][0]["confidence_dropped"] is True
