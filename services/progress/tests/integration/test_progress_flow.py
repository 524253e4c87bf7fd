"""From mentoring's events to progress, alerts and views, over the real broker and database."""

from __future__ import annotations

from typing import Any

from mentorship_contracts.events import MatchAccepted, MatchEnded, ParticipantWithdrawn
from mentorship_testing.kafka import eventually
from progress.service_layer.handlers import detect_stalls

from .conftest import ProgressApi


def accepted(mentee: str = "pt-ada", mentor: str = "pt-grace") -> MatchAccepted:
    return MatchAccepted(
        match_id=f"m-{mentee}-{mentor}",
        program_id="pg-1",
        mentee_id=mentee,
        mentor_id=mentor,
        learning_path_id="social-business-accompaniment",
        mentee_user_id=f"u-{mentee}",
        mentor_user_id=f"u-{mentor}",
    )


def kinds(events: list[Any]) -> list[str]:
    return [e.type.split(".", 1)[1] for e in events]


async def check_in(api: ProgressApi, confidence: int, user: str = "u-pt-ada", **kw: Any) -> Any:
    kw.setdefault("json", {"module_id": "purpose", "confidence": confidence})
    return await api.call("POST", "/mentees/pt-ada/check-ins", user, "mentee", **kw)


async def test_a_drop_in_confidence_alerts_the_mentor_once(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")

    first = await check_in(api, 4)
    dropped = await check_in(api, 2, headers={"Idempotency-Key": "k-2"})
    retried = await check_in(api, 2, headers={"Idempotency-Key": "k-2"})

    assert first.status_code == 201, first.text
    assert dropped.json()["modules"][0]["confidence_dropped"] is True
    assert retried.status_code == 201
    events = await api.progress_events()
    assert kinds(events) == [
        "check_in.recorded",
        "check_in.recorded",
        "confidence.dropped",
    ]
    alert = events[2].data
    assert (alert.mentee_id, alert.mentor_id, alert.program_id) == ("pt-ada", "pt-grace", "pg-1")
    assert (alert.previous_confidence, alert.confidence) == (4, 2)
    assert alert.check_in_id == events[1].data.check_in_id
    assert alert.assessed_by == "mentee"


async def test_a_stall_is_signalled_once_per_episode_and_ends_with_activity(
    api: ProgressApi,
) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")

    api.clock.advance(days=15)
    assert await detect_stalls(api.service.context()) == 1
    assert await detect_stalls(api.service.context()) == 0
    await check_in(api, 3)

    events = await api.progress_events()
    assert kinds(events) == ["mentee.stalled", "check_in.recorded", "mentee.back_on_track"]
    view = (await api.call("GET", "/mentees/pt-ada/progress", "u-pt-grace", "mentor")).json()
    assert view["status"] == "on_track"


async def test_a_withdrawal_that_overtakes_the_match_is_applied_when_the_match_arrives(
    api: ProgressApi,
) -> None:
    await api.publish(ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1"))
    await api.publish(accepted())

    await api.tracked("pt-ada", state="stopped")

    async def nothing_parked() -> bool:  # the parked withdrawal is removed after it is applied
        return await api.db.parked_events.count_documents({}) == 0

    await eventually(nothing_parked)


async def test_a_rematched_mentee_keeps_their_history_with_the_new_mentor(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")
    await check_in(api, 4)
    await api.publish(
        MatchEnded(
            match_id="m-1",
            program_id="pg-1",
            mentee_id="pt-ada",
            mentor_id="pt-grace",
            outcome="ended_early",
        )
    )
    await api.tracked("pt-ada", state="paused")
    await api.publish(accepted(mentor="pt-alan"))
    await api.tracked("pt-ada")

    by_old = await api.call("GET", "/mentees/pt-ada/progress", "u-pt-grace", "mentor")
    by_new = await api.call("GET", "/mentees/pt-ada/progress", "u-pt-alan", "mentor")

    assert by_old.status_code == 404
    assert by_new.json()["modules"][0]["self_assessment"] == 4
    assert by_new.json()["mentor_id"] == "pt-alan"


async def test_only_the_mentee_and_their_mentor_record_activity(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")

    stranger = await check_in(api, 3, user="u-eve")
    peek = await api.call("GET", "/mentees/pt-ada/progress", "u-eve", "mentee")

    assert stranger.status_code == 403
    assert peek.status_code == 404


async def test_bad_activity_is_refused_clearly_and_changes_nothing(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")

    too_confident = await check_in(api, 6)
    unknown_module = await api.call(
        "POST",
        "/mentees/pt-ada/check-ins",
        "u-pt-ada",
        "mentee",
        json={"module_id": "astrology", "confidence": 3},
    )
    future_session = await api.call(
        "POST",
        "/mentees/pt-ada/sessions",
        "u-pt-ada",
        "mentee",
        json={"held_on": "2030-01-01", "duration_minutes": 60},
    )
    marathon = await api.call(
        "POST",
        "/mentees/pt-ada/sessions",
        "u-pt-ada",
        "mentee",
        json={"held_on": "2026-11-01", "duration_minutes": 600},
    )
    unknown_mentee = await api.call("GET", "/mentees/pt-nobody/progress", "u-pt-ada", "mentee")

    assert too_confident.status_code == 422
    assert unknown_module.status_code == 404
    assert "astrology" in unknown_module.json()["detail"]
    assert future_session.status_code == 422
    assert marathon.status_code == 422
    assert unknown_mentee.status_code == 404
    assert await api.progress_events() == []


async def test_what_a_mentee_writes_stays_in_progress(api: ProgressApi) -> None:
    await api.publish(accepted())
    await api.tracked("pt-ada")
    note, evidence = "I felt lost in the first thread", "https://intranet.example/post/1"

    checked = await check_in(api, 3, json={"module_id": "purpose", "confidence": 3, "note": note})
    done = await api.call(
        "POST",
        "/mentees/pt-ada/milestones/explain-the-why/complete",
        "u-pt-ada",
        "mentee",
        json={"evidence": evidence},
    )

    assert checked.status_code == 201, checked.text
    assert done.status_code == 200, done.text
    stored = await api.db.trackings.find_one({"_id": "pt-ada"})
    assert stored is not None
    assert [c.get("note") for c in stored["check_ins"]] == [note]
    assert [m.get("evidence") for m in stored["milestones"]] == [evidence]
    events = await api.progress_events()
    assert kinds(events)[:2] == ["check_in.recorded", "milestone.completed"]
    for event in events:  # the events say what happened, not what the mentee wrote
        assert note not in event.model_dump_json()
        assert evidence not in event.model_dump_json()
    # ...and name the milestone for notify in the path's languages
    [completed] = [e.data for e in events if e.type == "progress.milestone.completed"]
    assert completed.module_title == {"en": "Purpose and strategy", "fr": "Sens et stratégie"}
    assert completed.milestone_title["fr"] == "Expliquer pourquoi l'entreprise s'y engage"
    assert completed.path_language == "en"
