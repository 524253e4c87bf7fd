"""Queries and mutations against fake services: what is sent, and how answers become GraphQL."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from .conftest import Gateway, running
from .samples import match, participant, program, progress

CHECK_IN = """
mutation($confidence: Int!) {
  recordCheckIn(menteeId: "pt-ada", moduleId: "purpose", confidence: $confidence,
                idempotencyKey: "k-1") {
    __typename
    ... on MenteeProgress { percent confidenceTrend }
    ... on ValidationError { message problems { path message } }
    ... on NotFound { kind id }
    ... on Conflict { currentState }
    ... on MutationError { message }
  }
}"""


async def test_the_token_and_the_correlation_id_travel_to_the_service(gateway: Gateway) -> None:
    gateway.services["progress"].route(
        "POST", "/mentees/pt-ada/check-ins", httpx.Response(201, json=progress("pt-ada"))
    )
    gateway.services["progress"].routes[("POST", "/mentees/pt-ada/check-ins")] = lambda _: (
        httpx.Response(201, json=progress("pt-ada", trend="rising"))
    )
    token = gateway.token("u-ada", "mentee")

    body = await gateway.query(
        CHECK_IN, {"confidence": 4}, token=token, headers={"X-Correlation-Id": "front-0001"}
    )

    assert body["data"]["recordCheckIn"] == {
        "__typename": "MenteeProgress",
        "percent": 10,
        "confidenceTrend": "RISING",
    }
    [sent] = gateway.services["progress"].requests
    assert sent.headers["authorization"] == f"Bearer {token}"
    assert sent.headers["x-correlation-id"] == "front-0001"
    assert sent.headers["idempotency-key"] == "k-1"
    assert json.loads(sent.content) == {"module_id": "purpose", "confidence": 4, "note": None}
    assert body["extensions"]["correlationId"] == "front-0001"


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        pytest.param(
            422,
            {
                "detail": [
                    {
                        "loc": ["body", "confidence"],
                        "msg": "Input should be less than or equal to 5",
                        "type": "less_than_equal",
                    }
                ]
            },
            {
                "__typename": "ValidationError",
                "message": "invalid input: confidence: Input should be less than or equal to 5",
                "problems": [
                    {
                        "path": ["confidence"],
                        "message": "Input should be less than or equal to 5",
                    }
                ],
            },
            id="422",
        ),
        pytest.param(
            404,
            {"detail": "mentee 'pt-ada' not found", "kind": "mentee", "id": "pt-ada"},
            {
                "__typename": "NotFound",
                "kind": "MENTEE",
                "id": "pt-ada",
                "message": "mentee 'pt-ada' not found",
            },
            id="404",
        ),
        pytest.param(
            403,
            {"detail": "only the mentee and their mentor record activity"},
            {
                "__typename": "Forbidden",
                "message": "only the mentee and their mentor record activity",
            },
            id="403",
        ),
        pytest.param(
            409,
            {"detail": "cannot check in: the tracking is stopped", "current_state": "stopped"},
            {
                "__typename": "Conflict",
                "currentState": "STOPPED",
                "message": "cannot check in: the tracking is stopped",
            },
            id="409",
        ),
    ],
)
async def test_a_refusal_becomes_a_typed_error(
    gateway: Gateway, status: int, answer: dict[str, object], expected: dict[str, object]
) -> None:
    gateway.services["progress"].route(
        "POST", "/mentees/pt-ada/check-ins", lambda _: httpx.Response(status, json=answer)
    )
    body = await gateway.query(CHECK_IN, {"confidence": 9})
    assert "errors" not in body
    assert body["data"]["recordCheckIn"] == expected


async def test_a_mutation_on_a_service_that_is_down_is_a_field_error(gateway: Gateway) -> None:
    gateway.services["progress"].down = True
    body = await gateway.query(CHECK_IN, {"confidence": 3})
    assert body["data"] == {"recordCheckIn": None}
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert body["errors"][0]["extensions"]["service"] == "progress"


async def test_a_service_error_is_unavailable_not_a_crash(gateway: Gateway) -> None:
    gateway.services["mentoring"].route(
        "GET", "/programs", lambda _: httpx.Response(500, text="boom")
    )
    body = await gateway.query('{ program(id: "pg-1") { name } }')
    assert body["data"] == {"program": None}
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


@pytest.mark.parametrize("bad", ["../admin", "a/b", "..", "x" * 65, "", "pt ada"])
async def test_ids_that_are_not_ids_never_reach_a_service(gateway: Gateway, bad: str) -> None:
    body = await gateway.query(
        "query($id: ID!) { mentee(id: $id) { id } menteeProgress(menteeId: $id) { percent } }",
        {"id": bad},
    )
    # refused per field (not a path segment), or for the whole request (not an id at all)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
    assert body["data"] is None or body["data"] == {"mentee": None, "menteeProgress": None}
    assert all(not s.changes for s in gateway.services.values())


@pytest.mark.parametrize("first", [0, -1, 101, 10_000])
async def test_page_sizes_are_capped(gateway: Gateway, first: int) -> None:
    body = await gateway.query(
        "query($n: Int!) { matches(first: $n) { nodes { id } } }", {"n": first}
    )
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    assert not gateway.services["mentoring"].changes


async def test_matches_page_with_the_services_cursor(gateway: Gateway) -> None:
    gateway.services["mentoring"].route(
        "GET", "/matches", {"items": [match("m-1"), match("m-2")], "next_cursor": "cur-2"}
    )
    gateway.services["mentoring"].route("GET", "/programs", [program("pg-1")])
    body = await gateway.query(
        """{ matches(programId: "pg-1", status: PROPOSED, first: 2, after: "cur-0") {
               edges { cursor node { id status mentee { name } } }
               pageInfo { hasNextPage endCursor } } }"""
    )
    page = body["data"]["matches"]
    assert page["pageInfo"] == {"hasNextPage": True, "endCursor": "cur-2"}
    assert [e["cursor"] for e in page["edges"]] == [None, "cur-2"]
    assert page["edges"][0]["node"] == {
        "id": "m-1",
        "status": "PROPOSED",
        "mentee": {"name": "Ada"},
    }
    [sent] = [r for r in gateway.services["mentoring"].requests if r.url.path == "/matches"]
    assert dict(sent.url.params) == {
        "first": "2",
        "program_id": "pg-1",
        "status": "proposed",
        "after": "cur-0",
    }


async def test_nested_profiles_the_caller_may_not_see_are_forbidden_alone(
    gateway: Gateway,
) -> None:
    gateway.services["mentoring"].route("GET", "/matches", {"items": [match("m-1")]})
    # the service returns only the profiles the caller may see: here, the mentor's
    gateway.services["mentoring"].route("GET", "/participants", [participant("pt-grace", "mentor")])

    body = await gateway.query(
        """{ match(id: "m-1") { id mentee { profile { displayName } }
                              mentor { profile { displayName } } } }"""
    )

    assert body["data"]["match"] == {
        "id": "m-1",
        "mentee": {"profile": None},
        "mentor": {"profile": {"displayName": "Pt-Grace"}},
    }
    [error] = body["errors"]
    assert error["path"] == ["match", "mentee", "profile"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert len(gateway.services["mentoring"].changes) == 2


async def test_update_profile_sends_only_what_was_given(gateway: Gateway) -> None:
    gateway.services["mentoring"].route(
        "PATCH",
        "/participants/pt-ada",
        lambda _: httpx.Response(200, json=participant("pt-ada", department=None)),
    )
    body = await gateway.query(
        """mutation { updateProfile(participantId: "pt-ada",
                        input: {timezone: "Europe/Paris", department: null,
                                goals: [{key: "purpose", level: 4}]}) {
               __typename ... on Participant { id } } }"""
    )
    assert body["data"]["updateProfile"] == {"__typename": "Participant", "id": "pt-ada"}
    [sent] = gateway.services["mentoring"].requests
    assert json.loads(sent.content) == {
        "timezone": "Europe/Paris",
        "department": None,
        "goals": {"purpose": 4},
    }


async def test_an_empty_profile_update_is_refused_without_a_call(gateway: Gateway) -> None:
    body = await gateway.query(
        """mutation { updateProfile(participantId: "pt-ada", input: {}) {
               __typename ... on ValidationError { problems { path } } } }"""
    )
    assert body["data"]["updateProfile"]["__typename"] == "ValidationError"
    assert not gateway.services["mentoring"].requests


async def test_notifications_and_preferences(gateway: Gateway) -> None:
    gateway.services["notify"].route(
        "GET",
        "/inbox",
        {
            "items": [
                {
                    "id": "n-1",
                    "kind": "progress.confidence_dropped",
                    "priority": "high",
                    "title": "Ada's confidence dropped",
                    "body": "4 to 2",
                    "html_body": "<p>4 to 2</p>",
                    "subject_id": "pt-ada",
                    "created_at": "2026-11-28T10:00:00Z",
                    "read_at": None,
                }
            ],
            "next_cursor": None,
            "unread": 1,
        },
    )
    gateway.services["notify"].route(
        "GET",
        "/preferences",
        {
            "channels": {"progress.confidence_dropped": ["in_app", "email"]},
            "quiet_hours": {"start": "22:00", "end": "07:00"},
            "timezone": None,
            "digest": "immediate",
            "digest_hour": 8,
            "webhook_url": None,
            "email": None,
            "webhook_secret": None,
        },
    )
    body = await gateway.query(
        """{ notifications(unreadOnly: true) { unread notifications { nodes { id title } } }
             notificationPreferences { channels { kind channels } quietHours { start end } } }"""
    )
    assert body["data"]["notifications"] == {
        "unread": 1,
        "notifications": {"nodes": [{"id": "n-1", "title": "Ada's confidence dropped"}]},
    }
    assert body["data"]["notificationPreferences"]["quietHours"] == {
        "start": "22:00",
        "end": "07:00",
    }
    inbox = gateway.services["notify"].requests[0]
    assert inbox.url.params["unread_only"] == "true"


async def test_program_health_and_programs(gateway: Gateway) -> None:
    gateway.services["mentoring"].route("GET", "/programs", [program("pg-1"), program("pg-2")])
    gateway.services["progress"].route(
        "GET",
        "/programs/pg-1/health",
        {
            "program_id": "pg-1",
            "mentees": 3,
            "by_status": {"on_track": 2, "stalled": 1},
            "funnel": [{"module_id": "purpose", "title": "Purpose", "completed": 1}],
        },
    )
    body = await gateway.query(
        """{ programs(first: 1) { nodes { id } pageInfo { hasNextPage } }
             programHealth(programId: "pg-1") { mentees byStatus { status count } } }""",
        roles=("admin",),
    )
    assert body["data"]["programs"] == {
        "nodes": [{"id": "pg-1"}],
        "pageInfo": {"hasNextPage": True},
    }
    assert body["data"]["programHealth"]["byStatus"] == [
        {"status": "ON_TRACK", "count": 2},
        {"status": "STALLED", "count": 1},
    ]


async def test_a_request_past_its_deadline_gets_a_timeout_error() -> None:
    async with running(request_timeout_seconds=0.2) as gateway:

        async def slow(_: httpx.Request) -> httpx.Response:
            await asyncio.sleep(5)
            return httpx.Response(200, json=[])

        gateway.services["mentoring"].routes[("GET", "/programs")] = slow  # type: ignore[assignment]
        body = await gateway.query('{ program(id: "pg-1") { name } }')
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert body["extensions"]["correlationId"]


async def test_metrics_count_the_internal_calls(gateway: Gateway) -> None:
    gateway.services["notify"].down = True
    await gateway.query("{ notifications { unread } }")
    metrics = (await gateway.http.get("/metrics")).text
    assert 'mentorship_gateway_internal_calls_total{outcome="unreachable",service="notify"}' in (
        metrics
    )
    assert "mentorship_http_request_seconds" in metrics


async def test_a_matching_run_may_take_longer_than_other_requests() -> None:
    # a deadline a loaded machine can meet before the resolver runs, that the run outlasts
    async with running(request_timeout_seconds=1, matching_timeout_seconds=30) as gateway:

        async def matching(_: httpx.Request) -> httpx.Response:
            await asyncio.sleep(1.5)
            return httpx.Response(
                200,
                json={
                    "id": "run_1",
                    "program_id": "pg-1",
                    "objective": "best_fit",
                    "matched_count": 1,
                    "total_score": 70.0,
                    "mean_score": 70.0,
                    "blocking_pairs": 0,
                    "proposals": ["m_1"],
                    "unmatched": [],
                },
            )

        gateway.services["mentoring"].routes[("POST", "/programs/pg-1/matching-runs")] = matching  # type: ignore[assignment]
        body = await gateway.query(
            """mutation { runMatching(programId: "pg-1") {
                 __typename ... on MatchingRun { matchedCount proposalIds } } }""",
            roles=("admin",),
        )
        assert body["data"]["runMatching"] == {
            "__typename": "MatchingRun",
            "matchedCount": 1,
            "proposalIds": ["m_1"],
        }
