"""Liveness and readiness endpoints shared by every service's HTTP API.

``/healthz`` says the process answers; ``/readyz`` says it can do its work: MongoDB answers a
``ping`` and the Kafka cluster answers a metadata request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from mentorship_runtime.mongo import Document, ping

Check = Callable[[], Awaitable[Any]]


def infrastructure_checks(
    mongo: AsyncMongoClient[Document], broker: KafkaBroker
) -> dict[str, Check]:
    """The readiness checks every service needs: its database and its broker."""

    async def kafka_answers() -> bool:
        return await broker.ping(timeout=2.0)

    return {"mongodb": lambda: ping(mongo), "kafka": kafka_answers}


def health_router(checks: dict[str, Check], *, timeout: float = 3.0) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="MongoDB and Kafka answer")
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(*(_run(check, timeout) for check in checks.values()))
        report = dict(zip(checks, results, strict=True))
        ready = all(result == "ok" for result in report.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": report},
            status_code=200 if ready else 503,
        )

    return router


async def _run(check: Check, timeout: float) -> str:
    try:
        result = await asyncio.wait_for(check(), timeout)
    except TimeoutError:
        return f"timed out after {timeout}s"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if result is False:
        return "not reachable"
    return "ok"
