"""Hostile requests to the governance and roster routes get a 4xx, never a 5xx, and change
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import MentoringApi
from .test_hostile_input import hostile_bodies

LONG = "x" * 5000


@pytest.mark.parametrize("body", hostile_bodies())
async def test_hostile_bodies_to_add_an_admin_get_a_client_error(
    api: MentoringApi, body: Any
) -> None:
    prog = await api.program()
    content = body if isinstance(body, str | bytes) else None
    response = await api.call(
        "POST",
        f"/programs/{prog['id']}/admins",
        "admin",
        "admin",
        **({"content": content} if content is not None else {"json": body}),
    )
    assert 400 <= response.status_code < 500, response.text[:300]
    shown = await api.call("GET", f"/programs/{prog['id']}", "admin", "admin")
    assert shown.json()["admin_ids"] == ["admin"]


@pytest.mark.parametrize(
    "params",
    [
        {"standing": "lost"},
        {"role": "admin"},
        {"first": 0},
        {"first": 101},
        {"first": "many"},
        {"after": "not a cursor"},
        {"after": LONG},
        {"search": LONG},
        {"after": "WyIyMDI2LTAxLTAxIiwgMV0="},  # ["2026-01-01", 1]: naive moment
    ],
)
async def test_hostile_roster_queries_get_a_422(api: MentoringApi, params: dict[str, Any]) -> None:
    prog = await api.program()
    for route in ("roster", "mentor-loads"):
        response = await api.call(
            "GET", f"/programs/{prog['id']}/{route}", "admin", "admin", params=params
        )
        if route == "mentor-loads" and not {"first", "after"} & set(params):
            assert response.status_code == 200, response.text[:300]  # no such filter: ignored
        else:
            assert response.status_code == 422, (route, params, response.text[:300])


async def test_removing_an_admin_by_a_hostile_id_is_refused(api: MentoringApi) -> None:
    prog = await api.program()
    for user in ("a%2Fb", "x" * 65, "%00", "two%20words"):
        response = await api.call(
            "DELETE", f"/programs/{prog['id']}/admins/{user}", "admin", "admin"
        )
        assert response.status_code in (404, 422), (user, response.text[:300])
    shown = await api.call("GET", f"/programs/{prog['id']}", "admin", "admin")
    assert shown.json()["admin_ids"] == ["admin"]
