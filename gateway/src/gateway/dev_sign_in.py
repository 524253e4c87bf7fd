"""Sign-in for the dev profile: who can sign in, and a token for them, so that the web app runs
on a laptop without an identity provider.

``GET /dev/people`` lists the people of the programs that ``demo-admin`` (the admin ``make dev``
seeds) administers: that admin, then every participant of those programs from their rosters,
matched or not (a mentee waiting for suggestions, a mentor nobody was proposed to yet, someone
withdrawn), once for each role they have.
``POST /dev/token`` signs a development token (HS256, the gateway's own secret) for a user id and
one role. The router is added only when the gateway runs with ``PROFILE=dev`` and verifies tokens
with a local secret; in every other profile these paths do not exist (404).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gateway.config import Settings
from gateway.context import Runtime
from gateway.request_body import BadRequestBody, decode_request
from gateway.services import CallLog, ServiceCalls, ServiceRejected, ServiceUnavailable
from mentorship_runtime.auth import issue_token

DEMO_ADMIN = "demo-admin"
DEMO_ADMIN_NAME = "Demo Admin"
TOKEN_LIFETIME = timedelta(hours=12)
PROGRAMS_LISTED = 100
ROSTER_PAGE = 100
ROSTER_PAGES = 50

Role = Literal["admin", "mentor", "mentee"]
PARTICIPANT_ROLES: tuple[Role, ...] = ("mentor", "mentee")


class Person(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    user_id: str = Field(alias="userId")
    name: str
    role: Role


class People(BaseModel):
    people: list[Person]
    problem: str | None = Field(
        default=None, description="why the list may be short (a service did not answer)"
    )


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    user_id: str = Field(alias="userId", strict=True, pattern=r"^[A-Za-z0-9_.:@-]{1,64}$")
    role: Role
    name: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and not (value.isprintable() and _encodable(value)):
            msg = "a name is printable text"
            raise ValueError(msg)
        return value


class Token(BaseModel):
    token: str
    expires_in: int = Field(serialization_alias="expiresIn")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def enabled(settings: Settings) -> bool:
    """The dev profile with a local signing secret (never with an identity provider's keys)."""
    return settings.profile == "dev" and settings.token_settings().secret is not None


def router() -> APIRouter:
    routes = APIRouter(prefix="/dev", tags=["dev"])

    @routes.get("/people", response_model=People, response_model_by_alias=True)
    async def people(request: Request) -> People:
        runtime: Runtime = request.app.state.runtime
        return await _people(runtime)

    @routes.post("/token", response_model=Token, response_model_by_alias=True)
    async def token(request: Request) -> Token:
        """The body is decoded by the GraphQL endpoint's rules (no NUL, no lone surrogate, not
        nested deep); a refusal names the field, never echoes the value."""
        runtime: Runtime = request.app.state.runtime
        try:
            raw = decode_request(await request.body(), max_bytes=runtime.settings.max_body_bytes)
            body = TokenRequest.model_validate(raw)
        except BadRequestBody as exc:
            raise HTTPException(400, str(exc)) from None
        except ValidationError as exc:
            fields = sorted({".".join(map(str, e["loc"])) or "body" for e in exc.errors()})
            raise HTTPException(422, f"invalid fields: {', '.join(fields)}") from None
        signed = issue_token(
            runtime.settings.token_settings(),
            user_id=body.user_id,
            roles=[body.role],
            name=body.name,
            email=f"{body.user_id}@demo.example.org",
            lifetime=TOKEN_LIFETIME,
        )
        return Token(token=signed, expires_in=int(TOKEN_LIFETIME.total_seconds()))

    return routes


async def _people(runtime: Runtime) -> People:
    admin_token = issue_token(
        runtime.settings.token_settings(),
        user_id=DEMO_ADMIN,
        roles=["admin"],
        name=DEMO_ADMIN_NAME,
        lifetime=timedelta(minutes=1),
    )
    calls = ServiceCalls(runtime.clients, admin_token, uuid.uuid4().hex, CallLog())
    found: dict[tuple[str, Role], Person] = {
        (DEMO_ADMIN, "admin"): Person(user_id=DEMO_ADMIN, name=DEMO_ADMIN_NAME, role="admin")
    }
    try:
        programs = await calls.get("mentoring", "/programs", {"first": PROGRAMS_LISTED})
        for program in programs:
            if not await _roster(calls, program["id"], found):
                problem = f"program {program['id']}: only its first {ROSTER_PAGE * ROSTER_PAGES}"
                return People(people=_ordered(found), problem=problem)
    except (ServiceUnavailable, ServiceRejected) as exc:
        return People(people=_ordered(found), problem=str(exc))
    return People(people=_ordered(found))


async def _roster(
    calls: ServiceCalls, program_id: str, found: dict[tuple[str, Role], Person]
) -> bool:
    """Adds a program's participants, page after page of its roster, once for each of their
    roles; False when the roster has more than ``ROSTER_PAGES`` pages (the rest is left out)."""
    after: str | None = None
    for _ in range(ROSTER_PAGES):
        params: dict[str, str | int] = {"first": ROSTER_PAGE}
        if after is not None:
            params["after"] = after
        page = await calls.get("mentoring", f"/programs/{program_id}/roster", params)
        for entry in page["items"]:
            participant = entry["participant"]
            for role in PARTICIPANT_ROLES:
                if role in participant["roles"]:
                    person = Person(
                        user_id=participant["user_id"], name=participant["display_name"], role=role
                    )
                    found.setdefault((person.user_id, role), person)
        after = page["next_cursor"]
        if after is None:
            return True
    return False


def _ordered(found: dict[tuple[str, Role], Person]) -> list[Person]:
    rank = {"admin": 0, "mentor": 1, "mentee": 2}
    return sorted(found.values(), key=lambda p: (rank[p.role], p.user_id))
