"""Each side rates a session; ratings reach progress.events, bad ratings are refused clearly."""

from __future__ import annotations

from typing import Any

from mentorship_runtime.outbox import without_outbox

from .conftest import ProgressApi
from .test_progress_flow import accepted, kinds

SESSION = {"session_id": "s-1", "held_on": "2026-10-30", "duration_minutes": 45}


async def rate(api: ProgressApi, user: str, rating: Any, session: str = "s-1") -> Any:
    return await api.call(
        "PUT", f"/mentees/pt-ada/sessions/{session}/rating", user, "mentee", json={"rating": rating}
    )


async def test_a_rating_when_logging_and_each_later_rating_are_published(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")

    logged = await api.call(
        "POST", "/mentees/pt-ada/sessions", "u-pt-ada", "mentee", json={**SESSION, "rating": 5}
    )
    by_mentor = await rate(api, "u-pt-grace", 3)
    same_again = await rate(api, "u-pt-grace", 3)
    changed = await rate(api, "u-pt-ada", 4)

    assert logged.status_code == 201, logged.text
    assert by_mentor.json() == {
        "session_id": "s-1",
        "rated_by": "mentor",
        "mentee_rating": 5,
        "mentor_rating": 3,
    }
    assert same_again.status_code == 200
    assert changed.json()["mentee_rating"] == 4
    events = await api.progress_events()
    assert kinds(events) == ["session.logged", "session.rated", "session.rated"]
    assert events[0].data.rated_by == ["mentee"]
    assert (events[1].data.rated_by, events[1].data.rating) == ("mentor", 3)
    assert (events[2].data.rated_by, events[2].data.rating) == ("mentee", 4)
    assert (events[1].data.mentor_id, events[1].data.program_id) == ("pt-grace", "pg-1")


async def test_bad_ratings_are_refused_clearly_and_change_nothing(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")
    await api.call("POST", "/mentees/pt-ada/sessions", "u-pt-ada", "mentee", json=SESSION)
    before = await api.db.trackings.find_one({"_id": "pt-ada"}, without_outbox())

    stranger = await rate(api, "u-eve", 4)
    unknown = await rate(api, "u-pt-ada", 4, session="s-404")
    too_high = await rate(api, "u-pt-ada", 6)
    text = await rate(api, "u-pt-ada", "great")
    empty = await api.call(
        "PUT", "/mentees/pt-ada/sessions/s-1/rating", "u-pt-ada", "mentee", json={}
    )
    nobody = await api.call(
        "PUT", "/mentees/pt-nobody/sessions/s-1/rating", "u-pt-ada", "mentee", json={"rating": 3}
    )

    assert stranger.status_code == 403
    assert unknown.status_code == 404
    assert unknown.json()["id"] == "s-404"
    assert "session 's-404' not found" in unknown.json()["detail"]
    assert too_high.status_code == 422
    assert too_high.json()["detail"][0]["loc"] == ["body", "rating"]
    assert text.status_code == 422
    assert empty.status_code == 422
    assert nobody.status_code == 404
    assert await api.db.trackings.find_one({"_id": "pt-ada"}, without_outbox()) == before
    assert kinds(await api.progress_events()) == ["session.logged"]
