"""A complete data export as a ZIP archive: ``GET /data-exports/{id}.zip`` with the caller's
bearer token (the person, or an admin of every program it covers, as ``dataExport``).

The archive holds ``README.md`` (what each file is, which service made it and when, in plain
words), then ``mentoring.json``, ``progress.json`` and ``notify.json``: each service's part as
that service keeps it (``mentorship_contracts.personal_data``), UTF-8 JSON. The parts are read
from the services' HTTP APIs as the caller, so each service applies its own access rule too.
Refusals are JSON ``{error: {code, message}}`` with 400, 401, 404, 409 (not complete, or
expired) or 503.
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from graphql import GraphQLError

from gateway.config import ServiceName
from gateway.context import GatewayContext, Runtime, bearer_token, correlation_id
from gateway.features.data_exports import DOWNLOAD_ROUTE
from gateway.services import ServiceCalls, ServiceRejected, ServiceUnavailable, segment

PARTS: tuple[ServiceName, ...] = ("mentoring", "progress", "notify")
CHUNK = 64 * 1024

SECTIONS: Mapping[str, Mapping[str, str]] = {
    "mentoring": {
        "participations": "your profile in each program: name, e-mail, time zone, languages, "
        "department, manager, availability, skills and goals, role, capacity, and whether and "
        "when you withdrew",
        "matches": "the matches naming you as mentee or mentor, proposals included: who, "
        "status, when proposed, decided and ended, the score and the reasons that explain it",
        "provisioned_accounts": "your account as your organisation's identity provider created "
        "it (SCIM), if it did",
        "administered_programs": "the programs you administer, with your entry among their "
        "admins (only in an export of your own data)",
    },
    "progress": {
        "trackings": "your progress as a mentee: check-ins with confidence and notes, "
        "milestones with their evidence, sessions with notes and ratings, your mentors over time",
        "recorded_as_mentor": "what you recorded as a mentor in the progress of the mentees you "
        "follow now: your check-ins, the milestones you marked, the sessions of the pair",
        "planned_sessions": "sessions planned ahead with you, as mentee or mentor: when, where, "
        "the link, and their status",
    },
    "notify": {
        "directory": "the contact data notify keeps to reach you: name, e-mail, language, time "
        "zone, roles, in each program",
        "notifications": "the notifications addressed to you, with their text and when you read "
        "them",
        "deliveries": "how each notification was delivered to you: channel (in-app, e-mail, "
        "webhook), status, attempts, when sent, the last error",
        "preferences": "your notification preferences: channels per kind, digest, quiet hours, "
        "webhook address (the webhook secret is left out); only in an export of your own data",
    },
}
SERVICE_WORDS = {
    "mentoring": "the mentoring service (programs, participants, matches)",
    "progress": "the progress service (learning paths, check-ins, milestones, sessions)",
    "notify": "the notify service (notifications, their delivery, preferences)",
}

router = APIRouter()


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def readme(export: Mapping[str, Any], parts: Mapping[str, Mapping[str, Any]]) -> str:
    whose = (
        f"the participation {export['participant_id']} (program {', '.join(export['program_ids'])})"
        if export.get("participant_id")
        else "everything the platform holds about your account"
    )
    lines = [
        f"# Personal data export {export['id']}",
        "",
        f"This archive is a copy of {whose}, for account {export['subject_user_id']}.",
        f"Requested at {export['requested_at']} by account {export['requested_by']}; complete "
        f"at {export['completed_at']}.",
        "",
        "Each service of the platform keeps its own data, so each wrote its own file. The files "
        "are JSON, encoded in UTF-8; dates are in UTC. Each file is one object: `format`, "
        "`service`, `export_id`, `made_at` (when the service wrote it), `subject` (whose data, "
        "which participations and programs), `counts` (records per section) and `sections` "
        "(the records, as the service stores them, each with its `id`).",
        "",
    ]
    for service in PARTS:
        part = parts[service]
        lines += [
            f"## {service}.json",
            "",
            f"From {SERVICE_WORDS[service]}, made at {part.get('made_at')}.",
            "",
        ]
        counts = part.get("counts") or {}
        for section, records in counts.items():
            words = SECTIONS[service].get(section, "records of this kind")
            lines.append(f"- `{section}` ({records}): {words}.")
        lines.append("")
    lines += [
        "## README.md",
        "",
        "This file.",
        "",
    ]
    return "\n".join(lines)


def archive(export: Mapping[str, Any], parts: Mapping[str, Mapping[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        out.writestr("README.md", readme(export, parts).encode())
        for service in PARTS:
            text = json.dumps(parts[service], ensure_ascii=False, indent=1)
            out.writestr(f"{service}.json", text.encode())
    return buffer.getvalue()


def _chunks(content: bytes) -> Iterator[bytes]:
    for start in range(0, len(content), CHUNK):
        yield content[start : start + CHUNK]


def _refusal(exc: ServiceRejected) -> JSONResponse:
    if exc.status == 401:
        return _problem(401, "UNAUTHENTICATED", "the service refused the token")
    if exc.status == 404:
        return _problem(404, "NOT_FOUND", "no such data export (or not yours)")
    return _problem(400, "BAD_USER_INPUT", "the service refused the request")


async def _download(services: ServiceCalls, export_id: str) -> Response:
    try:
        export = await services.get("mentoring", f"/data-exports/{export_id}")
        if export["status"] != "complete":
            return _problem(
                409,
                "EXPORT_EXPIRED" if export["status"] == "expired" else "EXPORT_PENDING",
                f"the export is {export['status']}",
            )
        found = await asyncio.gather(
            *(services.get(s, f"/data-exports/{export_id}/part") for s in PARTS)
        )
    except ServiceRejected as exc:
        return _refusal(exc)
    except ServiceUnavailable as exc:
        return _problem(503, "SERVICE_UNAVAILABLE", str(exc))
    content = await asyncio.to_thread(archive, export, dict(zip(PARTS, found, strict=True)))
    return StreamingResponse(
        _chunks(content),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="data-export-{export_id}.zip"',
            "Content-Length": str(len(content)),
        },
    )


@router.get(DOWNLOAD_ROUTE, include_in_schema=False)
async def data_export_zip(export_id: str, request: Request) -> Response:
    """The archive for the caller's bearer token; a refusal is JSON with a code."""
    runtime: Runtime = request.app.state.runtime
    context = GatewayContext(
        runtime, correlation_id(request.headers.get("x-correlation-id")), per_connection=False
    )
    await context.authenticate(bearer_token(request.headers.get("authorization")))
    if context.principal is None:
        return _problem(401, "UNAUTHENTICATED", context.auth_problem)
    try:
        checked = segment(export_id, "id")
    except GraphQLError as exc:
        return _problem(400, "BAD_USER_INPUT", exc.message)
    return await _download(context.services, checked)
