"""Each program's own stall window decides when its mentees are at risk and stalled."""

from __future__ import annotations

from datetime import timedelta

from mentorship_contracts import new_envelope
from mentorship_contracts.events import ProgramAdmin, ProgramPublished
from mentorship_testing.kafka import eventually
from progress.service_layer.handlers import detect_stalls

from .conftest import ProgressApi
from .test_progress_flow import accepted, kinds


def program(program_id: str, days: int | None) -> ProgramPublished:
    extra = {} if days is None else {"stall_window_days": days}
    return ProgramPublished(
        program_id=program_id,
        name=f"Program {program_id}",
        status="open",
        learning_path_id="social-business-accompaniment",
        admins=[ProgramAdmin(user_id="u-admin")],
        **extra,
    )


async def window_of(api: ProgressApi, program_id: str, days: int) -> None:
    async def known() -> bool:
        doc = await api.db.programs.find_one({"_id": program_id})
        return doc is not None and doc.get("stall_window_days") == days

    await eventually(known, timeout=30)


async def status_of(api: ProgressApi, mentee: str) -> str:
    view = await api.call("GET", f"/mentees/{mentee}/progress", "u-admin", "admin")
    return str(view.json()["status"])


async def test_a_short_program_window_stalls_its_mentees_sooner_and_only_them(
    api: ProgressApi,
) -> None:
    await api.publish(program("pg-fast", 4))
    await api.publish(program("pg-1", None))
    await window_of(api, "pg-fast", 4)
    await window_of(api, "pg-1", 14)
    fast = accepted("pt-ada").model_copy(update={"program_id": "pg-fast"})
    await api.publish(fast)
    await api.publish(accepted("pt-bob"))
    await api.tracked("pt-ada")
    await api.tracked("pt-bob")

    api.clock.advance(days=2)
    halfway = (await status_of(api, "pt-ada"), await status_of(api, "pt-bob"))
    api.clock.advance(days=3)
    signalled = await detect_stalls(api.service.context())
    after_five_days = (await status_of(api, "pt-ada"), await status_of(api, "pt-bob"))

    assert halfway == ("at_risk", "on_track")
    assert signalled == 1
    assert after_five_days == ("stalled", "on_track")
    events = await api.progress_events()
    assert kinds(events) == ["mentee.stalled"]
    assert (events[0].data.mentee_id, events[0].data.stall_window_days) == ("pt-ada", 4)


async def test_an_older_program_state_delivered_late_does_not_undo_a_newer_one(
    api: ProgressApi,
) -> None:
    older = new_envelope(program("pg-1", 30), producer="mentoring", clock=api.clock)
    api.clock.advance(minutes=5)
    await api.publish(program("pg-1", 7))
    await window_of(api, "pg-1", 7)

    await api.republish(older)
    await api.publish(program("pg-other", 9))  # same topic: once it is applied, so was the older
    await window_of(api, "pg-other", 9)

    document = await api.db.programs.find_one({"_id": "pg-1"})
    assert document is not None
    assert document["stall_window_days"] == 7


async def test_detection_run_twice_after_a_long_downtime_emits_each_signal_once(
    api: ProgressApi,
) -> None:
    await api.publish(accepted("pt-ada"))
    await api.publish(accepted("pt-bob"))
    await api.tracked("pt-ada")
    await api.tracked("pt-bob")
    api.clock.advance(days=10)
    await api.call(
        "POST",
        "/mentees/pt-bob/check-ins",
        "u-pt-bob",
        "mentee",
        json={"module_id": "purpose", "confidence": 4},
    )

    api.clock.now += timedelta(days=20)  # a month after the start, 20 days after bob's check-in
    first = await detect_stalls(api.service.context())
    second = await detect_stalls(api.service.context())

    assert (first, second) == (2, 0)
    events = await api.progress_events()
    assert sorted((e.data.mentee_id, e.type) for e in events if "stalled" in e.type) == [
        ("pt-ada", "progress.mentee.stalled"),
        ("pt-ada", "progress.mentee.still_stalled"),
        ("pt-bob", "progress.mentee.stalled"),
    ]


async def test_detection_pages_through_many_mentees_writing_between_pages(
    api: ProgressApi,
) -> None:
    mentees = [f"pt-{n}" for n in range(7)]
    for mentee in mentees:
        await api.publish(accepted(mentee))
    for mentee in mentees:
        await api.tracked(mentee)
    api.clock.advance(days=15)

    first = await detect_stalls(api.service.context(), batch=2)
    second = await detect_stalls(api.service.context(), batch=2)

    assert (first, second) == (7, 0)
    stalled = await api.db.trackings.count_documents({"stall_episodes": 1})
    assert stalled == 7
    events = await api.progress_events()
    assert sorted(e.data.mentee_id for e in events) == mentees
