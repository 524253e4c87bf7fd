"""A program's report as CSV, for a spreadsheet: ``GET /reports/programs/{id}.csv?from=&to=``
with the caller's bearer token, the same figures as ``programReport``.

One table in long form (``section, item, id, measure, value``: a row per figure), which a
spreadsheet filters and pivots. A cell that a spreadsheet would read as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return; a mentor's name is theirs to write) is
written with a leading apostrophe, which the spreadsheet shows as text. ``section`` and
``measure`` are codes that stay the same in every language; ``item`` names what a person reads
(a module by its title in the caller's language, a mentor by their name), ``id`` its id.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from graphql import GraphQLError

from gateway.context import GatewayContext, Runtime, bearer_token, correlation_id
from gateway.errors import Forbidden, MutationFailure, NotFound
from gateway.features.report import CSV_ROUTE, ReportBodies, fetch_report, with_module_titles
from gateway.input_values import id_problem
from gateway.services import ServiceUnavailable

HEADER = ("section", "item", "id", "measure", "value")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def neutral(cell: object) -> str:
    """A cell as text a spreadsheet shows as it is, never runs."""
    text = "" if cell is None else str(cell)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def rows(bodies: ReportBodies) -> Iterable[tuple[object, ...]]:
    funnel, progress = bodies.funnel, bodies.progress
    yield ("period", "from", "", "date", bodies.start.isoformat())
    yield ("period", "to", "", "date", bodies.end.isoformat())
    for step in funnel["funnel"]:
        yield ("funnel", step["stage"], "", "count", step["count"])
        if step["conversion"] is not None:
            yield ("funnel", step["stage"], "", "conversion", step["conversion"])
    for measure, value in funnel["time_to_match"].items():
        yield ("time_to_match", "", "", measure, value)
    for week in progress["weeks"]:
        for status, count in week["by_status"].items():
            yield ("week", week["week"], "", status, count)
    for module in progress["confidence"]:
        title = bodies.titles.get(module["module_id"], module["module_id"])
        item = f"{title} ({module['assessed_by']})"
        for measure in ("mentees", "at_start", "now"):
            yield ("confidence", item, module["module_id"], measure, module[measure])
    active, sessions = progress["active_matches"], progress["sessions_in_active_matches"]
    yield ("sessions", "", "", "active_matches", active)
    yield ("sessions", "", "", "sessions_in_active_matches", sessions)
    if active:
        yield ("sessions", "", "", "sessions_per_active_match", round(sessions / active, 2))
    for mentor in funnel["mentors"]:
        for measure in ("capacity", "active", "proposed", "load"):
            yield ("mentor", mentor["display_name"], mentor["mentor_id"], measure, mentor[measure])


def render(bodies: ReportBodies) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows(bodies):
        writer.writerow([neutral(cell) for cell in row])
    return out.getvalue()


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _date(request: Request, name: str) -> date | str:
    given = request.query_params.getlist(name)
    if len(given) != 1:
        return f"{name} must be given once, as YYYY-MM-DD"
    try:
        if _DATE.fullmatch(given[0]):
            return date.fromisoformat(given[0])
    except ValueError:
        pass
    return f"{name} is not a date (YYYY-MM-DD)"


router = APIRouter()


def _period(request: Request) -> tuple[date, date] | str:
    start, end = _date(request, "from"), _date(request, "to")
    if isinstance(start, str):
        return start
    if isinstance(end, str):
        return end
    return start, end


def _refusal(found: MutationFailure) -> JSONResponse:
    if isinstance(found, Forbidden):
        return _problem(403, "FORBIDDEN", found.written_message)
    if isinstance(found, NotFound):
        return _problem(404, "NOT_FOUND", found.written_message)
    return _problem(422, "BAD_USER_INPUT", found.written_message)


async def _answer(context: GatewayContext, program_id: str, request: Request) -> Response:
    problem = id_problem(program_id)
    period = _period(request)
    if problem is not None or isinstance(period, str):
        return _problem(400, "BAD_USER_INPUT", f"programId {problem}" if problem else str(period))
    start, end = period
    try:
        found = await fetch_report(context.services, program_id, start, end)
    except ServiceUnavailable as exc:
        return _problem(503, "SERVICE_UNAVAILABLE", str(exc))
    except GraphQLError as exc:
        code = str((exc.extensions or {}).get("code", "BAD_USER_INPUT"))
        return _problem(401 if code == "UNAUTHENTICATED" else 400, code, exc.message)
    if not isinstance(found, ReportBodies):
        return _refusal(found)
    found = await with_module_titles(context, found)
    name = f"program-report-{program_id}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        render(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(CSV_ROUTE, include_in_schema=False)
async def report_csv(program_id: str, request: Request) -> Response:
    """The report as CSV for the caller's bearer token; a refusal is JSON with a code, and the
    status a REST client expects (401, 400, 403, 404, 422, 503)."""
    runtime: Runtime = request.app.state.runtime
    context = GatewayContext(
        runtime, correlation_id(request.headers.get("x-correlation-id")), per_connection=False
    )
    context.request = request  # for the reader's language (Accept-Language)
    await context.authenticate(bearer_token(request.headers.get("authorization")))
    if context.principal is None:
        return _problem(401, "UNAUTHENTICATED", context.auth_problem)
    return await _answer(context, program_id, request)
