"""Liveness and readiness endpoints shared by every service's HTTP API.

``/healthz`` says the process answers. ``/readyz`` says it can do its work: each check passes
(every service's: MongoDB answers a ``ping``, the Kafka cluster a metadata request, so the API
can serve and publish). What it reports without waiting for it (``states``, e.g. whether the
worker's consumers have joined their groups yet) is in the body beside the checks.

A check answers True (or ``"ok"``), or False (unreachable), or a string that says what is wrong,
or raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
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


def health_router(
    checks: Mapping[str, Check],
    *,
    timeout: float = 3.0,
    states: Mapping[str, Callable[[], str]] | None = None,
) -> APIRouter:
    """``checks`` decide readiness; ``states`` are reported beside them and decide nothing."""
    router = APIRouter(tags=["health"])
    reported = dict(states or {})

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="MongoDB and Kafka answer")
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(*(_run(check, timeout) for check in checks.values()))
        report = dict(zip(checks, results, strict=True))
        ready = all(result == "ok" for result in report.values())
        return JSONResponse(
            {
                "status": "ready" if ready else "unavailable",
                "checks": report,
                **{name: state() for name, state in reported.items()},
            },
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
    if isinstance(result, str):
        return result
    return "ok"
