"""Events delivered twice change nothing twice; hostile requests never crash the service."""

from __future__ import annotations

from typing import Any

from mentorship_contracts.events import (
    MatchEnded,
    ParticipantWithdrawn,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_runtime.outbox import without_outbox
from mentorship_testing.kafka import eventually

from .conftest import ProgressApi
from .test_progress_flow import accepted, check_in, kinds


async def test_every_event_delivered_twice_has_one_effect(api: ProgressApi) -> None:
    first = await api.publish(accepted())
    await api.tracked("pt-ada")
    await check_in(api, 4)
    ended = MatchEnded(
        match_id="m-1",
        program_id="pg-1",
        mentee_id="pt-ada",
        mentor_id="pt-grace",
        outcome="completed",
    )
    await api.publish(ended)
    await api.tracked("pt-ada", state="paused")

    await api.republish(first)
    await api.publish(ended)
    await api.republish(first)

    document = await api.db.trackings.find_one({"_id": "pt-ada"})
    assert document is not None
    assert len(document["check_ins"]) == 1
    assert [m["mentor_id"] for m in document["mentors"]] == ["pt-grace"]
    assert kinds(await api.progress_events()) == ["check_in.recorded"]


HOSTILE: list[Any] = [
    None,
    [],
    "text",
    3,
    {"module_id": {"$gt": ""}, "confidence": 3},
    {"module_id": "purpose", "confidence": "5"},
    {"module_id": "purpose", "confidence": 10**40},
    {"module_id": "x" * 100_000, "confidence": 3},
    {"module_id": "purpose", "confidence": 3, "note": "n" * 100_000},
    {"module_id": "pur\u0000pose", "confidence": 3},
    {"held_on": "yesterday", "duration_minutes": 30},
    {"held_on": "2026-02-30", "duration_minutes": 30},
    {"held_on": "2026-11-01", "duration_minutes": -5},
    {"held_on": "2026-11-01", "duration_minutes": 30, "module_ids": ["purpose"] * 1000},
    {"evidence": 42},
    {"reason": ""},
]


async def test_hostile_bodies_get_a_client_error(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")
    paths = [
        "/mentees/pt-ada/check-ins",
        "/mentees/pt-ada/sessions",
        "/mentees/pt-ada/milestones/explain-the-why/complete",
        "/mentees/pt-ada/milestones/explain-the-why/reopen",
    ]
    for body in HOSTILE:
        for path in paths:
            kwargs = {"content": body} if isinstance(body, str) else {"json": body}
            response = await api.call("POST", path, "u-pt-grace", "mentor", **kwargs)
            assert response.status_code < 500, (path, body, response.text[:200])
    raw = await api.call(
        "POST",
        paths[0],
        "u-pt-ada",
        "mentee",
        content=b"\xff\xfe{",
        headers={"content-type": "application/json"},
    )
    assert 400 <= raw.status_code < 500


async def test_program_and_withdrawal_events_delivered_twice_have_one_effect(
    api: ProgressApi,
) -> None:
    published = await api.publish(
        ProgramPublished(
            program_id="pg-1",
            name="Program",
            status="open",
            learning_path_id="social-business-accompaniment",
            admins=[ProgramAdmin(user_id="u-admin")],
            stall_window_days=10,
        )
    )
    await api.publish(accepted())
    await api.tracked("pt-ada")
    withdrawn = await api.publish(ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1"))
    await api.tracked("pt-ada", state="stopped")
    before = await api.db.trackings.find_one({"_id": "pt-ada"}, without_outbox())

    await api.republish(published)
    await api.republish(withdrawn)
    marker = await api.publish(ParticipantWithdrawn(participant_id="pt-zed", program_id="pg-1"))

    async def marker_parked() -> bool:
        return await api.db.parked_events.find_one({"_id": str(marker.event_id)}) is not None

    await eventually(marker_parked, timeout=30)  # same topic, so the redelivery was handled
    assert await api.db.trackings.find_one({"_id": "pt-ada"}, without_outbox()) == before
    assert await api.db.programs.count_documents({}) == 1
    program = await api.db.programs.find_one({"_id": "pg-1"})
    assert program is not None
    assert program["stall_window_days"] == 10
    assert await api.progress_events() == []


HOSTILE_PATHS: list[Any] = [
    None,
    [],
    {"id": "Not A Slug", "title": "t", "modules": []},
    {"id": "p", "title": "t", "modules": [{"id": "m", "title": "t"}]},
    {"id": "p", "title": "x" * 10_000, "modules": []},
    {"id": "p", "title": "t", "modules": [{"$where": "1"}]},
    {"title": {"$gt": ""}, "modules": "many"},
]


async def test_hostile_paths_and_ratings_get_a_client_error_and_store_nothing(
    api: ProgressApi,
) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")
    for body in HOSTILE_PATHS:
        for path in ("/learning-paths", "/learning-paths/social-business-accompaniment/versions"):
            response = await api.call("POST", path, "u-admin", "admin", json=body)
            assert 400 <= response.status_code < 500, (path, body, response.text[:200])
    for rating in [None, 0, 6, 2.5, "5", [5], {"$gt": 0}, 10**40, True]:
        response = await api.call(
            "PUT",
            "/mentees/pt-ada/sessions/s-1/rating",
            "u-pt-ada",
            "mentee",
            json={"rating": rating},
        )
        assert response.status_code == 422, (rating, response.text[:200])
    odd_version = await api.call(
        "GET",
        "/learning-paths/social-business-accompaniment",
        "u-pt-ada",
        "mentee",
        params={"version": "-1"},
    )
    assert odd_version.status_code == 422
    assert await api.db.learning_paths.count_documents({}) == 1
