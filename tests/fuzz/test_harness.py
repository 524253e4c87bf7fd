"""The fuzzing's own checks fail when they should: an app that raises, answers 500, answers a
status its document does not declare or lets a request without a valid token through is
reported; a GraphQL answer with an internal or missing error code is reported."""

from __future__ import annotations

import asyncio
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from .conftest import FuzzPlatform, Service
from .test_graphql import problems_in
from .test_openapi import Findings, fuzz_operation, operations

# aiokafka (the platform of the other tests, on the event loop thread) uses `random` while
# Hypothesis generates in another thread; Hypothesis blames its strategies
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")


class Item(BaseModel):
    n: int


def broken_app() -> FastAPI:
    app = FastAPI()

    @app.post("/raises")
    async def raises(item: Item) -> Item:
        raise RuntimeError(f"no {item.n}")

    @app.get("/server-error")
    async def server_error() -> JSONResponse:
        return JSONResponse({"detail": "down"}, status_code=500)

    @app.get("/ignores-token")
    async def ignores_token(
        _: Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))],
    ) -> dict[str, bool]:
        return {"ok": True}

    @app.get("/undeclared", status_code=201)
    async def undeclared() -> JSONResponse:
        return JSONResponse({"ok": True}, status_code=202)

    return app


async def test_the_openapi_fuzzing_reports_exceptions_5xx_undeclared_statuses_and_open_doors() -> (
    None
):
    app = broken_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://stub"
    ) as http:
        platform = FuzzPlatform(
            services={"stub": Service("stub", app, http)},
            gateway=http,
            loop=asyncio.get_running_loop(),
            tokens={"admin": "a", "mentee": "b"},
            forged_token="c",
        )
        findings = Findings()
        for operation in operations("stub", platform):
            await asyncio.to_thread(fuzz_operation, platform, "stub", operation, findings)

    reported = "\n".join(findings.failures.values())
    assert "[admin] POST /raises\nunhandled exception or no answer" in reported
    assert "RuntimeError: no " in reported
    assert "Server error" in reported
    assert "202 is neither declared ([201]) nor one of the platform's errors" in reported
    assert "[admin] GET /ignores-token\n200, not 401, with no token" in reported
    assert "200, not 401, with a forged token" in reported


def test_the_graphql_fuzzing_reports_5xx_and_errors_without_a_client_code() -> None:
    assert problems_in(502, {}) == ["HTTP 502"]
    assert problems_in(200, "oops") == ["an answer that is not a JSON object"]
    internal = {"message": "boom", "path": ["me"], "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    assert problems_in(200, {"errors": [internal]}) == [
        "error code INTERNAL_SERVER_ERROR on ['me']: boom"
    ]
    assert problems_in(200, {"errors": [{"message": "no code"}]}) == [
        "error code None on None: no code"
    ]
    unavailable = {
        "message": "mentoring answered 503",
        "extensions": {"code": "SERVICE_UNAVAILABLE"},
    }
    assert problems_in(200, {"errors": [unavailable]})
    refused = {"message": "no such field", "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}
    assert problems_in(400, {"errors": [refused]}) == []
