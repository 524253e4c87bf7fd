"""A person's erasure in progress, over the real broker and database: every text they wrote or
that was written about them goes from every collection, the figures stay, the done event is
published once whatever the deliveries, and an erasure that comes first leaves nothing to come
back, and one published while progress is down is done when it comes back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import decode_event, new_envelope
from mentorship_contracts.events import (
    MatchAccepted,
    PersonalDataErasureRequested,
    PersonalDataExportRequested,
)
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import eventually, read_topic
from mentorship_testing.personal_data import find_strings
from mentorship_testing.services import publish_events, serving, settings_for
from progress.bootstrap import create_app
from progress.config import Settings
from progress.service_layer.erasures import on_erasure_requested

from .conftest import ProgressApi

PROGRAM = "pg-erase"


def matched(mentee: str, mentor: str) -> MatchAccepted:
    return MatchAccepted(
        match_id=f"m-{mentee}-{mentor}",
        program_id=PROGRAM,
        mentee_id=mentee,
        mentor_id=mentor,
        learning_path_id="social-business-accompaniment",
        mentee_user_id=f"u-{mentee}",
        mentor_user_id=f"u-{mentor}",
    )


def erasure(participant: str, erasure_id: str = "er-1") -> PersonalDataErasureRequested:
    return PersonalDataErasureRequested(
        erasure_id=erasure_id,
        subject_user_id=f"u-{participant}",
        participant_ids=[participant],
        program_ids=[PROGRAM],
        scope="person",
        requested_by="u-admin",
        requested_at=datetime(2026, 11, 3, tzinfo=UTC),
    )


async def done_events(api: ProgressApi, erasure_id: str, settle: float = 2.0) -> list[Any]:
    topic = topic_name(Topic.PROGRESS_DATA_REQUESTS, api.settings.kafka_topic_prefix)
    records = await read_topic(api.bootstrap, topic, until=lambda rs: False, timeout=settle)
    events = [decode_event(r.value) for r in records]
    return [
        e
        for e in events
        if e.type == "progress.personal_data.erasure_done" and e.data.erasure_id == erasure_id
    ]


async def erased(api: ProgressApi, erasure_id: str) -> None:
    async def recorded() -> bool:
        return await api.db.erasures.find_one({"_id": erasure_id}) is not None

    await eventually(recorded, timeout=30)


async def posted(api: ProgressApi, path: str, user: str, role: str, body: Any) -> Any:
    response = await api.call("POST", path, user, role, json=body)
    assert response.status_code in (200, 201), (path, response.text)
    return response.json()


async def write_everything(api: ProgressApi, secret: str) -> None:
    """Texts of every kind about pt-era (mentee of pt-men, mentor of pt-oth)."""
    era, oth = "/mentees/pt-era", "/mentees/pt-oth"
    await posted(
        api,
        f"{era}/check-ins",
        "u-pt-era",
        "mentee",
        {"module_id": "purpose", "confidence": 4, "note": f"I, {secret}, feel fine"},
    )
    await posted(
        api,
        f"{era}/check-ins",
        "u-pt-men",
        "mentor",
        {"module_id": "purpose", "confidence": 2, "note": f"{secret} struggles"},
    )
    await posted(
        api,
        f"{era}/milestones/explain-the-why/complete",
        "u-pt-era",
        "mentee",
        {"evidence": f"evidence by {secret}"},
    )
    await posted(
        api,
        f"{era}/milestones/explain-the-why/reopen",
        "u-pt-men",
        "mentor",
        {"reason": f"{secret} must redo it"},
    )
    await posted(
        api,
        f"{era}/sessions",
        "u-pt-era",
        "mentee",
        {"held_on": "2026-11-01", "duration_minutes": 45, "notes": f"we spoke of {secret}"},
    )
    plan = await posted(
        api,
        f"{era}/planned-sessions",
        "u-pt-era",
        "mentee",
        {
            "local_start": "2026-11-20T14:30",
            "time_zone": "Europe/Paris",
            "duration_minutes": 30,
            "location": f"{secret}'s office",
            "video_url": f"https://meet.example.org/{secret}",
        },
    )
    await posted(
        api,
        f"/planned-sessions/{plan['id']}/cancel",
        "u-pt-men",
        "mentor",
        {"reason": f"{secret} is away"},
    )
    # pt-era as the mentor of pt-oth: what they wrote there goes, pt-oth's own note stays
    await posted(
        api,
        f"{oth}/check-ins",
        "u-pt-era",
        "mentor",
        {"module_id": "purpose", "confidence": 3, "note": f"as mentor, {secret} thinks so"},
    )
    await posted(
        api,
        f"{oth}/check-ins",
        "u-pt-oth",
        "mentee",
        {"module_id": "purpose", "confidence": 5, "note": "pt-oth keeps this"},
    )


def figures(tracking: dict[str, Any]) -> dict[str, Any]:
    return {
        "state": tracking["state"],
        "check_ins": [(c["confidence"], c["assessed_by"]) for c in tracking["check_ins"]],
        "milestones": [(m["milestone_id"], m["kind"], m["by"]) for m in tracking["milestones"]],
        "sessions": [(s["held_on"], s["duration_minutes"]) for s in tracking["sessions"]],
    }


async def test_an_erasure_leaves_no_text_about_the_person_and_keeps_the_figures(
    api: ProgressApi,
) -> None:
    secret = f"Zéphyrine-{uuid.uuid4().hex[:8]}"
    await api.publish(matched("pt-era", "pt-men"))
    await api.publish(matched("pt-oth", "pt-era"))
    await api.tracked("pt-era")
    await api.tracked("pt-oth")
    await write_everything(api, secret)
    await api.publish(
        PersonalDataExportRequested(
            export_id="dx-era",
            subject_user_id="u-pt-era",
            participant_ids=["pt-era"],
            program_ids=[PROGRAM],
            scope="person",
            requested_by="u-pt-era",
            requested_at=datetime(2026, 11, 2, 10, tzinfo=UTC),
        )
    )

    async def exported() -> bool:
        return await api.db.export_parts.find_one({"_id": "dx-era"}) is not None

    await eventually(exported, timeout=30)
    assert await find_strings(api.db, [secret]), "the texts were not written"
    before = {d["_id"]: figures(d) async for d in api.db.trackings.find({})}
    report_before = [d async for d in api.db.report_weeks.find({}, {"weeks": 1})]

    # a tracking written before ``mentor_ids`` was kept is found by its current mentor
    await api.db.trackings.update_one({"_id": "pt-oth"}, {"$unset": {"mentor_ids": ""}})

    await api.publish(erasure("pt-era"))
    await erased(api, "er-1")

    assert await find_strings(api.db, [secret]) == []
    assert {d["_id"]: figures(d) async for d in api.db.trackings.find({})} == before
    assert [d async for d in api.db.report_weeks.find({}, {"weeks": 1})] == report_before
    other = await api.db.trackings.find_one({"_id": "pt-oth"})
    assert other is not None
    assert [c["note"] for c in other["check_ins"]] == [None, "pt-oth keeps this"]
    plan = await api.db.planned_sessions.find_one({"mentee_id": "pt-era"})
    assert plan is not None
    assert (plan["status"], plan["duration_minutes"]) == ("cancelled", 30)
    [done] = await done_events(api, "er-1")
    assert done.data.counts == {
        "check_in_notes": 3,
        "milestone_texts": 2,
        "session_notes": 1,
        "planned_sessions": 1,
        "parked_events": 0,
        "export_parts": 1,
    }
    history = await api.call("GET", "/mentees/pt-era/progress", "u-pt-men", "mentor")
    assert history.status_code == 200, history.text


async def test_redelivered_and_concurrent_requests_publish_one_done_event(
    api: ProgressApi,
) -> None:
    await api.publish(matched("pt-era", "pt-men"))
    await api.tracked("pt-era")
    await posted(
        api,
        "/mentees/pt-era/check-ins",
        "u-pt-era",
        "mentee",
        {"module_id": "purpose", "confidence": 4, "note": "a note"},
    )
    event = await api.publish(erasure("pt-era", "er-twice"))
    await api.republish(event)
    await asyncio.gather(
        *(on_erasure_requested(event, api.service.erasure_context()) for _ in range(8))
    )
    await api.republish(event)
    await erased(api, "er-twice")

    assert len(await done_events(api, "er-twice", settle=3.0)) == 1
    record = await api.db.erasures.find_one({"_id": "er-twice"})
    assert record is not None
    # its counts are those of whichever handler recorded it first (one that found the note
    # erased by another counts none), so they are not compared here: the note is gone
    assert await find_strings(api.db, ["a note"]) == []


async def test_an_erasure_before_the_persons_match_leaves_nothing_to_come_back(
    api: ProgressApi,
) -> None:
    await api.publish(erasure("pt-late", "er-first"))
    await erased(api, "er-first")
    await api.publish(matched("pt-late", "pt-men"))
    await api.publish(matched("pt-after", "pt-men"))
    await api.tracked("pt-after")  # published after the erased one's match: that one is skipped

    refused = await api.call(
        "POST",
        "/mentees/pt-late/check-ins",
        "u-pt-late",
        "mentee",
        json={"module_id": "purpose", "confidence": 4, "note": "written after the erasure"},
    )

    assert refused.status_code == 404, refused.text
    assert await api.db.trackings.find_one({"_id": "pt-late"}) is None
    assert await find_strings(api.db, ["written after the erasure"]) == []
    [done] = await done_events(api, "er-first")
    assert set(done.data.counts.values()) == {0}


async def test_an_erasure_published_while_progress_is_down_is_done_when_it_comes_back(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> None:
    clock = Clock()
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        role="all",
        detection_seconds=3600,
        consumer_retry_base_seconds=0.05,
    )
    first = create_app(settings, clock=clock)
    async with serving(first, "progress") as http:
        api = ProgressApi(http, first.state.service, settings, clock, mongo_db, kafka_bootstrap)
        await api.publish(matched("pt-era", "pt-men"))
        await api.tracked("pt-era")
        await posted(
            api,
            "/mentees/pt-era/check-ins",
            "u-pt-era",
            "mentee",
            {"module_id": "purpose", "confidence": 4, "note": "written before the outage"},
        )
    # progress is down: the request waits in its topic
    await publish_events(
        kafka_bootstrap,
        topic_prefix,
        [new_envelope(erasure("pt-era", "er-down"), producer="mentoring", clock=clock)],
    )
    assert await mongo_db.erasures.find_one({"_id": "er-down"}) is None

    again = create_app(settings, clock=clock)
    async with serving(again, "progress") as http:
        api = ProgressApi(http, again.state.service, settings, clock, mongo_db, kafka_bootstrap)
        await erased(api, "er-down")

    assert await find_strings(mongo_db, ["written before the outage"]) == []
    assert len(await done_events(api, "er-down")) == 1
