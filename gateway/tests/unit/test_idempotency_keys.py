"""Every creating mutation takes an idempotency key and hands it to its service, which applies
the one rule (docs/architecture.md, "Creating requests"); the service's refusals come back typed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.config import ServiceName

from .conftest import Gateway

REGISTER_MENTEE = (
    'mutation { registerMentee(input: {programId: "pg-1", displayName: "Ada", '
    'email: "ada@example.org"}, idempotencyKey: "k-1") { '
    "__typename ... on Conflict { message existingId } } }"
)
CREATE_PROGRAM = (
    'mutation { createProgram(input: {name: "Pilot"}, idempotencyKey: "k-1") { '
    "__typename ... on ValidationError { problems { path } } } }"
)

ANSWER = (
    "__typename ... on Conflict { message existingId } ... on ValidationError { problems { path } }"
)
PROGRAM = {
    "id": "pg-1",
    "name": "Pilot",
    "status": "open",
    "admin_ids": ["u-grace"],
    "weights": {},
    "created_at": "2026-12-01T09:00:00Z",
}
CREATING = [
    pytest.param(
        f'mutation {{ createProgram(input: {{name: "Pilot"}}, idempotencyKey: "k-1") '
        f"{{ {ANSWER} }} }}",
        ("mentoring", "POST", "/programs"),
        id="createProgram",
    ),
    pytest.param(
        f'mutation {{ registerMentee(input: {{programId: "pg-1", displayName: "Ada", '
        f'email: "ada@example.org"}}, idempotencyKey: "k-1") {{ {ANSWER} }} }}',
        ("mentoring", "POST", "/programs/pg-1/participants"),
        id="registerMentee",
    ),
    pytest.param(
        f'mutation {{ registerMentor(input: {{programId: "pg-1", displayName: "Grace", '
        f'email: "grace@example.org"}}, idempotencyKey: "k-1") {{ {ANSWER} }} }}',
        ("mentoring", "POST", "/programs/pg-1/participants"),
        id="registerMentor",
    ),
    pytest.param(
        f'mutation {{ runMatching(programId: "pg-1", idempotencyKey: "k-1") {{ {ANSWER} }} }}',
        ("mentoring", "POST", "/programs/pg-1/matching-runs"),
        id="runMatching",
    ),
    pytest.param(
        f'mutation {{ recordCheckIn(menteeId: "pt-ada", moduleId: "purpose", confidence: 3, '
        f'idempotencyKey: "k-1") {{ {ANSWER} }} }}',
        ("progress", "POST", "/mentees/pt-ada/check-ins"),
        id="recordCheckIn",
    ),
]


def _default_path_exists(gateway: Gateway) -> None:
    gateway.services["progress"].route(
        "GET", "/learning-paths/social-business-accompaniment", {"id": "x", "modules": []}
    )


@pytest.mark.parametrize(("mutation", "route"), CREATING)
async def test_a_creating_mutation_hands_its_key_to_the_service(
    gateway: Gateway, mutation: str, route: tuple[ServiceName, str, str]
) -> None:
    service, method, path = route
    _default_path_exists(gateway)
    conflict = {"detail": "Idempotency-Key 'k-1' was already used for a different request"}
    gateway.services[service].route(method, path, lambda _: httpx.Response(409, json=conflict))
    body = await gateway.query(mutation, roles=("admin", "mentor", "mentee"))
    [answer] = body["data"].values()
    assert answer["__typename"] == "Conflict", body
    assert "already used for a different request" in answer["message"]
    sent = [r for r in gateway.services[service].requests if r.url.path == path]
    assert [r.headers.get("idempotency-key") for r in sent] == ["k-1"]


async def test_registering_twice_names_the_participant_registered_before(
    gateway: Gateway,
) -> None:
    refused: dict[str, Any] = {
        "detail": "u-ada is already registered in this program as pt_123",
        "participant_id": "pt_123",
    }
    gateway.services["mentoring"].route(
        "POST", "/programs/pg-1/participants", lambda _: httpx.Response(409, json=refused)
    )
    body = await gateway.query(REGISTER_MENTEE, roles=("mentee",))
    assert body["data"]["registerMentee"] == {
        "__typename": "Conflict",
        "message": refused["detail"],
        "existingId": "pt_123",
    }


async def test_a_key_the_service_refuses_names_the_argument(gateway: Gateway) -> None:
    _default_path_exists(gateway)
    refused = {"detail": [{"loc": ["header", "Idempotency-Key"], "msg": "too long"}]}
    gateway.services["mentoring"].route(
        "POST", "/programs", lambda _: httpx.Response(422, json=refused)
    )
    body = await gateway.query(CREATE_PROGRAM, roles=("admin",))
    assert body["data"]["createProgram"] == {
        "__typename": "ValidationError",
        "problems": [{"path": ["idempotencyKey"]}],
    }
