"""auditLog and its CSV through the gateway, on the real services, Kafka and MongoDB: each
administrative action recorded once with who did it and the values before and after, read by
the program's admins only, hostile paging refused."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

import pytest

from .conftest import (
    ACCEPT,
    ADA,
    ADMIN,
    CREATE_PROGRAM,
    GRACE,
    PROPOSE,
    REGISTER,
    Platform,
    add_program_admin,
)
from .conftest import profile as profile_of
from .test_import_participants import HEADER, imported, row

CO_ADMIN = ("u-co-admin", ("admin",))
OTHER_ADMIN = ("u-other-admin", ("admin",))
BOB = ("u-bob", ("mentee",))
FORMULA_ID = "-1-1"  # an id a spreadsheet would compute
WAIT_SECONDS = 20.0

AUDIT_LOG = """
query($program: ID!, $first: Int! = 20, $after: String) {
  auditLog(programId: $program, first: $first, after: $after) {
    __typename
    ... on AuditLog {
      nodes { id at actorId action objectKind objectId before after }
      pageInfo { hasNextPage endCursor }
      csvPath
    }
    ... on ValidationError { message problems { path message } }
    ... on NotFound { kind id message }
    ... on MutationError { message }
  }
}"""

UPDATE = """
mutation($program: ID!, $input: UpdateProgramInput!) {
  updateProgram(programId: $program, input: $input) {
    __typename ... on Program { status } ... on MutationError { message }
  }
}"""

REMOVE_ADMIN = """
mutation($program: ID!, $admin: ID!) {
  removeProgramAdmin(programId: $program, userId: $admin) {
    __typename ... on MutationError { message }
  }
}"""

PREVIEW = """
mutation($program: ID!) {
  previewMatching(programId: $program) {
    __typename ... on MatchingRun { id } ... on MutationError { message }
  }
}"""

RUN = """
mutation($program: ID!) {
  runMatching(programId: $program) {
    __typename ... on MatchingRun { id proposalIds } ... on MutationError { message }
  }
}"""

CANCEL = """
mutation($match: ID!) {
  cancelProposal(matchId: $match, reason: "not this time") {
    __typename ... on Match { id mentee { participantId } } ... on MutationError { message }
  }
}"""

WITHDRAW = """
mutation($participant: ID!) {
  withdrawParticipant(participantId: $participant, reason: "moved on") {
    __typename ... on MutationError { message }
  }
}"""

END = """
mutation($match: ID!) {
  endMatch(matchId: $match, outcome: ENDED_EARLY, reason: "a private matter") {
    __typename ... on Match { status } ... on MutationError { message }
  }
}"""

UPDATE_PROFILE = """
mutation($participant: ID!, $input: ProfileUpdateInput!) {
  updateProfile(participantId: $participant, input: $input) {
    __typename ... on MutationError { message }
  }
}"""

CREATE_TOKEN = """
mutation($program: ID!) {
  createScimToken(programId: $program, label: "Directory sync") {
    __typename ... on CreatedScimToken { token { id } } ... on MutationError { message }
  }
}"""

REVOKE_TOKEN = """
mutation($id: ID!) {
  revokeScimToken(id: $id) { __typename ... on MutationError { message } }
}"""


async def registered(platform: Platform, who: tuple[str, tuple[str, ...]], **kw: Any) -> str:
    mentor = "mentor" in who[1]
    found = await platform.ok(*who, REGISTER, mentor=mentor, input=profile_of(**kw))
    participant: str = found["mentor" if mentor else "mentee"]["id"]
    return participant


async def whole_log(
    platform: Platform, program: str, count: int, who: tuple[str, tuple[str, ...]] = ADMIN
) -> list[dict[str, Any]]:
    """Every record, page after page, once there are ``count`` (then a moment more, so that a
    duplicate would show)."""

    async def read() -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = []
        after = None
        while True:
            found = (await platform.ok(*who, AUDIT_LOG, program=program, first=4, after=after))[
                "auditLog"
            ]
            assert found["__typename"] == "AuditLog", found
            nodes += found["nodes"]
            after = found["pageInfo"]["endCursor"]
            if after is None:
                return nodes

    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        if len(await read()) >= count or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)
    return await read()


async def test_each_action_is_recorded_once_and_exported(platform: Platform) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Audited")
    program = created["createProgram"]["id"]
    renamed = await platform.ok(*ADMIN, UPDATE, program=program, input={"name": "Renamed"})
    assert renamed["updateProgram"]["__typename"] == "Program", renamed
    await add_program_admin(platform, ADMIN, program, FORMULA_ID)
    removed = await platform.ok(*ADMIN, REMOVE_ADMIN, program=program, admin=FORMULA_ID)
    assert removed["removeProgramAdmin"]["__typename"] == "Program", removed
    skill = [{"key": "purpose", "level": 4}]
    await registered(platform, GRACE, program_id=program, name="Grace", competencies=skill)
    goal = [{"key": "purpose", "level": 2}]
    ada = await registered(platform, ADA, program_id=program, name="Ada", goals=goal)
    bob = await registered(platform, BOB, program_id=program, name="Bob", goals=goal)
    preview = (await platform.ok(*ADMIN, PREVIEW, program=program))["previewMatching"]
    assert preview["__typename"] == "MatchingRun", preview
    run = (await platform.ok(*ADMIN, RUN, program=program))["runMatching"]
    assert run["__typename"] == "MatchingRun", run
    assert len(run["proposalIds"]) == 2, run
    cancelled = (await platform.ok(*ADMIN, CANCEL, match=run["proposalIds"][0]))["cancelProposal"]
    assert cancelled["__typename"] == "Match", cancelled
    leaving = bob if cancelled["mentee"]["participantId"] == ada else ada
    withdrawn = await platform.ok(*ADMIN, WITHDRAW, participant=leaving)
    assert withdrawn["withdrawParticipant"]["__typename"] == "Participant", withdrawn
    closed = await platform.ok(*ADMIN, UPDATE, program=program, input={"status": "CLOSED"})
    assert closed["updateProgram"] == {"__typename": "Program", "status": "CLOSED"}, closed

    nodes = await whole_log(platform, program, 10)

    assert sorted(n["action"] for n in nodes) == sorted(
        [
            "PROGRAM_CREATED",
            "PROGRAM_CHANGED",
            "ADMIN_ADDED",
            "ADMIN_REMOVED",
            "MATCHING_PREVIEWED",
            "MATCHING_RUN",
            "PROPOSAL_CANCELLED",
            "PARTICIPANT_WITHDRAWN",
            "PROGRAM_CLOSED",
        ]
    )
    assert nodes[0]["action"] == "PROGRAM_CLOSED"
    assert nodes[-1]["action"] == "PROGRAM_CREATED"
    assert [n["at"] for n in nodes] == sorted((n["at"] for n in nodes), reverse=True)
    assert {n["actorId"] for n in nodes} == {ADMIN[0]}
    by_action = {n["action"]: n for n in nodes}
    assert by_action["PROGRAM_CHANGED"]["before"] == {"name": "Audited"}
    assert by_action["PROGRAM_CHANGED"]["after"] == {"name": "Renamed"}
    assert by_action["ADMIN_ADDED"]["objectKind"] == "ADMIN"
    assert by_action["ADMIN_ADDED"]["objectId"] == FORMULA_ID
    assert by_action["ADMIN_REMOVED"]["after"] == {"admin_ids": [ADMIN[0]]}
    assert by_action["MATCHING_PREVIEWED"]["objectId"] == preview["id"]
    assert by_action["MATCHING_RUN"]["objectId"] == run["id"]
    assert by_action["MATCHING_RUN"]["after"]["matched"] == 2
    assert by_action["PROPOSAL_CANCELLED"]["objectId"] == run["proposalIds"][0]
    assert by_action["PROPOSAL_CANCELLED"]["after"]["status"] == "cancelled"
    assert by_action["PARTICIPANT_WITHDRAWN"]["objectId"] == leaving
    assert by_action["PARTICIPANT_WITHDRAWN"]["after"]["status"] == "withdrawn"
    assert by_action["PROGRAM_CLOSED"]["before"] == {"status": "open"}
    text = json.dumps(nodes)
    for personal in ("Grace", "Ada", "Bob", "@example.org", "moved on", "not this time"):
        assert personal not in text, personal

    found = (await platform.ok(*ADMIN, AUDIT_LOG, program=program))["auditLog"]
    response = await platform.http.get(
        found["csvPath"], headers={"Authorization": f"Bearer {platform.token(*ADMIN[:1], 'admin')}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["action"] for r in rows] == [n["action"].lower() for n in nodes]
    assert [r["object_id"] for r in rows if r["action"] == "admin_added"] == [f"'{FORMULA_ID}"]
    changed = next(r for r in rows if r["action"] == "program_changed")
    assert json.loads(changed["before"]) == {"name": "Audited"}


async def test_an_admins_actions_on_people_matches_and_tokens_are_recorded_by_ids(
    platform: Platform,
) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="People")
    program = created["createProgram"]["id"]
    skill = [{"key": "purpose", "level": 4}]
    goal = [{"key": "purpose", "level": 2}]
    by_admin = profile_of(program, "Grace", userId=GRACE[0], competencies=skill)
    grace = (await platform.ok(*ADMIN, REGISTER, mentor=True, input=by_admin))["mentor"]["id"]
    ada = await registered(platform, ADA, program_id=program, name="Ada", goals=goal)
    bob = await registered(platform, BOB, program_id=program, name="Bob", goals=goal)
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=ada, mentor=grace))["proposeMatch"]
    assert proposed["__typename"] == "Match", proposed
    accepted = (await platform.ok(*GRACE, ACCEPT, id=proposed["id"]))["acceptMatch"]
    assert accepted["status"] == "ACTIVE", accepted
    ended = (await platform.ok(*ADMIN, END, match=proposed["id"]))["endMatch"]
    assert ended == {"__typename": "Match", "status": "ENDED_EARLY"}, ended
    change = {"displayName": "Ada King", "timezone": "Europe/London"}
    changed = await platform.ok(*ADMIN, UPDATE_PROFILE, participant=ada, input=change)
    assert changed["updateProfile"]["__typename"] == "Participant", changed
    own = await platform.ok(*BOB, UPDATE_PROFILE, participant=bob, input={"capacity": 2})
    assert own["updateProfile"]["__typename"] == "Participant", own
    token = (await platform.ok(*ADMIN, CREATE_TOKEN, program=program))["createScimToken"]
    assert token["__typename"] == "CreatedScimToken", token
    revoked = await platform.ok(*ADMIN, REVOKE_TOKEN, id=token["token"]["id"])
    assert revoked["revokeScimToken"]["__typename"] == "ScimToken", revoked

    nodes = await whole_log(platform, program, 7)

    assert sorted(n["action"] for n in nodes) == [
        "MATCH_ENDED",
        "MATCH_PROPOSED",
        "PARTICIPANT_CHANGED",
        "PARTICIPANT_REGISTERED",
        "PROGRAM_CREATED",
        "SCIM_TOKEN_CREATED",
        "SCIM_TOKEN_REVOKED",
    ]
    assert {n["actorId"] for n in nodes} == {ADMIN[0]}
    by_action = {n["action"]: n for n in nodes}
    registration = by_action["PARTICIPANT_REGISTERED"]
    assert (registration["objectKind"], registration["objectId"]) == ("PARTICIPANT", grace)
    assert registration["after"] == {"status": "active", "user_id": GRACE[0], "roles": ["mentor"]}
    sides = {"mentee_id": ada, "mentor_id": grace}
    proposal = by_action["MATCH_PROPOSED"]
    assert (proposal["objectKind"], proposal["objectId"]) == ("MATCH", proposed["id"])
    assert proposal["after"]["status"] == "proposed"
    assert {k: proposal["after"][k] for k in sides} == sides
    assert by_action["MATCH_ENDED"]["before"] == {"status": "active", **sides}
    assert by_action["MATCH_ENDED"]["after"] == {"status": "ended_early", **sides}
    profile_change = by_action["PARTICIPANT_CHANGED"]
    assert profile_change["objectId"] == ada
    assert profile_change["before"] == {"timezone": "Europe/Paris"}
    assert profile_change["after"] == {
        "changed": ["display_name", "timezone"],
        "timezone": "Europe/London",
    }
    for action in ("SCIM_TOKEN_CREATED", "SCIM_TOKEN_REVOKED"):
        record = by_action[action]
        assert (record["objectKind"], record["objectId"]) == ("SCIM_TOKEN", token["token"]["id"])
    assert by_action["SCIM_TOKEN_REVOKED"]["after"]["status"] == "revoked"
    text = json.dumps(nodes)
    for personal in ("Grace", "Ada", "King", "Bob", "@example.org", "private", "Directory"):
        assert personal not in text, personal


async def test_only_the_programs_admins_read_the_log(platform: Platform) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Guarded")
    program = created["createProgram"]["id"]
    await add_program_admin(platform, ADMIN, program, CO_ADMIN[0])
    await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="Elsewhere")
    await registered(platform, GRACE, program_id=program, name="Grace")
    await registered(platform, ADA, program_id=program, name="Ada")
    assert len(await whole_log(platform, program, 2)) == 2
    path = f"/audit/programs/{program}.csv"

    for who, expected, status in [
        (ADMIN, "AuditLog", 200),
        (CO_ADMIN, "AuditLog", 200),
        (OTHER_ADMIN, "Forbidden", 403),
        (GRACE, "Forbidden", 403),
        (ADA, "Forbidden", 403),
    ]:
        found = (await platform.ok(*who, AUDIT_LOG, program=program))["auditLog"]
        assert found["__typename"] == expected, (who, found)
        response = await platform.http.get(
            path, headers={"Authorization": f"Bearer {platform.token(who[0], *who[1])}"}
        )
        assert response.status_code == status, (who, response.text)
        if status != 200:
            assert response.json()["error"]["code"] == "FORBIDDEN"
    co_admin_sees = (await platform.ok(*CO_ADMIN, AUDIT_LOG, program=program))["auditLog"]
    assert [n["action"] for n in co_admin_sees["nodes"]] == ["ADMIN_ADDED", "PROGRAM_CREATED"]

    anonymous = await platform.http.post(
        "/graphql", json={"query": AUDIT_LOG, "variables": {"program": program}}
    )
    assert anonymous.json()["data"]["auditLog"] is None
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await platform.http.get(path)).status_code == 401
    missing = (await platform.ok(*ADMIN, AUDIT_LOG, program="pg_missing"))["auditLog"]
    assert missing["__typename"] == "NotFound", missing
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        refused = await platform.http.request(
            method, path, headers={"Authorization": f"Bearer {platform.token(*ADMIN[:1], 'admin')}"}
        )
        assert refused.status_code == 405, (method, refused.text)


@pytest.mark.parametrize(
    "after",
    [
        "not a cursor",
        "WyIyMDI2LTAxLTAxIiwgMV0=",  # ["2026-01-01", 1]
        "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgeyIkZ3QiOiAiIn1d",  # [moment, {"$gt": ""}]
        "x" * 401,
        "",
    ],
)
async def test_hostile_cursors_are_refused(platform: Platform, after: str) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Paged")
    program = created["createProgram"]["id"]
    body = await platform.gql(*ADMIN, AUDIT_LOG, program=program, after=after)
    found = (body.get("data") or {}).get("auditLog")
    if found is not None:
        assert found["__typename"] == "ValidationError", found
        assert found["problems"][0]["path"] == ["after"], found
    else:
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


async def test_an_import_is_one_record_with_its_counts_and_a_dry_run_none(
    platform: Platform,
) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Imported")
    program = created["createProgram"]["id"]
    rows = "".join(row(i) for i in range(30)) + row(30, email="not-an-email")
    content = (HEADER + rows).encode()
    rehearsed = await imported(platform, program, content, dry_run=True)
    assert rehearsed["created"] == 30, rehearsed
    report = await imported(platform, program, content)
    assert (report["created"], report["refusedCount"]) == (30, 1), report

    nodes = await whole_log(platform, program, 2)

    assert [n["action"] for n in nodes] == ["PARTICIPANTS_IMPORTED", "PROGRAM_CREATED"]
    record = nodes[0]
    assert record["actorId"] == ADMIN[0]
    assert record["objectKind"] == "IMPORT"
    assert record["after"] == {
        "source": "csv",
        "rows": 31,
        "created": 30,
        "updated": 0,
        "unchanged": 0,
        "refused": 1,
    }
    assert record["before"] is None


async def test_admins_acting_at_once_each_have_their_actions_recorded_once(
    platform: Platform,
) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Busy")
    program = created["createProgram"]["id"]
    admins = [(f"u-admin-{i}", ("admin",)) for i in range(6)]
    for who in admins:
        await add_program_admin(platform, ADMIN, program, who[0])

    async def act(who: tuple[str, tuple[str, ...]]) -> None:
        while True:  # a change refused for a concurrent one is a Conflict, and writes nothing
            changed = await platform.ok(
                *who, UPDATE, program=program, input={"description": f"by {who[0]}"}
            )
            if changed["updateProgram"]["__typename"] != "Conflict":
                break
        assert changed["updateProgram"]["__typename"] == "Program", changed
        await add_program_admin(platform, who, program, f"{who[0]}-deputy")

    await asyncio.gather(*(act(who) for who in admins))

    nodes = await whole_log(platform, program, 1 + 6 + 12)
    assert len(nodes) == 1 + 6 + 12
    assert len({n["id"] for n in nodes}) == len(nodes)
    ours = sorted((n["actorId"], n["action"]) for n in nodes if n["actorId"] != ADMIN[0])
    assert ours == sorted(
        (who[0], action) for who in admins for action in ("ADMIN_ADDED", "PROGRAM_CHANGED")
    )
    descriptions = {n["after"]["description"] for n in nodes if n["action"] == "PROGRAM_CHANGED"}
    assert descriptions == {f"by {who[0]}" for who in admins}
