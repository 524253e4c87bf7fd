"""Values MongoDB cannot keep, and criteria named twice: a 422 naming the field, nothing stored.

Before, a competency key such as ``ms.teams`` reached the database, which refused it: the service
answered 500 (the gateway's ``SERVICE_UNAVAILABLE``); and a criterion named twice in a program's
weights kept the last weight silently.
"""

from __future__ import annotations

from typing import Any

import httpx

from mentorship_contracts.topics import Topic, topic_name
from mentorship_testing.kafka import read_topic

from .conftest import MentoringApi

JSON = {"content-type": "application/json"}


def fields(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, response.text[:300]
    return [d["loc"] for d in response.json()["detail"]]


async def published(api: MentoringApi, *topics: Topic) -> int:
    """How many events the service published on these topics (after a short wait)."""
    count = 0
    for topic in topics:
        name = topic_name(topic, api.settings.kafka_topic_prefix)
        count += len(await read_topic(api.bootstrap, name, until=lambda _: False, timeout=1.5))
    return count


def profile(**fields: Any) -> dict[str, Any]:
    return {"roles": ["mentor"], "display_name": "Grace", "email": "grace@example.org", **fields}


async def test_skill_keys_mongodb_cannot_store_are_refused_naming_the_field_and_nothing_is_stored(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    path = f"/programs/{prog['id']}/participants"

    answers = {
        (field, key): await api.call(
            "POST", path, "grace", "mentor", json=profile(**{field: {"purpose": 3, key: 4}})
        )
        for field in ("competencies", "goals")
        for key in ("ms.teams", "$where", "", "Python", "a" * 65)
    }

    for (field, key), answer in answers.items():
        assert fields(answer) == [["body", field]], key
        assert "is not a skill key" in answer.json()["detail"][0]["msg"]
    assert await api.db.participants.count_documents({}) == 0
    assert await published(api, Topic.MENTORING_PARTICIPANTS) == 0


async def test_a_profile_update_with_such_a_key_changes_nothing(api: MentoringApi) -> None:
    prog = await api.program()
    grace = await api.register(prog["id"], "grace", "mentor", competencies={"purpose": 5})
    before = await api.db.participants.find_one({"_id": grace["id"]})

    dotted = await api.call(
        "PATCH",
        f"/participants/{grace['id']}",
        "grace",
        "mentor",
        json={"competencies": {"ms.teams": 4}},
    )
    dollar = await api.call(
        "PATCH", f"/participants/{grace['id']}", "grace", "mentor", json={"goals": {"$gt": 1}}
    )
    fine = await api.call(
        "PATCH", f"/participants/{grace['id']}", "grace", "mentor", json={"goals": {"ms-teams": 2}}
    )

    assert fields(dotted) == [["body", "competencies"]]
    assert fields(dollar) == [["body", "goals"]]
    assert fine.status_code == 200
    assert fine.json()["goals"] == {"ms-teams": 2}
    after = await api.db.participants.find_one({"_id": grace["id"]})
    assert before is not None
    assert after is not None
    assert after["competencies"] == {"purpose": 5}
    assert after["version"] == before["version"] + 1  # the one update that was accepted


async def test_a_criterion_named_twice_is_refused_at_creation_and_at_update(
    api: MentoringApi,
) -> None:
    twice = [
        {"criterion": "goal_coverage", "weight": 40},
        {"criterion": "department", "weight": 10},
        {"criterion": "goal_coverage", "weight": 5},
    ]
    as_object = b'{"name": "P", "weights": {"goal_coverage": 40, "goal_coverage": 5}}'

    created_twice = await api.call(
        "POST", "/programs", "admin", "admin", json={"name": "P", "weights": twice}
    )
    created_object = await api.call(
        "POST", "/programs", "admin", "admin", content=as_object, headers=JSON
    )

    assert fields(created_twice) == [["body", "weights", "2", "criterion"]]
    assert "named twice (first at weights.0)" in created_twice.json()["detail"][0]["msg"]
    assert fields(created_object) == [["body", "weights"]]
    assert "'goal_coverage' more than once" in created_object.json()["detail"][0]["msg"]
    assert await api.db.programs.count_documents({}) == 0

    prog = await api.program(weights=[{"criterion": "goal_coverage", "weight": 3}])
    assert prog["weights"]["goal_coverage"] == 3
    assert prog["weights"]["department"] == 0
    before = await api.db.programs.find_one({"_id": prog["id"]})

    updated_twice = await api.call(
        "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"weights": twice}
    )
    updated_object = await api.call(
        "PATCH",
        f"/programs/{prog['id']}",
        "admin",
        "admin",
        content=b'{"name": "Q", "weights": {"department": 1, "department": 2}}',
        headers=JSON,
    )

    assert fields(updated_twice) == [["body", "weights", "2", "criterion"]]
    assert fields(updated_object) == [["body", "weights"]]
    assert await api.db.programs.find_one({"_id": prog["id"]}) == before
    assert await published(api, Topic.MENTORING_PROGRAMS) == 1  # the creation's


async def test_weights_as_an_object_are_read_as_the_list_in_their_order(api: MentoringApi) -> None:
    bad = await api.call(
        "POST",
        "/programs",
        "admin",
        "admin",
        json={"name": "P", "weights": {"goal_coverage": 2, "department": -1}},
    )
    prog = await api.program(weights={"goal_coverage": 2, "department": 1})

    assert fields(bad) == [["body", "weights", 1, "weight"]]
    assert prog["weights"] == {
        "goal_coverage": 2,
        "department": 1,
        "timezone_overlap": 0,
        "availability_overlap": 0,
        "ranked_preference": 0,
        "load_balance": 0,
    }


async def test_a_nul_or_a_lone_surrogate_anywhere_in_a_body_is_refused_and_nothing_is_stored(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    events_before = await published(api, Topic.MENTORING_PROGRAMS)
    register = f"/programs/{prog['id']}/participants"
    hostile: list[tuple[str, str, dict[str, Any], list[Any]]] = [
        ("POST", "/programs", {"json": {"name": "Social\u0000business"}}, ["body", "name"]),
        (
            "POST",
            "/programs",
            {"content": b'{"name": "P", "description": "\\ud800"}', "headers": JSON},
            ["body", "description"],
        ),
        (
            "PATCH",
            f"/programs/{prog['id']}",
            {"content": b'{"description": "\xed\xb0\x80 raw"}', "headers": JSON},
            ["body", "description"],
        ),
        ("POST", register, {"json": profile(display_name="G\u0000")}, ["body", "display_name"]),
        ("POST", register, {"json": profile(goals={"a\u0000": 3})}, ["body", "goals"]),
        (
            "POST",
            register,
            {"json": profile(availability=[{"day": 1, "start_hour": 9, "end_hour": 10}, "\u0000"])},
            ["body", "availability", 1],
        ),
        (
            "POST",
            "/matches",
            {"json": {"mentee_id": "pt\u0000", "mentor_id": "pt"}},
            ["body", "mentee_id"],
        ),
    ]

    for method, path, request, loc in hostile:
        answer = await api.call(method, path, "admin", "admin", **request)
        assert fields(answer) == [loc], (method, path)

    assert await api.db.programs.count_documents({}) == 1
    assert await api.db.participants.count_documents({}) == 0
    assert await api.db.matches.count_documents({}) == 0
    assert (
        await published(api, Topic.MENTORING_PROGRAMS, Topic.MENTORING_PARTICIPANTS)
        == events_before
    )


async def test_a_profile_update_naming_a_field_that_never_changes_is_refused(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    grace = await api.register(prog["id"], "grace", "mentor")
    before = await api.db.participants.find_one({"_id": grace["id"]})

    moved = await api.call(
        "PATCH", f"/participants/{grace['id']}", "grace", "mentor", json={"program_id": "other"}
    )

    assert moved.status_code == 422
    assert fields(moved) == [["body", "program_id"]]
    assert await api.db.participants.find_one({"_id": grace["id"]}) == before
