"""Upsert by external id, over HTTP: one participant per external id however many write at once,
updates that write only what changed, references deferred until they name someone."""

from __future__ import annotations

import asyncio
from typing import Any

from mentorship_contracts.topics import Topic

from .conftest import MentoringApi

UPSERTS = "/programs/{}/participants/upserts"


def person(external_id: str, **values: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "display_name": external_id.title(),
        "email": f"{external_id}@example.org",
        "roles": ["mentee"],
        **values,
    }


async def upsert(
    api: MentoringApi, program_id: str, rows: list[dict[str, Any]], user: str = "admin", **body: Any
) -> list[dict[str, Any]]:
    response = await api.call(
        "POST", UPSERTS.format(program_id), user, "admin", json={"rows": rows, **body}
    )
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


async def test_many_writers_of_one_external_id_create_one_participant(api: MentoringApi) -> None:
    program = await api.program()
    rows = [person("hr-1001", department=f"dept-{i % 3}") for i in range(12)]
    answers = await asyncio.gather(*(upsert(api, program["id"], [row]) for row in rows))
    outcomes = sorted(a[0]["outcome"] for a in answers)
    assert outcomes.count("created") == 1, outcomes
    assert set(outcomes) <= {"created", "updated", "unchanged"}, [
        a for a in answers if a[0]["outcome"] == "refused"
    ]
    assert len({a[0]["participant_id"] for a in answers}) == 1
    stored = await api.db["participants"].count_documents({"external_id": "hr-1001"})
    assert stored == 1
    registered = {  # delivery is at least once: one event, perhaps published more than once
        e.event_id
        for e in await api.events(Topic.MENTORING_PARTICIPANTS, at_least=1)
        if e.type == "mentoring.participant.registered"
    }
    assert len(registered) == 1


async def test_unchanged_rows_write_nothing_and_changed_ones_bump_the_version(
    api: MentoringApi,
) -> None:
    program = await api.program()
    first = await upsert(api, program["id"], [person("a"), person("b", department="Ops")])
    assert [r["outcome"] for r in first] == ["created", "created"]
    before = {d["external_id"]: d async for d in api.db["participants"].find({})}
    again = await upsert(api, program["id"], [person("a"), person("b", department="Ops")])
    assert [r["outcome"] for r in again] == ["unchanged", "unchanged"]
    required_left_empty = person("a", display_name=None, email=None, roles=None)
    kept = await upsert(api, program["id"], [required_left_empty])
    assert kept[0]["outcome"] == "unchanged"
    changed = await upsert(api, program["id"], [person("a"), person("b", department="Sales")])
    assert [r["outcome"] for r in changed] == ["unchanged", "updated"]
    after = {d["external_id"]: d async for d in api.db["participants"].find({})}
    assert after["a"]["version"] == before["a"]["version"]
    assert after["b"]["version"] == before["b"]["version"] + 1
    assert after["b"]["department"] == "Sales"


async def test_a_reference_to_no_one_defers_the_row_then_resolves(api: MentoringApi) -> None:
    program = await api.program()
    rows = [person("worker", manager="boss@example.org"), person("boss")]
    first = await upsert(api, program["id"], rows, final=False)
    assert [r["outcome"] for r in first] in (["deferred", "created"], ["created", "created"])
    second = await upsert(api, program["id"], rows[:1], final=True)
    assert second[0]["outcome"] in ("created", "unchanged")
    boss = await api.db["participants"].find_one({"external_id": "boss"})
    worker = await api.db["participants"].find_one({"external_id": "worker"})
    assert boss is not None
    assert worker is not None
    assert worker["manager_id"] == boss["_id"]
    nobody = await upsert(api, program["id"], [person("x", manager="ghost")], final=True)
    assert nobody[0]["outcome"] == "refused"
    assert nobody[0]["field"] == "manager"
    assert "ghost" in nobody[0]["reason"]


async def test_a_bad_row_is_refused_alone(api: MentoringApi) -> None:
    program = await api.program()
    results = await upsert(
        api,
        program["id"],
        [
            person("ok"),
            person("bad-mail", email="not-an-email"),
            person("bad-zone", timezone="Mars/Olympus"),
            person("bad-skill", competencies={"Python": 3}),
            person("bad id!", email="bad-id@example.org"),
            person("mentor-pref", preferred_mentors=["ok"]),
        ],
    )
    assert [(r["outcome"], r["field"]) for r in results] == [
        ("created", None),
        ("refused", "email"),
        ("refused", "timezone"),
        ("refused", "competencies"),
        ("refused", "external_id"),
        ("refused", "preferred_mentors.0"),
    ]
    assert await api.db["participants"].count_documents({}) == 1


async def test_a_self_registered_person_is_linked_and_accounts_never_change(
    api: MentoringApi,
) -> None:
    program = await api.program()
    me = await api.register(program["id"], "hedy", "mentee")
    linked = await upsert(api, program["id"], [person("hr-7", user_id="hedy")])
    assert linked[0] == {
        "outcome": "updated",
        "participant_id": me["id"],
        "field": None,
        "reason": None,
    }
    moved = await upsert(api, program["id"], [person("hr-7", user_id="someone-else")])
    assert moved[0]["outcome"] == "refused"
    assert moved[0]["field"] == "user_id"


async def test_only_the_programs_admins_upsert(api: MentoringApi) -> None:
    program = await api.program()
    for user, roles in (("other-admin", ("admin",)), ("mentor", ("mentor",))):
        response = await api.call(
            "POST", UPSERTS.format(program["id"]), user, *roles, json={"rows": [person("z")]}
        )
        assert response.status_code == 403, response.text
    assert await api.db["participants"].count_documents({}) == 0


async def test_one_person_by_external_id(api: MentoringApi) -> None:
    program = await api.program()
    path = f"/programs/{program['id']}/participants/by-external-id/okta-42"
    body = {"display_name": "Lin", "email": "lin@example.org", "roles": ["mentor"]}
    created = await api.call("PUT", path, "admin", "admin", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["external_id"] == "okta-42"
    same = await api.call("PUT", path, "admin", "admin", json=body)
    assert same.status_code == 200
    assert same.json()["id"] == created.json()["id"]
    refused = await api.call("PUT", path, "admin", "admin", json={**body, "manager": "nobody"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "manager"]
