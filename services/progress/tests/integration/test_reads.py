"""The gateway's reads: many mentees in one call, a mentor's mentees page by page, each person
seeing only what they may."""

from __future__ import annotations

import base64
from typing import Any

from mentorship_contracts.events import ProgramAdmin, ProgramPublished
from mentorship_testing.kafka import eventually

from .conftest import ProgressApi
from .test_progress_flow import accepted


async def enrol(api: ProgressApi, *mentees: str, mentor: str = "pt-grace") -> None:
    for mentee in mentees:
        await api.publish(accepted(mentee, mentor))
    for mentee in mentees:
        await api.tracked(mentee)


async def batch(api: ProgressApi, user: str, role: str, *ids: str) -> Any:
    return await api.call("GET", "/progress", user, role, params=[("mentee_id", i) for i in ids])


async def test_many_mentees_in_one_call_unknown_and_hidden_ones_absent(api: ProgressApi) -> None:
    await enrol(api, "pt-ada", "pt-bob")
    await enrol(api, "pt-cy", mentor="pt-alan")

    mentor = await batch(api, "u-pt-grace", "mentor", "pt-bob", "pt-nobody", "pt-ada", "pt-cy")
    mentee = await batch(api, "u-pt-ada", "mentee", "pt-ada", "pt-bob")
    comma = await api.call(
        "GET", "/progress", "u-pt-grace", "mentor", params={"mentee_ids": "pt-ada,pt-bob"}
    )

    assert mentor.status_code == 200, mentor.text
    assert [v["mentee_id"] for v in mentor.json()] == ["pt-bob", "pt-ada"]
    assert [v["mentee_id"] for v in mentee.json()] == ["pt-ada"]
    assert [v["mentee_id"] for v in comma.json()] == ["pt-ada", "pt-bob"]


async def test_admins_see_the_mentees_of_their_programs_only(api: ProgressApi) -> None:
    await api.publish(
        ProgramPublished(
            program_id="pg-1",
            name="Program",
            status="open",
            learning_path_id="social-business-accompaniment",
            admins=[ProgramAdmin(user_id="u-admin")],
        )
    )

    async def known() -> bool:
        return await api.db.programs.find_one({"_id": "pg-1"}) is not None

    await eventually(known, timeout=30)
    await enrol(api, "pt-ada")
    elsewhere = accepted("pt-zed").model_copy(update={"program_id": "pg-2"})
    await api.publish(elsewhere)
    await api.tracked("pt-zed")

    seen = await batch(api, "u-admin", "admin", "pt-ada", "pt-zed")
    other_admin = await batch(api, "u-other", "admin", "pt-ada")
    graces = await api.call("GET", "/mentors/pt-grace/mentees", "u-admin", "admin")
    peeking = await api.call("GET", "/mentors/pt-grace/mentees", "u-pt-alan", "mentor")

    assert [v["mentee_id"] for v in seen.json()] == ["pt-ada"]
    assert other_admin.json() == []
    assert [v["mentee_id"] for v in graces.json()["mentees"]] == ["pt-ada"]
    assert peeking.status_code == 403


async def test_a_mentor_pages_through_their_mentees_with_cursors(api: ProgressApi) -> None:
    names = ["pt-ann", "pt-ben", "pt-cat", "pt-dan", "pt-eva"]
    for name in names:
        await enrol(api, name)
        api.clock.advance(minutes=1)
    await api.call(
        "POST",
        "/mentees/pt-ben/check-ins",
        "u-pt-ben",
        "mentee",
        json={"module_id": "purpose", "confidence": 4},
    )

    seen: list[dict[str, Any]] = []
    after: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"first": 2, **({"after": after} if after else {})}
        page = (
            await api.call("GET", "/mentors/me/mentees", "u-pt-grace", "mentor", params=params)
        ).json()
        seen.extend(page["mentees"])
        pages += 1
        after = page["next_cursor"]
        if after is None:
            break

    assert pages == 3
    assert [m["mentee_id"] for m in seen] == names
    assert page["by_status"]["on_track"] == 5
    ben = seen[1]
    assert (ben["status"], ben["percent"], ben["sessions_count"]) == ("on_track", 0, 0)
    assert ben["last_activity_at"] is not None
    assert ben["modules"][0]["trend"] == "unknown"
    assert ben["modules"][0]["latest_confidence"] == 4


async def test_bad_read_parameters_are_refused_clearly(api: ProgressApi) -> None:
    too_many = await api.call(
        "GET", "/mentors/me/mentees", "u-pt-grace", "mentor", params={"first": 101}
    )
    bad_cursor = await api.call(
        "GET", "/mentors/me/mentees", "u-pt-grace", "mentor", params={"after": "not-a-cursor"}
    )
    no_ids = await api.call("GET", "/progress", "u-pt-grace", "mentor")
    huge = await batch(api, "u-pt-grace", "mentor", *(f"pt-{i}" for i in range(501)))

    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "first"]
    assert bad_cursor.status_code == 422
    assert "not a cursor" in bad_cursor.json()["detail"][0]["msg"]
    assert no_ids.status_code == 422
    assert huge.status_code == 422
    assert "at most 500" in huge.json()["detail"][0]["msg"]


BEYOND_YEAR_9999 = base64.urlsafe_b64encode(b'["9999-12-31T23:59:59-14:00", "ps-1"]').decode()


async def test_planned_sessions_are_read_upcoming_or_past_a_page_at_a_time(
    api: ProgressApi,
) -> None:
    await enrol(api, "pt-ada")
    for day in (3, 1, 5, 2, 4):
        response = await api.call(
            "POST",
            "/mentees/pt-ada/planned-sessions",
            "u-pt-ada",
            "mentee",
            json={
                "planned_session_id": f"ps-{day}",
                "local_start": f"2026-11-0{2 + day}T10:00",
                "time_zone": "Europe/Paris",
                "duration_minutes": 45,
                "location": "Café",
            },
        )
        assert response.status_code == 201, response.text
    api.clock.advance(days=2, hours=12)  # ps-1 and ps-2 have started

    async def pages(when: str) -> list[list[str]]:
        seen: list[list[str]] = []
        after: str | None = None
        while True:
            params: dict[str, Any] = {
                "when": when,
                "first": 2,
                **({"after": after} if after else {}),
            }
            response = await api.call(
                "GET", "/mentees/pt-ada/planned-sessions", "u-pt-grace", "mentor", params=params
            )
            assert response.status_code == 200, response.text
            seen.append([p["id"] for p in response.json()["items"]])
            after = response.json()["next_cursor"]
            if after is None:
                return seen

    assert await pages("upcoming") == [["ps-3", "ps-4"], ["ps-5"]]
    assert await pages("past") == [["ps-2", "ps-1"]]

    first_page = await api.call(
        "GET", "/mentees/pt-ada/planned-sessions", "u-pt-ada", "mentee", params={"first": 1}
    )
    cursor = first_page.json()["next_cursor"]
    refused = {
        "another list's cursor": {"when": "past", "after": cursor},
        "not a cursor": {"after": "upcoming.not-a-cursor"},
        "a moment BSON cannot encode": {"after": "upcoming." + BEYOND_YEAR_9999},
        "a page too large": {"first": 101},
        "an unknown list": {"when": "someday"},
    }
    for why, params in refused.items():
        response = await api.call(
            "GET", "/mentees/pt-ada/planned-sessions", "u-pt-ada", "mentee", params=params
        )
        assert response.status_code == 422, (why, response.text)
        assert response.json()["detail"][0]["loc"][-1] in params, (why, response.text)
    stranger = await api.call("GET", "/mentees/pt-ada/planned-sessions", "u-nobody", "mentor")
    assert stranger.status_code == 404
