"""A mentor's dashboard costs one call per service, however many mentees it shows."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx

from .conftest import Gateway, running
from .samples import participant, program, progress

DASHBOARD = """
query {
  myMentees(first: 50) {
    byStatus { status count }
    mentees {
      nodes {
        menteeId status confidenceTrend lastActivityAt unreadAlerts
        profile { displayName program { name } }
        progress { percent modules { moduleId trend } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def serve_dashboard(gateway: Gateway, count: int) -> list[str]:
    ids = [f"pt-{i:02d}" for i in range(count)]
    views = [progress(i, trend="falling" if n % 2 else "rising") for n, i in enumerate(ids)]
    gateway.services["progress"].route(
        "GET",
        "/mentors/me/mentees",
        {"by_status": {"on_track": count}, "mentees": views, "next_cursor": None},
    )

    def participants(request: httpx.Request) -> httpx.Response:
        asked = request.url.params["ids"].split(",")
        return httpx.Response(200, json=[participant(i) for i in asked])

    def counts(request: httpx.Request) -> httpx.Response:
        asked = parse_qs(request.url.query.decode())["subject_id"]
        return httpx.Response(200, json={"counts": {i: int(i[-1]) for i in asked}})

    gateway.services["mentoring"].route("GET", "/participants", participants)
    gateway.services["mentoring"].route(
        "GET", "/programs", lambda _: httpx.Response(200, json=[program()])
    )
    gateway.services["notify"].route("GET", "/inbox/unread-count/by-subject", counts)
    return ids


async def test_a_dashboard_of_50_mentees_costs_one_call_per_service_and_level(
    gateway: Gateway,
) -> None:
    ids = serve_dashboard(gateway, 50)

    body = await gateway.query(DASHBOARD)

    assert "errors" not in body, body
    nodes = body["data"]["myMentees"]["mentees"]["nodes"]
    assert [n["menteeId"] for n in nodes] == ids
    assert nodes[3]["unreadAlerts"] == 3
    assert nodes[1]["confidenceTrend"] == "FALLING"
    assert nodes[0]["profile"]["displayName"] == "Pt-00"
    assert nodes[0]["profile"]["program"]["name"] == "Social business"
    # one call for the mentees, one for their profiles, one for their programs (the next level),
    # one for the unread counts: constant, not 50
    assert body["extensions"]["internalCalls"] == {"mentoring": 2, "progress": 1, "notify": 1}
    [profiles] = [
        r for r in gateway.services["mentoring"].requests if r.url.path == "/participants"
    ]
    assert sorted(profiles.url.params["ids"].split(",")) == ids


async def test_the_calls_stay_constant_whatever_the_number_of_mentees(gateway: Gateway) -> None:
    for count in (1, 7, 50):
        serve_dashboard(gateway, count)
        body = await gateway.query(DASHBOARD)
        assert len(body["data"]["myMentees"]["mentees"]["nodes"]) == count
        assert sum(body["extensions"]["internalCalls"].values()) == 4


async def test_a_service_down_leaves_the_rest_of_the_dashboard(gateway: Gateway) -> None:
    serve_dashboard(gateway, 3)
    gateway.services["notify"].down = True

    body = await gateway.query(DASHBOARD)

    nodes = body["data"]["myMentees"]["mentees"]["nodes"]
    assert [n["unreadAlerts"] for n in nodes] == [None, None, None]
    assert [n["profile"]["displayName"] for n in nodes] == ["Pt-00", "Pt-01", "Pt-02"]
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"SERVICE_UNAVAILABLE"}
    assert {tuple(e["path"][-1:]) for e in body["errors"]} == {("unreadAlerts",)}
    assert len(gateway.services["notify"].requests) == 1


async def test_progress_down_gives_a_null_dashboard_and_other_fields_still_answer(
    gateway: Gateway,
) -> None:
    gateway.services["progress"].down = True

    body = await gateway.query("{ me { userId roles } myMentees { byStatus { status } } }")

    assert body["data"]["me"] == {"userId": "u-grace", "roles": ["MENTOR"]}
    assert body["data"]["myMentees"] is None
    [error] = body["errors"]
    assert error["path"] == ["myMentees"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"


async def test_an_admin_looks_at_a_mentors_dashboard_by_participant_id(gateway: Gateway) -> None:
    gateway.services["mentoring"].route("GET", "/participants", [participant("pt-grace", "mentor")])
    gateway.services["progress"].route(
        "GET",
        "/mentors/pt-grace/mentees",
        {
            "by_status": {"stalled": 1},
            "mentees": [progress("pt-ada", "stalled")],
            "next_cursor": "c",
        },
    )
    body = await gateway.query(
        """{ mentorDashboard(mentorId: "pt-grace", first: 1) {
               byStatus { status count }
               mentees { nodes { menteeId status } pageInfo { hasNextPage endCursor } } } }""",
        roles=("admin",),
    )
    assert body["data"]["mentorDashboard"] == {
        "byStatus": [{"status": "STALLED", "count": 1}],
        "mentees": {
            "nodes": [{"menteeId": "pt-ada", "status": "STALLED"}],
            "pageInfo": {"hasNextPage": True, "endCursor": "c"},
        },
    }
    [sent] = gateway.services["progress"].requests
    assert sent.url.params["first"] == "1"


async def test_the_mentor_id_me_is_not_a_participant(gateway: Gateway) -> None:
    body = await gateway.query('{ mentorDashboard(mentorId: "me") { byStatus { status } } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not gateway.services["progress"].requests


async def test_with_dataloaders_off_the_calls_grow_with_the_mentees() -> None:
    """DATALOADERS=false (a benchmarking switch): one call per mentee and field, same answer."""
    async with running(dataloaders=False) as unbatched:
        for count in (1, 7, 50):
            ids = serve_dashboard(unbatched, count)
            body = await unbatched.query(DASHBOARD)
            assert "errors" not in body, body
            nodes = body["data"]["myMentees"]["mentees"]["nodes"]
            assert [n["menteeId"] for n in nodes] == ids
            assert nodes[-1]["profile"]["displayName"] == f"Pt-{count - 1:02d}"
            # per mentee: its profile, its profile's program, its unread count
            assert body["extensions"]["internalCalls"] == {
                "progress": 1,
                "mentoring": 2 * count,
                "notify": count,
            }
    async with running() as batched:
        for count in (1, 7, 50):
            serve_dashboard(batched, count)
            body = await batched.query(DASHBOARD)
            assert sum(body["extensions"]["internalCalls"].values()) == 4
