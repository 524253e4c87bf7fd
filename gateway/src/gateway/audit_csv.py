"""A program's audit trail as CSV, for a spreadsheet: ``GET /audit/programs/{id}.csv`` with the
caller's bearer token (the program's admins), the whole trail newest first, read from mentoring
page by page.

One row per record: ``at, actor_id, action, object_kind, object_id, before, after``, the values
before and after as JSON text. A cell a spreadsheet would read as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading apostrophe, as
in the program report's CSV (``report_csv.neutral``).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from graphql import GraphQLError

from gateway.context import GatewayContext, Runtime, bearer_token, correlation_id
from gateway.errors import Forbidden, MutationFailure, NotFound
from gateway.features.audit import CSV_ROUTE, fetch_page
from gateway.input_values import id_problem
from gateway.report_csv import neutral
from gateway.services import ServiceUnavailable

HEADER = ("at", "actor_id", "action", "object_kind", "object_id", "before", "after")
PAGE = 100


def _values(values: dict[str, Any] | None) -> str:
    return "" if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True)


def render(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in records:
        row = (r["at"], r["actor_id"], r["action"], r["object_kind"], r["object_id"])
        cells = (*row, _values(r["before"]), _values(r["after"]))
        writer.writerow([neutral(cell) for cell in cells])
    return out.getvalue()


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


router = APIRouter()


def _refusal(found: MutationFailure) -> JSONResponse:
    if isinstance(found, Forbidden):
        return _problem(403, "FORBIDDEN", found.written_message)
    if isinstance(found, NotFound):
        return _problem(404, "NOT_FOUND", found.written_message)
    return _problem(422, "BAD_USER_INPUT", found.written_message)


async def _answer(context: GatewayContext, program_id: str) -> Response:
    problem = id_problem(program_id)
    if problem is not None:
        return _problem(400, "BAD_USER_INPUT", f"programId {problem}")
    records: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        try:
            found = await fetch_page(context.services, program_id, PAGE, after)
        except ServiceUnavailable as exc:
            return _problem(503, "SERVICE_UNAVAILABLE", str(exc))
        except GraphQLError as exc:
            code = str((exc.extensions or {}).get("code", "BAD_USER_INPUT"))
            return _problem(401 if code == "UNAUTHENTICATED" else 400, code, exc.message)
        if not isinstance(found, dict):
            return _refusal(found)
        records += found["items"]
        after = found.get("next_cursor")
        if after is None:
            break
    return Response(
        render(records),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{program_id}.csv"'},
    )


@router.get(CSV_ROUTE, include_in_schema=False)
async def audit_csv(program_id: str, request: Request) -> Response:
    """The trail as CSV for the caller's bearer token; a refusal is JSON with a code, and the
    status a REST client expects (401, 400, 403, 404, 503)."""
    runtime: Runtime = request.app.state.runtime
    context = GatewayContext(
        runtime, correlation_id(request.headers.get("x-correlation-id")), per_connection=False
    )
    await context.authenticate(bearer_token(request.headers.get("authorization")))
    if context.principal is None:
        return _problem(401, "UNAUTHENTICATED", context.auth_problem)
    return await _answer(context, program_id)
