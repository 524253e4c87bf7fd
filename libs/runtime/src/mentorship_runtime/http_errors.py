"""Errors as HTTP answers, the same in every service.

Validation errors are always safe to render, whatever bytes the client sent: FastAPI's default
handler echoes the invalid input back; when that input is not valid UTF-8 the
echo itself fails and the client gets a 500. This handler names each field and its problem and
never echoes raw bytes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure

from mentorship_runtime.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound

MAX_ECHO = 200
RETRY_AFTER_SECONDS = 5


def _safe(value: Any) -> Any:
    if isinstance(value, bytes):
        return value[:MAX_ECHO].decode("utf-8", "replace")
    if isinstance(value, str):
        return value[:MAX_ECHO].encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, int | float | bool) or value is None:
        return value
    return repr(value)[:MAX_ECHO]


def validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [_safe(part) for part in error.get("loc", ())],
            "msg": _safe(error.get("msg", "")),
            "type": _safe(error.get("type", "")),
        }
        for error in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Request validation and domain errors as HTTP answers that name what is wrong."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_details(exc)}, status_code=422)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "kind": exc.kind, "id": exc.identifier}, 404)

    @app.exception_handler(InvalidTransition)
    async def bad_transition(_: Request, exc: InvalidTransition) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "current_state": exc.current}, 409)

    @app.exception_handler(Conflict)
    async def conflict(_: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 409)

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 403)

    @app.exception_handler(Invalid)
    async def invalid(_: Request, exc: Invalid) -> JSONResponse:
        detail = [{"loc": ["body", *exc.field.split(".")], "msg": str(exc), "type": "value_error"}]
        return JSONResponse({"detail": detail}, 422)

    @app.exception_handler(ConnectionFailure)
    async def database_unavailable(_: Request, exc: ConnectionFailure) -> JSONResponse:
        # No single-document write is half-applied: the request can be sent again as it is
        # (with its id or idempotency key, it is applied once).
        return JSONResponse(
            {"detail": "the database is unavailable for the moment; nothing was changed, retry"},
            503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
