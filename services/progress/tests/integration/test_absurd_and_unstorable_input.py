"""Dates and numbers that cannot be right, and strings no MongoDB server keeps: a 422 naming the
field, and nothing stored or published."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import ProgressApi
from .test_progress_flow import accepted

JSON = {"content-type": "application/json"}
SESSIONS = "/mentees/pt-ada/sessions"
CHECK_INS = "/mentees/pt-ada/check-ins"


def fields(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, response.text[:300]
    return [d["loc"] for d in response.json()["detail"]]


async def tracked(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")


async def history(api: ProgressApi) -> dict[str, Any]:
    document = await api.db.trackings.find_one({"_id": "pt-ada"})
    assert document is not None
    return {k: document[k] for k in ("check_ins", "milestones", "sessions")}


async def test_a_session_on_a_day_that_cannot_be_right_is_refused_naming_held_on(
    api: ProgressApi,
) -> None:
    await tracked(
        api
    )  # the clock says 2026-11-02 09:00 UTC: 23:00 at UTC+14, 21:00 on the 1st at UTC-12
    days = ["0001-01-01", "1926-11-02", "0026-11-02", "2025-10-31", "2026-11-03", "9999-12-31"]
    not_dates = [0, 20261101, "2026-11-01T00:00:00", "2026-11-1", True, None]

    answers = [
        await api.call(
            "POST",
            SESSIONS,
            "u-pt-ada",
            "mentee",
            json={"held_on": held_on, "duration_minutes": 30},
        )
        for held_on in [*days, *not_dates]
    ]

    for answer in answers:
        assert fields(answer) == [["body", "held_on"]]
    assert "more than a year ago" in answers[0].json()["detail"][0]["msg"]
    assert "in the future" in answers[4].json()["detail"][0]["msg"]
    assert (await history(api))["sessions"] == []
    assert await api.progress_events() == []


async def test_the_edges_of_the_range_are_accepted(api: ProgressApi) -> None:
    await tracked(api)

    last_year = await api.call(
        "POST",
        SESSIONS,
        "u-pt-ada",
        "mentee",
        json={"held_on": "2025-11-01", "duration_minutes": 30},
    )
    api.clock.advance(hours=11)  # 20:00 UTC: already the 3rd east of UTC+4
    tomorrow_in_utc = await api.call(
        "POST",
        SESSIONS,
        "u-pt-ada",
        "mentee",
        json={"held_on": "2026-11-03", "duration_minutes": 30},
    )

    assert last_year.status_code == 201, last_year.text
    assert tomorrow_in_utc.status_code == 201, tomorrow_in_utc.text
    assert [s["held_on"] for s in (await history(api))["sessions"]] == ["2025-11-01", "2026-11-03"]


async def test_durations_ratings_and_confidences_out_of_range_or_not_whole_numbers_are_refused(
    api: ProgressApi,
) -> None:
    await tracked(api)
    session = {"held_on": "2026-11-01", "duration_minutes": 30}
    bad: list[tuple[str, dict[str, Any], list[Any]]] = [
        *(
            (SESSIONS, {**session, "duration_minutes": minutes}, ["body", "duration_minutes"])
            for minutes in (-5, 0, 481, 10**9, 10**40, 30.5, 30.0, "30", True)
        ),
        *(
            (SESSIONS, {**session, "rating": rating}, ["body", "rating"])
            for rating in (0, 6, -1, 4.0, "4", True)
        ),
        *(
            (CHECK_INS, {"module_id": "purpose", "confidence": level}, ["body", "confidence"])
            for level in (0, 6, 3.0, "3", True)
        ),
    ]

    for path, body, loc in bad:
        answer = await api.call("POST", path, "u-pt-ada", "mentee", json=body)
        assert fields(answer) == [loc], body

    assert await history(api) == {"check_ins": [], "milestones": [], "sessions": []}
    assert await api.progress_events() == []


async def test_a_nul_or_a_lone_surrogate_anywhere_is_refused_and_nothing_is_stored(
    api: ProgressApi,
) -> None:
    await tracked(api)
    module = {"id": "m", "title": "T", "description": "D"}
    milestone = {"id": "s", "title": "T\u0000", "description": "D", "evidence_expected": "E"}
    hostile: list[tuple[str, str, str, dict[str, Any], list[Any]]] = [
        (
            CHECK_INS,
            "u-pt-ada",
            "mentee",
            {"json": {"module_id": "purpose", "confidence": 3, "note": "fine\u0000"}},
            ["body", "note"],
        ),
        (
            SESSIONS,
            "u-pt-ada",
            "mentee",
            {
                "content": b'{"held_on": "2026-11-01", "duration_minutes": 30, "notes": "\\udc00"}',
                "headers": JSON,
            },
            ["body", "notes"],
        ),
        (
            SESSIONS,
            "u-pt-ada",
            "mentee",
            {
                "json": {
                    "held_on": "2026-11-01",
                    "duration_minutes": 30,
                    "module_ids": ["purpose", "\u0000"],
                }
            },
            ["body", "module_ids", 1],
        ),
        (
            "/mentees/pt-ada/milestones/explain-the-why/complete",
            "u-pt-ada",
            "mentee",
            {"content": b'{"evidence": "\xed\xa0\x80"}', "headers": JSON},
            ["body", "evidence"],
        ),
        (
            "/mentees/pt-ada%00/check-ins",
            "u-pt-ada",
            "mentee",
            {"json": {"module_id": "purpose", "confidence": 3}},
            ["path", "mentee_id"],
        ),
        (
            "/learning-paths",
            "u-admin",
            "admin",
            {"json": {"id": "p", "title": "P", "modules": [{**module, "milestones": [milestone]}]}},
            ["body", "modules", 0, "milestones", 0, "title"],
        ),
        (
            "/learning-paths",
            "u-admin",
            "admin",
            {"content": b'{"id": "p", "id": "q", "title": "P", "modules": []}', "headers": JSON},
            ["body"],
        ),
    ]

    for path, user, role, request, loc in hostile:
        answer = await api.call("POST", path, user, role, **request)
        assert fields(answer) == [loc], path

    assert await history(api) == {"check_ins": [], "milestones": [], "sessions": []}
    assert await api.db.learning_paths.count_documents({}) == 1  # the default path
    assert await api.progress_events() == []
