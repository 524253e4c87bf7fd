"""Events delivered twice change nothing twice; hostile requests never crash the service."""

from __future__ import annotations

from typing import Any

from mentorship_contracts.events import MatchEnded

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
