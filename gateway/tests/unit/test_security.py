"""Tokens, limits and hostile requests: standard GraphQL errors, never a 500."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from mentorship_runtime.auth import TokenSettings, issue_token
from mentorship_testing.services import TEST_JWT_SECRET

from .conftest import Gateway, running

ME = "{ me { userId roles } }"


def codes(body: dict[str, object]) -> list[str]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [e.get("extensions", {}).get("code") for e in errors]


async def test_a_valid_token_says_who_i_am(gateway: Gateway) -> None:
    body = await gateway.query(ME, user="u-ada", roles=("mentee",))
    assert body["data"] == {"me": {"userId": "u-ada", "roles": ["MENTEE"]}}
    assert body["extensions"]["correlationId"]


async def test_no_token_is_unauthenticated_and_calls_no_service(gateway: Gateway) -> None:
    body = await gateway.query("{ me { userId } myMentees { byStatus { status } } }", user=None)
    assert body["data"] is None or body["data"]["myMentees"] is None
    assert set(codes(body)) == {"UNAUTHENTICATED"}
    assert all(not s.requests for s in gateway.services.values())


def _claims(**changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    return {
        "sub": "u-grace",
        "roles": ["admin"],
        "iss": "mentorship-dev",
        "aud": "mentorship",
        "exp": int((now + timedelta(hours=1)).timestamp()),
        **changes,
    }


def _none_token() -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(_claims())}."


def _tampered() -> str:
    good = jwt.encode(_claims(roles=["mentee"]), TEST_JWT_SECRET, algorithm="HS256")
    head, _, signature = good.split(".")
    body = base64.urlsafe_b64encode(json.dumps(_claims()).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{signature}"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(_none_token(), id="alg-none"),
        pytest.param(jwt.encode(_claims(), "another-secret-of-enough-length!", "HS256"), id="key"),
        pytest.param(
            jwt.encode(_claims(exp=int(datetime.now(UTC).timestamp()) - 3600), TEST_JWT_SECRET),
            id="expired",
        ),
        pytest.param(jwt.encode(_claims(aud="elsewhere"), TEST_JWT_SECRET), id="audience"),
        pytest.param(jwt.encode(_claims(iss="someone"), TEST_JWT_SECRET), id="issuer"),
        pytest.param(_tampered(), id="tampered"),
        pytest.param("not-a-jwt", id="garbage"),
    ],
)
async def test_a_bad_token_is_unauthenticated(gateway: Gateway, token: str) -> None:
    body = await gateway.query(ME, token=token)
    assert codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None


async def test_a_token_for_another_scheme_is_not_taken(gateway: Gateway) -> None:
    token = gateway.token("u-grace", "mentor")
    body = await gateway.query(ME, user=None, headers={"Authorization": f"Basic {token}"})
    assert codes(body) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param("{ me { userId ", "Syntax Error", id="malformed"),
        pytest.param("{ me { password } }", "Cannot query field 'password'", id="unknown-field"),
        pytest.param("{ nope }", "Cannot query field 'nope'", id="unknown-root"),
    ],
)
async def test_malformed_queries_get_graphql_errors(
    gateway: Gateway, query: str, fragment: str
) -> None:
    response = await gateway.post(query)
    assert response.status_code in (200, 400)
    [error] = response.json()["errors"]
    assert fragment in error["message"]


async def test_a_variable_of_the_wrong_type_is_refused_before_any_call(gateway: Gateway) -> None:
    response = await gateway.post(
        "query($n: Int!) { programs(first: $n) { nodes { id } } }", {"n": "many"}
    )
    assert response.status_code in (200, 400)
    [error] = response.json()["errors"]
    assert "Int cannot represent" in error["message"]
    assert not gateway.services["mentoring"].requests


async def test_too_deep_a_query_is_refused_before_execution() -> None:
    deep = (
        "{ matches { edges { node { mentee { profile { progress { modules { trend } } } } } } } }"
    )
    async with running(max_query_depth=5) as shallow:
        response = await shallow.post(deep)
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert "depth (8) is over the limit of 5" in error["message"]
        assert all(not s.requests for s in shallow.services.values())


async def test_an_alias_bomb_is_refused(gateway: Gateway) -> None:
    aliases = " ".join(f"a{i}: me {{ userId }}" for i in range(200))
    response = await gateway.post("{ " + aliases + " }")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "aliases (200) is over the limit of 30" in error["message"]


async def test_a_token_bomb_is_refused(gateway: Gateway) -> None:
    fields = " ".join("__typename" for _ in range(5000))
    response = await gateway.post("{ " + fields + " }")
    assert response.status_code in (200, 400)
    errors = response.json()["errors"]
    assert any("tokens" in e["message"] for e in errors)


async def test_queries_via_get_are_refused(gateway: Gateway) -> None:
    token = gateway.token("u-grace", "mentor")
    response = await gateway.http.get(
        "/graphql", params={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    assert 400 <= response.status_code < 500
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"query": 42}', b"[]", b'{"variables": {}}', b"\xff\xfe\x00garbage"],
)
async def test_bodies_that_are_not_graphql_get_a_4xx(gateway: Gateway, content: bytes) -> None:
    token = gateway.token("u-grace", "mentor")
    response = await gateway.http.post(
        "/graphql",
        content=content,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text


BIG_NUMBER = "9" * 5000
HOSTILE_BODIES = [
    (b"null", "must be a JSON object"),
    (b"true", "must be a JSON object"),
    (b"0", "must be a JSON object"),
    (b'"query"', "must be a JSON object"),
    (b'[{"query": "{ me { userId } }"}]', "must be a JSON object"),
    (b'{"query": "{ me { userId } }", "x": "\xff\xfe"}', "not UTF-8"),
    (b"[" * 5000, "nested deeper than 64"),
    (b'{"query": "{ me { userId } }", "variables": {"a": ' + b"[" * 100 + b"]" * 100 + b"}}",
     "nested deeper than 64"),
    (b'{"query": "{ me { userId } }", "variables": {"n": ' + BIG_NUMBER.encode() + b"}}",
     "more than 100 digits"),
    (b'{"query": "{ me { userId } }", "variables": {"n": NaN}}', "NaN is not a JSON value"),
    (b'{"query": "{ me { userId } }", "variables": {"s": "a\\u0000b"}}', "NUL"),
    (b'{"query": "{ me { userId } }", "variables": {"s": "\\ud800"}}', "lone surrogate"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "says"), HOSTILE_BODIES)
async def test_a_hostile_body_gets_a_400_saying_what_is_wrong(
    gateway: Gateway, content: bytes, says: str
) -> None:
    response = await gateway.http.post(
        "/graphql",
        content=content,
        headers={
            "Authorization": f"Bearer {gateway.token('u-grace', 'mentor')}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert says in error["message"]
    assert all(not s.requests for s in gateway.services.values())


async def test_graphiql_is_served_in_dev_with_the_example_operations(gateway: Gateway) -> None:
    response = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "query MyDashboard" in response.text


async def test_production_hides_graphiql_and_introspection(production: Gateway) -> None:
    page = await production.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    body = await production.query("{ __schema { types { name } } }")
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_production_masks_unexpected_errors_with_a_correlation_id(
    production: Gateway,
) -> None:
    # the service answers something that is not a program at all
    production.services["mentoring"].route("GET", "/programs", [{"id": "pg-1"}])
    body = await production.query(
        '{ me { userId } program(id: "pg-1") { name } }',
        headers={"X-Correlation-Id": "req-123456789"},
    )
    assert body["data"]["me"] == {"userId": "u-grace"}
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "correlationId": "req-123456789",
    }
    assert "req-123456789" in error["message"]
    assert "KeyError" not in json.dumps(body)
    assert body["extensions"]["correlationId"] == "req-123456789"
    assert "internalCalls" not in body["extensions"]


async def test_production_keeps_client_errors_readable(production: Gateway) -> None:
    body = await production.query(ME, token="garbage")
    assert codes(body) == ["UNAUTHENTICATED"]


def test_tokens_are_issued_with_the_test_key() -> None:
    settings = TokenSettings(issuer="mentorship-dev", audience="mentorship", secret=TEST_JWT_SECRET)
    assert issue_token(settings, user_id="u", roles=["mentee"]).count(".") == 2


async def test_an_oversized_body_is_refused_before_it_is_read() -> None:
    async with running(max_body_bytes=10_000) as small:
        token = small.token("u-grace", "mentor")
        response = await small.http.post(
            "/graphql",
            json={"query": "{ me { userId } }", "variables": {"junk": "x" * 20_000}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"query": "{ me { userId } }", "variables": {"junk": "'
            for _ in range(30):
                yield b"x" * 1_000
            yield b'"}}'

        streamed = await small.http.post(
            "/graphql",
            content=chunks(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert streamed.status_code == 413

        fine = await small.query("{ me { userId } }")
        assert fine["data"] == {"me": {"userId": "u-grace"}}
