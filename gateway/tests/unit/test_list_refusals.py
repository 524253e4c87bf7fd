"""A list filtered by something the caller may not see is FORBIDDEN, never an empty page (the
services filter such lists by the caller, so the gateway asks about the filter itself)."""

from __future__ import annotations

import httpx

from .conftest import Gateway
from .samples import match, participant, program

MATCHES = "query($p: ID) { matches(programId: $p) { nodes { id } } }"
DASHBOARD = "query($m: ID!) { mentorDashboard(mentorId: $m) { mentees { nodes { menteeId } } } }"
EMPTY_DASHBOARD: dict[str, object] = {"by_status": {}, "mentees": [], "next_cursor": None}


def visible_programs(gateway: Gateway, *visible: str) -> None:
    def programs(request: httpx.Request) -> httpx.Response:
        asked = request.url.params["ids"].split(",")
        return httpx.Response(200, json=[program(p) for p in asked if p in visible])

    gateway.services["mentoring"].route("GET", "/programs", programs)


async def test_matches_of_a_program_you_may_not_see_are_forbidden(gateway: Gateway) -> None:
    visible_programs(gateway, "pg-1")
    gateway.services["mentoring"].route("GET", "/matches", {"items": [], "next_cursor": None})

    body = await gateway.query(MATCHES, {"p": "pg-secret"})

    assert body["data"] == {"matches": None}
    [error] = body["errors"]
    assert error["path"] == ["matches"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "pg-secret" in error["message"]


async def test_matches_of_a_program_you_see_are_listed(gateway: Gateway) -> None:
    visible_programs(gateway, "pg-1")
    gateway.services["mentoring"].route("GET", "/matches", {"items": [match("m-1")]})

    body = await gateway.query(MATCHES, {"p": "pg-1"})

    assert body == {**body, "data": {"matches": {"nodes": [{"id": "m-1"}]}}}
    assert "errors" not in body


async def test_your_own_matches_need_no_program(gateway: Gateway) -> None:
    gateway.services["mentoring"].route("GET", "/matches", {"items": [match("m-1")]})

    body = await gateway.query(MATCHES, {"p": None})

    assert body["data"] == {"matches": {"nodes": [{"id": "m-1"}]}}
    assert [r.url.path for r in gateway.services["mentoring"].requests] == ["/matches"]


async def test_the_dashboard_of_a_mentor_you_may_not_see_is_forbidden(gateway: Gateway) -> None:
    gateway.services["mentoring"].route("GET", "/participants", [])
    gateway.services["progress"].route("GET", "/mentors/pt-secret/mentees", EMPTY_DASHBOARD)

    body = await gateway.query(DASHBOARD, {"m": "pt-secret"}, roles=("admin",))

    assert body["data"] == {"mentorDashboard": None}
    [error] = body["errors"]
    assert error["path"] == ["mentorDashboard"]
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_the_dashboard_of_someone_who_is_not_a_mentor_is_bad_input(
    gateway: Gateway,
) -> None:
    gateway.services["mentoring"].route("GET", "/participants", [participant("pt-ada")])
    gateway.services["progress"].route("GET", "/mentors/pt-ada/mentees", EMPTY_DASHBOARD)

    body = await gateway.query(DASHBOARD, {"m": "pt-ada"}, roles=("admin",))

    assert body["data"] == {"mentorDashboard": None}
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
