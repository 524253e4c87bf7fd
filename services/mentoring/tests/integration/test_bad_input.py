"""Bad requests get a clear answer, and leave the documents and their pending events untouched."""

from __future__ import annotations

from typing import Any

from .conftest import MentoringApi
from .test_lifecycle import propose, two_people


async def test_unknown_ids_are_404_naming_the_id(api: MentoringApi) -> None:
    response = await api.call("POST", "/matches/m_nope/accept", "grace", "mentor")

    assert response.status_code == 404
    assert response.json()["id"] == "m_nope"
    assert "m_nope" in response.json()["detail"]


async def test_an_invalid_transition_is_409_naming_the_current_state(api: MentoringApi) -> None:
    _, mentor, mentee = await two_people(api)
    match_id = (await propose(api, mentee, mentor)).json()["id"]
    await api.call("POST", f"/matches/{match_id}/decline", "grace", "mentor", json={})

    response = await api.call("POST", f"/matches/{match_id}/accept", "grace", "mentor")

    assert response.status_code == 409
    assert response.json()["current_state"] == "declined"


async def test_validation_errors_name_each_field(api: MentoringApi) -> None:
    prog = await api.program()

    response = await api.call(
        "POST",
        f"/programs/{prog['id']}/participants",
        "ada",
        "mentee",
        json={
            "roles": ["pilot"],
            "display_name": "",
            "email": "not-an-email",
            "timezone": "Mars/Olympus",
            "goals": {"purpose": 9},
            "availability": [{"day": 8, "start_hour": 10, "end_hour": 9}],
            "ranked_mentors": ["a", "b", "c", "d", "e", "f"],
            "surprise": True,
        },
    )

    assert response.status_code == 422
    fields = {".".join(str(p) for p in e["loc"][1:]) for e in response.json()["detail"]}
    assert {
        "roles.0",
        "display_name",
        "email",
        "timezone",
        "goals.purpose",
        "availability.0.day",
        "ranked_mentors",
        "surprise",
    } <= fields


async def test_a_full_mentor_is_409_and_nothing_is_half_written(api: MentoringApi) -> None:
    prog = await api.program()
    mentor = await api.register(prog["id"], "grace", "mentor", capacity=1)
    first = await api.register(prog["id"], "ada", "mentee")
    second = await api.register(prog["id"], "alan", "mentee")
    await propose(api, first, mentor)

    response = await propose(api, second, mentor)

    assert response.status_code == 409
    assert "no free place" in response.json()["detail"]
    alan = await api.db.participants.find_one({"_id": second["id"]})
    assert alan is not None
    assert alan["open_matches"] == []
    assert await api.db.matches.count_documents({}) == 1


async def test_a_mentee_gets_one_open_match_at_a_time(api: MentoringApi) -> None:
    prog, grace, ada = await two_people(api)
    alan = await api.register(prog["id"], "alan", "mentor")
    await propose(api, ada, grace)

    response = await propose(api, ada, alan)

    assert response.status_code == 409
    alan_doc = await api.db.participants.find_one({"_id": alan["id"]})
    assert alan_doc is not None
    assert alan_doc["open_matches"] == []


async def test_an_ineligible_pair_is_refused_with_the_rule_it_breaks(api: MentoringApi) -> None:
    prog = await api.program()
    mentor = await api.register(prog["id"], "grace", "mentor", languages=["fr"])
    mentee = await api.register(prog["id"], "ada", "mentee", languages=["de"])

    response = await propose(api, mentee, mentor)

    assert response.status_code == 422
    assert "no shared language" in response.json()["detail"][0]["msg"]


async def test_a_missing_or_bad_token_is_401(api: MentoringApi) -> None:
    assert (await api.http.get("/programs")).status_code == 401
    bad = await api.http.get("/programs", headers={"Authorization": "Bearer not.a.token"})
    assert bad.status_code == 401


async def test_only_the_proposed_mentor_accepts(api: MentoringApi) -> None:
    prog, mentor, mentee = await two_people(api)
    await api.register(prog["id"], "alan", "mentor")
    match_id = (await propose(api, mentee, mentor)).json()["id"]

    by_other_mentor = await api.call("POST", f"/matches/{match_id}/accept", "alan", "mentor")
    by_mentee = await api.call("POST", f"/matches/{match_id}/accept", "ada", "mentee")

    assert by_other_mentor.status_code == 403
    assert by_mentee.status_code == 403


async def test_only_the_programs_admins_run_matching(api: MentoringApi) -> None:
    prog, *_ = await two_people(api)
    path = f"/programs/{prog['id']}/matching-runs"

    as_mentor = await api.call("POST", path, "grace", "mentor", json={})
    as_other_admin = await api.call("POST", path, "boss", "admin", json={})

    assert as_mentor.status_code == 403
    assert as_other_admin.status_code == 403


async def test_people_see_only_what_concerns_them(api: MentoringApi) -> None:
    prog, mentor, mentee = await two_people(api)
    stranger = await api.register(prog["id"], "eve", "mentee")

    as_stranger: Any = (
        await api.call("GET", f"/participants?ids={mentee['id']},{mentor['id']}", "eve", "mentee")
    ).json()
    own = await api.call("GET", f"/participants/{stranger['id']}", "eve", "mentee")
    other = await api.call("GET", f"/participants/{mentee['id']}", "eve", "mentee")

    assert [p["id"] for p in as_stranger] == [mentor["id"]], "mentors are visible, mentees not"
    assert own.status_code == 200
    assert other.status_code == 404
