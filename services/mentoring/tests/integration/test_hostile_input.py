"""Hostile requests never crash the service: every one gets a 4xx, never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import MentoringApi

HUGE = "x" * 100_000
NASTY_STRINGS = ["", " ", HUGE, "\u0000", "' OR 1=1 --", '{"$gt": ""}', "🧑‍🏫" * 50]


def hostile_bodies() -> list[Any]:
    bodies: list[Any] = [None, [], "text", 42, {"a": {"b": {"c": {"d": {"e": {}}}}}}]
    for value in NASTY_STRINGS:
        bodies.append({"name": value})
        bodies.append({"display_name": value, "email": value, "roles": [value]})
    bodies.append({"name": "ok", "weights": {"goal_coverage": -1}})
    bodies.append(b'{"name": "\\ud800", "display_name": "\\udfff"}')  # lone surrogates
    bodies.append(b'{"name": "ok", "weights": {"goal_coverage": 1e999}}')  # infinity
    bodies.append(b'{"name": "ok", "weights": {"goal_coverage": NaN}}')
    bodies.append(b"\xff\xfe not utf-8")
    bodies.append({"mentee_id": {"$ne": None}, "mentor_id": ["a"]})
    bodies.append({"roles": ["mentee"], "display_name": "A", "email": "a@b.co", "capacity": 10**30})
    bodies.append(
        {
            "roles": ["mentee"],
            "display_name": "A",
            "email": "a@b.co",
            "availability": [{"day": 1, "start_hour": 9, "end_hour": 10}] * 5000,
        }
    )
    return bodies


@pytest.mark.parametrize("body", hostile_bodies())
async def test_hostile_bodies_get_a_client_error(api: MentoringApi, body: Any) -> None:
    prog = await api.program()
    targets = [
        ("POST", "/programs", "admin", "admin"),
        ("PATCH", f"/programs/{prog['id']}", "admin", "admin"),
        ("POST", f"/programs/{prog['id']}/participants", "ada", "mentee"),
        ("POST", "/matches", "admin", "admin"),
        ("POST", f"/programs/{prog['id']}/matching-runs", "admin", "admin"),
    ]
    for method, path, user, role in targets:
        content = body if isinstance(body, str | bytes) else None
        response = await api.call(
            method,
            path,
            user,
            role,
            **({"content": content} if content is not None else {"json": body}),
        )
        assert response.status_code < 500, (method, path, response.text[:300])


@pytest.mark.parametrize(
    "path",
    [
        "/matches?ids=" + ",".join(["x"] * 600),
        "/matches?first=0",
        "/matches?first=100000",
        "/matches?after=not-a-cursor",
        "/matches?after=" + "A" * 300,
        "/matches?status=teleported",
        "/participants/%00",
        "/programs/" + "p" * 5000,
        "/participants/x/suggestions?k=-1",
    ],
)
async def test_hostile_queries_get_a_client_error(api: MentoringApi, path: str) -> None:
    response = await api.call("GET", path, "admin", "admin")

    assert 400 <= response.status_code < 500, response.text[:300]
