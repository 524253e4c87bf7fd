"""Validation errors that are always safe to render, whatever bytes the client sent.

FastAPI's default handler echoes the invalid input back; when that input is not valid UTF-8 the
echo itself fails and the client gets a 500. This handler names each field and its problem and
never echoes raw bytes.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

MAX_ECHO = 200


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


def install_validation_handler(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_details(exc)}, status_code=422)
