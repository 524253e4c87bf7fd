"""The AsyncAPI documents in ``docs/asyncapi/`` are generated from the services' code (what each
consumes, and every event of the topics it owns, with the contracts' schemas), and are current.

``make docs`` regenerates them (``UPDATE_DOCS=1``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mentoring.bootstrap import create_app as mentoring_app
from mentoring.config import Settings as MentoringSettings
from mentorship_contracts.registry import REGISTRY
from mentorship_contracts.topics import TOPIC_SPECS
from notify.bootstrap import create_app as notify_app
from notify.config import Settings as NotifySettings
from progress.bootstrap import create_app as progress_app
from progress.config import Settings as ProgressSettings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"
# Addresses as deployed; nothing connects while the document is built.
KAFKA, MONGO = "kafka:9092", "mongodb://mongo:27017/"
SERVICES: dict[str, Callable[[], FastAPI]] = {
    "mentoring": lambda: mentoring_app(
        MentoringSettings(kafka_bootstrap_servers=KAFKA, mongodb_url=MONGO)
    ),
    "progress": lambda: progress_app(
        ProgressSettings(kafka_bootstrap_servers=KAFKA, mongodb_url=MONGO)
    ),
    "notify": lambda: notify_app(NotifySettings(kafka_bootstrap_servers=KAFKA, mongodb_url=MONGO)),
}


async def generated(service: str) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=SERVICES[service]())  # no lifespan: nothing starts
    async with httpx.AsyncClient(transport=transport, base_url="http://docs") as http:
        answer = await http.get("/asyncapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_the_asyncapi_document_is_current(service: str) -> None:
    document = await generated(service)
    path = DOCS / f"{service}.json"
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_DOCS") == "1":
        path.write_text(text)
    assert path.exists(), f"{path.name} is missing: run make docs"
    assert path.read_text() == text, f"{path.name} is stale: run make docs"


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_every_event_a_service_owns_is_documented_with_its_contract_schema(
    service: str,
) -> None:
    document = await generated(service)
    owned = {spec.topic for spec in TOPIC_SPECS if spec.producer == service}
    expected = {
        f"{p.topic}:{p.event_type}.v{p.event_version}" for p in REGISTRY if p.topic in owned
    }
    assert expected, f"{service} owns no topic with events"
    assert expected <= set(document["channels"])
    schemas = document["components"]["schemas"]
    for payload in REGISTRY:
        if payload.topic in owned:
            schema = schemas[f"Envelope[{payload.__name__}]"]
            assert "data" in schema["properties"]
            assert set(schema["required"]) >= {"event_id", "type", "version", "data"}


async def test_consumers_are_documented_where_they_subscribe() -> None:
    progress_channels = set((await generated("progress"))["channels"])
    notify_channels = set((await generated("notify"))["channels"])
    assert any(c.startswith("mentoring.matches:") for c in progress_channels)
    assert any(c.startswith("progress.events:") for c in notify_channels)
