"""Client mistakes are the normal life of an API: answered with a code, logged at info without a
traceback; only real faults log one. Values no service could take are refused at the gateway."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Gateway

LOG_SESSION = """
mutation($mentee: ID!, $input: SessionInput!, $key: String) {
  logSession(menteeId: $mentee, input: $input, idempotencyKey: $key) {
    __typename
    ... on ValidationError { problems { path message } }
  }
}"""
RUN_MATCHING = """
mutation($program: ID!, $objective: MatchingObjective!) {
  runMatching(programId: $program, objective: $objective) { __typename }
}"""
SESSION = {"heldOn": "2026-01-05", "durationMinutes": 45}


def _log_lines(out: str) -> list[dict[str, Any]]:
    lines = []
    for line in out.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


CLIENT_MISTAKES = [
    pytest.param(LOG_SESSION, {"mentee": "pt-1", "input": {**SESSION, "heldOn": "yesterday"}},
                 id="invalid-date"),
    pytest.param(LOG_SESSION, {"mentee": "pt-1", "input": {**SESSION, "durationMinutes": "long"}},
                 id="wrong-type"),
    pytest.param(LOG_SESSION, {"mentee": "pt-1", "input": {**SESSION, "durationMinutes": 2**40}},
                 id="int-out-of-range"),
    pytest.param(RUN_MATCHING, {"program": "pg-1", "objective": "EVERYONE_HAPPY"},
                 id="unknown-enum"),
    pytest.param(RUN_MATCHING, {"program": ["pg-1"], "objective": "BEST_FIT"}, id="list-for-id"),
    pytest.param(LOG_SESSION, {"mentee": "pt-1"}, id="missing-variable"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables"), CLIENT_MISTAKES)
async def test_a_client_mistake_is_logged_at_info_without_a_traceback(
    gateway: Gateway, capsys: pytest.CaptureFixture[str], query: str, variables: dict[str, Any]
) -> None:
    capsys.readouterr()
    body = await gateway.query(query, variables, roles=("admin", "mentor"))
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    logged = [line for line in _log_lines(capsys.readouterr().out) if "graphql" in line["event"]]
    assert [line["event"] for line in logged] == ["graphql_client_error"]
    assert all("exception" not in line and line["level"] == "info" for line in logged)
    assert all(not service.requests for service in gateway.services.values())


@pytest.mark.parametrize(
    "key",
    ["clé-de-séance", "with space", "x" * 201, "tab\there"],
    ids=["accents", "space", "long", "tab"],
)
async def test_an_idempotency_key_that_no_header_can_carry_is_a_validation_error(
    gateway: Gateway, key: str
) -> None:
    body = await gateway.query(
        LOG_SESSION, {"mentee": "pt-1", "input": SESSION, "key": key}, roles=("mentor",)
    )
    result = body["data"]["logSession"]
    assert result["__typename"] == "ValidationError"
    assert result["problems"][0]["path"][-1] == "idempotencyKey"
    assert not gateway.services["progress"].requests


NODE = "query($id: ID!) { node(id: $id) { id } }"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(NODE, {"id": "pt_" + "x" * 990_000}, id="megabyte-id-variable"),
        pytest.param(NODE, {"id": "pt_1,pt_2"}, id="comma-in-id"),
        pytest.param(NODE, {"id": "pt 1"}, id="space-in-id"),
        pytest.param('{ node(id: "' + "y" * 5_000 + '") { id } }', None, id="long-id-literal"),
        pytest.param('{ node(id: "pt_\\u0000") { id } }', None, id="nul-in-id-literal"),
        pytest.param(
            'mutation { logSession(menteeId: "pt-1", input: {heldOn: "2026-01-05", '
            'durationMinutes: 45, notes: "a\\u0000b"}) { __typename } }',
            None,
            id="nul-in-string-literal",
        ),
        pytest.param(
            'mutation { logSession(menteeId: "pt-1", input: {heldOn: "2026-01-05", '
            'durationMinutes: 45, notes: "\\ud800"}) { __typename } }',
            None,
            id="lone-surrogate-literal",
        ),
        pytest.param(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": ["pt_1", "pt_2" + "z" * 200]},
            id="long-id-in-a-list",
        ),
    ],
)
async def test_a_value_no_service_could_take_is_bad_user_input_before_any_call(
    gateway: Gateway, query: str, variables: dict[str, Any] | None
) -> None:
    body = await gateway.query(query, variables, roles=("admin", "mentor"))
    assert body["data"] is None
    codes = {error["extensions"]["code"] for error in body["errors"]}
    # graphql-core's lexer refuses a lone surrogate escape itself
    assert codes in ({"BAD_USER_INPUT"}, {"GRAPHQL_PARSE_FAILED"}), body["errors"]
    assert all(not service.requests for service in gateway.services.values())
