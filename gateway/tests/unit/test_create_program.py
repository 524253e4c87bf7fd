"""``createProgram`` asks the progress service (which knows the learning paths, where mentoring
cannot) about the program's path before mentoring creates anything."""

from __future__ import annotations

import json

import httpx

from .conftest import Gateway
from .samples import program

CREATE = """
mutation($path: ID!) {
  createProgram(input: {name: "Pilot", learningPathId: $path, status: DRAFT,
                        weights: [{criterion: GOAL_COVERAGE, weight: 40}]}) {
    __typename
    ... on Program { id status learningPathId weights { criterion weight } }
    ... on ValidationError { problems { path message } }
  }
}"""


async def test_a_program_on_a_known_learning_path_is_created(gateway: Gateway) -> None:
    gateway.services["progress"].route("GET", "/learning-paths/leadership", {"id": "leadership"})
    created = {**program("pg-9"), "learning_path_id": "leadership", "status": "draft"}
    gateway.services["mentoring"].route(
        "POST", "/programs", lambda _: httpx.Response(201, json=created)
    )

    body = await gateway.query(CREATE, {"path": "leadership"}, roles=("admin",))

    assert body["data"]["createProgram"] == {
        "__typename": "Program",
        "id": "pg-9",
        "status": "DRAFT",
        "learningPathId": "leadership",
        "weights": [{"criterion": "GOAL_COVERAGE", "weight": 40.0}],
    }
    [sent] = gateway.services["mentoring"].requests
    assert json.loads(sent.content) == {
        "name": "Pilot",
        "description": "",
        "learning_path_id": "leadership",
        "department_preference": "none",
        "proposal_expiry_days": 7,
        "default_mentor_capacity": 3,
        "status": "draft",
        "mutual_acceptance": False,
        "weights": {"goal_coverage": 40.0},
    }


async def test_a_program_on_an_unknown_learning_path_is_refused_before_mentoring(
    gateway: Gateway,
) -> None:
    gateway.services["progress"].route(
        "GET",
        "/learning-paths/no-such-path",
        lambda _: httpx.Response(
            404,
            json={"detail": "not found", "kind": "learning path", "id": "no-such-path"},
        ),
    )

    body = await gateway.query(CREATE, {"path": "no-such-path"}, roles=("admin",))

    assert body["data"]["createProgram"] == {
        "__typename": "ValidationError",
        "problems": [
            {
                "path": ["input", "learningPathId"],
                "message": "no learning path 'no-such-path': choose one of learningPaths",
            }
        ],
    }
    assert not gateway.services["mentoring"].changes


async def test_a_learning_path_id_that_cannot_be_one_is_refused_without_a_call(
    gateway: Gateway,
) -> None:
    body = await gateway.query(CREATE, {"path": "a/b"}, roles=("admin",))

    problems = body["data"]["createProgram"]["problems"]
    assert [p["path"] for p in problems] == [["input", "learningPathId"]]
    assert all(not service.changes for service in gateway.services.values())


async def test_no_program_is_created_while_progress_cannot_check_its_path(
    gateway: Gateway,
) -> None:
    gateway.services["progress"].down = True

    body = await gateway.query(CREATE, {"path": "leadership"}, roles=("admin",))

    assert body["data"] == {"createProgram": None}
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert not gateway.services["mentoring"].changes


async def test_a_criterion_weighed_twice_is_refused_at_it_without_a_call(gateway: Gateway) -> None:
    body = await gateway.query(
        """mutation { createProgram(input: {name: "Pilot", weights: [
             {criterion: LOAD_BALANCE, weight: 1}, {criterion: LOAD_BALANCE, weight: 2}]}) {
               ... on ValidationError { problems { path message } } } }""",
        roles=("admin",),
    )
    assert body["data"]["createProgram"]["problems"] == [
        {"path": ["input", "weights", "LOAD_BALANCE"], "message": "this criterion is weighed twice"}
    ]
    assert not gateway.services["mentoring"].changes
