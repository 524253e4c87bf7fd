"""Each lifecycle transition, through the HTTP API, writes its state and emits exactly its event
once on the real Kafka broker, also when requests are retried or the process dies before it
publishes."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from mentoring.service_layer.handlers import expire_due_proposals
from mentorship_contracts.topics import Topic

from .conftest import MentoringApi


async def two_people(api: MentoringApi, **program: Any) -> tuple[dict[str, Any], ...]:
    prog = await api.program(**program)
    mentor = await api.register(prog["id"], "grace", "mentor", competencies={"purpose": 4})
    mentee = await api.register(prog["id"], "ada", "mentee", goals={"purpose": 3})
    return prog, mentor, mentee


def types(events: list[Any]) -> list[str]:
    return [e.type.rsplit(".", 1)[-1] for e in events]


async def propose(
    api: MentoringApi, mentee: dict[str, Any], mentor: dict[str, Any], **kw: Any
) -> Any:
    return await api.call(
        "POST",
        "/matches",
        "admin",
        "admin",
        json={"mentee_id": mentee["id"], "mentor_id": mentor["id"]},
        **kw,
    )


async def test_propose_accept_end_emit_each_event_once(api: MentoringApi) -> None:
    _, mentor, mentee = await two_people(api)

    proposed = await propose(api, mentee, mentor)
    match_id = proposed.json()["id"]
    accepted = await api.call("POST", f"/matches/{match_id}/accept", "grace", "mentor")
    ended = await api.call(
        "POST",
        f"/matches/{match_id}/end",
        "ada",
        "mentee",
        json={"outcome": "completed", "reason": "path done"},
    )

    assert proposed.status_code == 201
    assert proposed.json()["score"] > 0
    assert accepted.json()["status"] == "active"
    assert ended.json()["status"] == "completed"
    events = await api.settle()
    assert types(events) == ["proposed", "accepted", "ended"]
    assert {e.data.match_id for e in events} == {match_id}
    assert all(e.key == mentee["id"] for e in events)
    assert events[1].data.learning_path_id == "social-business-accompaniment"
    assert events[1].data.mentor_id == mentor["id"]
    assert all("Grace" not in e.model_dump_json() for e in events)  # people travel as ids
    assert events[2].data.outcome == "completed"


async def test_retried_requests_change_nothing_twice(api: MentoringApi) -> None:
    _, mentor, mentee = await two_people(api)
    key = {"Idempotency-Key": "retry-me-1"}

    first = await propose(api, mentee, mentor, headers=key)
    again = await propose(api, mentee, mentor, headers=key)
    match_id = first.json()["id"]
    for _ in range(3):
        accepted = await api.call("POST", f"/matches/{match_id}/accept", "grace", "mentor")
        assert accepted.status_code == 200

    assert again.json()["id"] == match_id
    assert types(await api.settle()) == ["proposed", "accepted"]
    mentor_now = (await api.call("GET", f"/participants/{mentor['id']}", "grace", "mentor")).json()
    assert mentor_now["open_matches"] == 1


async def test_a_declined_proposal_is_followed_by_the_next_best_mentor(api: MentoringApi) -> None:
    prog, grace, ada = await two_people(api)
    alan = await api.register(prog["id"], "alan", "mentor", competencies={"purpose": 2})

    proposed = await propose(api, ada, grace)
    declined = await api.call(
        "POST",
        f"/matches/{proposed.json()['id']}/decline",
        "grace",
        "mentor",
        json={"reason": "too busy"},
    )

    assert declined.json()["status"] == "declined"
    events = await api.settle()
    assert types(events) == ["proposed", "declined", "proposed"]
    assert events[2].data.mentor_id == alan["id"]
    assert events[2].data.proposed_by == "escalation"
    assert events[1].data.reason == "too busy"


async def test_an_unanswered_proposal_expires_and_escalates_once(api: MentoringApi) -> None:
    prog, grace, ada = await two_people(api, proposal_expiry_days=3)
    alan = await api.register(prog["id"], "alan", "mentor", competencies={"purpose": 2})
    await propose(api, ada, grace)

    api.clock.advance(days=2)
    assert await expire_due_proposals(api.service.context()) == []
    api.clock.advance(days=2)
    expired = await expire_due_proposals(api.service.context())
    again = await expire_due_proposals(api.service.context())

    assert [m.mentor.participant_id for m in expired] == [grace["id"]]
    assert again == []
    events = await api.settle()
    assert types(events) == ["proposed", "expired", "proposed"]
    assert events[2].data.mentor_id == alan["id"]


async def test_a_crash_between_the_write_and_the_publish_is_recovered_by_the_sweep(
    api: MentoringApi,
) -> None:
    _, mentor, mentee = await two_people(api)
    relay = api.service.relay

    async def died_before_publishing(*_: object) -> None:
        return None

    relay.drain_soon = died_before_publishing  # type: ignore[method-assign,assignment]
    proposed = await propose(api, mentee, mentor)
    assert proposed.status_code == 201
    assert await api.settle() == []

    api.clock.advance(minutes=1)
    swept = sum([await relay.sweep(c) for c in api.service.store.outbox_collections])
    again = sum([await relay.sweep(c) for c in api.service.store.outbox_collections])

    assert swept >= 1
    assert again == 0
    assert types(await api.settle()) == ["proposed"]


async def test_participant_and_program_events_carry_what_consumers_need(api: MentoringApi) -> None:
    prog, mentor, _ = await two_people(api)
    await api.call(
        "PATCH", f"/participants/{mentor['id']}", "grace", "mentor", json={"department": "Sales"}
    )
    await api.call("POST", f"/participants/{mentor['id']}/withdraw", "grace", "mentor", json={})

    participants = await api.events(Topic.MENTORING_PARTICIPANTS, at_least=4)
    programs = await api.events(Topic.MENTORING_PROGRAMS, at_least=1)

    assert Counter(types(participants)) == {"registered": 2, "updated": 1, "withdrawn": 1}
    graces = [e for e in participants if e.key == mentor["id"]]
    assert types(graces) == ["registered", "updated", "withdrawn"], "one participant, in order"
    assert graces[0].data.email == "grace@example.org"
    assert graces[0].data.timezone == "Europe/Paris"
    assert graces[1].data.department == "Sales"
    assert graces[1].data.display_name is None, "only the changed fields are sent"
    assert programs[0].data.program_id == prog["id"]
    assert programs[0].data.admins[0].user_id == "admin"
    assert programs[0].data.stall_window_days == 14


async def test_a_program_publishes_its_stall_window_when_created_and_changed(
    api: MentoringApi,
) -> None:
    prog = await api.program(stall_window_days=21)
    patched = await api.call(
        "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"stall_window_days": 7}
    )
    refused = await api.call(
        "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"stall_window_days": 0}
    )

    programs = await api.events(Topic.MENTORING_PROGRAMS, at_least=2)

    assert prog["stall_window_days"] == 21
    assert patched.json()["stall_window_days"] == 7
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "stall_window_days"
    assert [e.data.stall_window_days for e in programs] == [21, 7]
    stored = await api.call("GET", f"/programs/{prog['id']}", "admin", "admin")
    assert stored.json()["stall_window_days"] == 7


async def test_matches_are_listed_page_by_page_with_cursors(api: MentoringApi) -> None:
    prog = await api.program()
    for n in range(3):
        mentor = await api.register(prog["id"], f"mentor{n}", "mentor")
        mentee = await api.register(prog["id"], f"mentee{n}", "mentee")
        await propose(api, mentee, mentor)
        api.clock.advance(minutes=1)

    path = f"/matches?program_id={prog['id']}&first=2"
    first = (await api.call("GET", path, "admin", "admin")).json()
    second = (
        await api.call("GET", f"{path}&after={first['next_cursor']}", "admin", "admin")
    ).json()
    as_mentee = (await api.call("GET", "/matches", "mentee1", "mentee")).json()

    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert len(set(ids)) == 3
    assert [m["mentee"]["user_id"] for m in as_mentee["items"]] == ["mentee1"]


async def test_an_admin_lists_their_programs_page_by_page_by_id(api: MentoringApi) -> None:
    admin = f"pager-{uuid.uuid4().hex[:8]}"
    made = sorted([(await api.program(admin))["id"] for _ in range(3)])

    first = (await api.call("GET", "/programs?first=2", admin, "admin")).json()
    rest = (await api.call("GET", f"/programs?first=2&after={made[1]}", admin, "admin")).json()
    empty_cursor = await api.call("GET", "/programs?after=", admin, "admin")

    assert [p["id"] for p in first] == made[:2]
    assert [p["id"] for p in rest] == made[2:]
    assert empty_cursor.status_code == 422
