"""The programs an admin runs, a page at a time: the cursor is the last program's id."""

from __future__ import annotations

import httpx

from .conftest import Gateway
from .samples import program

PROGRAMS = (
    "query($after: String) { programs(first: 2, after: $after) "
    "{ nodes { id } pageInfo { hasNextPage endCursor } } }"
)


def administered(gateway: Gateway, *ids: str) -> None:
    def programs(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        first = int(request.url.params["first"])
        later = [p for p in ids if after is None or p > after]
        return httpx.Response(200, json=[program(p) for p in later[:first]])

    gateway.services["mentoring"].route("GET", "/programs", programs)


async def test_the_programs_are_paged_with_the_last_id_as_cursor(gateway: Gateway) -> None:
    administered(gateway, "pg-1", "pg-2", "pg-3")

    first = await gateway.query(PROGRAMS, {"after": None}, roles=("admin",))
    page = first["data"]["programs"]
    rest = await gateway.query(PROGRAMS, {"after": page["pageInfo"]["endCursor"]}, roles=("admin",))

    assert page == {
        "nodes": [{"id": "pg-1"}, {"id": "pg-2"}],
        "pageInfo": {"hasNextPage": True, "endCursor": "pg-2"},
    }
    assert rest["data"]["programs"] == {
        "nodes": [{"id": "pg-3"}],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    asked = [r.url.params.get("after") for r in gateway.services["mentoring"].requests]
    assert asked == [None, "pg-2"]


async def test_an_empty_cursor_is_refused(gateway: Gateway) -> None:
    body = await gateway.query(PROGRAMS, {"after": ""}, roles=("admin",))

    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
