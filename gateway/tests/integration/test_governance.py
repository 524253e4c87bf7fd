"""Running a program through the gateway: changing, opening and closing it, its admins (never
none, even under concurrent removals), and withdrawing participants; who may do each."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from mentorship_testing.kafka import eventually

from .conftest import (
    ACCEPT,
    ADA,
    ADMIN,
    ALAN,
    CREATE_PROGRAM,
    GRACE,
    REGISTER,
    Platform,
    add_program_admin,
    profile,
    set_up_match,
)

CO_ADMIN = ("u-co-admin", ("admin",))
OTHER_ADMIN = ("u-other-admin", ("admin",))
BOB = ("u-bob", ("mentee",))
CY = ("u-cy", ("mentee",))
DEE = ("u-dee", ("mentee",))
PROPOSE = """
mutation($mentee: ID!, $mentor: ID!) {
  proposeMatch(menteeId: $mentee, mentorId: $mentor) { __typename ... on Match { id } }
}"""

UPDATE = """
mutation($program: ID!, $input: UpdateProgramInput!) {
  updateProgram(programId: $program, input: $input) {
    __typename
    ... on Program {
      name description status proposalExpiryDays defaultMentorCapacity stallWindowDays
      departmentPreference weights { criterion weight } mutualAcceptance
    }
    ... on ValidationError { message problems { path message } }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""

ADD_ADMIN = """
mutation($program: ID!, $admin: ID!, $name: String, $email: String) {
  addProgramAdmin(programId: $program, userId: $admin, displayName: $name, email: $email) {
    __typename
    ... on Program { adminIds }
    ... on ValidationError { problems { path message } }
    ... on MutationError { message }
  }
}"""

REMOVE_ADMIN = """
mutation($program: ID!, $admin: ID!) {
  removeProgramAdmin(programId: $program, userId: $admin) {
    __typename
    ... on Program { adminIds }
    ... on MutationError { message }
  }
}"""

WITHDRAW = """
mutation($participant: ID!, $reason: String) {
  withdrawParticipant(participantId: $participant, reason: $reason) {
    __typename
    ... on Participant { id status openMatches }
    ... on ValidationError { problems { path message } }
    ... on MutationError { message }
  }
}"""

MATCH = "query($id: ID!) { match(id: $id) { status reason endedAt } }"
INBOX = "{ notifications { notifications { nodes { kind title body } } } }"

Who = tuple[str, tuple[str, ...]]


async def with_co_admin(platform: Platform, program: str) -> None:
    added = await add_program_admin(platform, ADMIN, program, CO_ADMIN[0])
    assert added == [ADMIN[0], CO_ADMIN[0]]


async def second_program(platform: Platform) -> str:
    created = await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="Elsewhere")
    program: str = created["createProgram"]["id"]
    return program


async def anonymous(platform: Platform, query: str, **variables: Any) -> dict[str, Any]:
    response = await platform.http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def typename(data: dict[str, Any]) -> str:
    (result,) = data.values()
    kind: str = result["__typename"]
    return kind


async def inbox(platform: Platform, who: Who) -> list[dict[str, Any]]:
    found = await platform.ok(*who, INBOX)
    nodes: list[dict[str, Any]] = found["notifications"]["notifications"]["nodes"]
    return nodes


# ---- updateProgram ------------------------------------------------------------------------


async def test_who_may_update_a_program(platform: Platform) -> None:
    ids = await set_up_match(platform)
    program = ids["program"]
    await with_co_admin(platform, program)
    await second_program(platform)
    expected = {
        "the admin": (ADMIN, "Program"),
        "the co-admin": (CO_ADMIN, "Program"),
        "the admin of another program": (OTHER_ADMIN, "Forbidden"),
        "a mentor of the program": (GRACE, "Forbidden"),
        "a mentee of the program": (ADA, "Forbidden"),
    }
    for label, (who, outcome) in expected.items():
        done = await platform.ok(*who, UPDATE, program=program, input={"description": label})
        assert typename(done) == outcome, (label, done)
    unknown = await platform.ok(*ADMIN, UPDATE, program="pg_nothing", input={"name": "x"})
    assert typename(unknown) == "NotFound"
    refused = await anonymous(platform, UPDATE, program=program, input={"name": "Taken over"})
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert refused["data"] == {"updateProgram": None}
    shown = await platform.ok(
        *ADMIN, "query($id: ID!) { program(id: $id) { name description } }", id=program
    )
    assert shown["program"] == {"name": "Pilot", "description": "the co-admin"}


async def test_an_update_changes_only_what_it_names_and_follows_the_status_order(
    platform: Platform,
) -> None:
    created = await platform.ok(
        *ADMIN,
        'mutation { createProgram(input: {name: "Draft", status: DRAFT}) '
        "{ ... on Program { id status } } }",
    )
    program = created["createProgram"]["id"]
    changed = await platform.ok(
        *ADMIN,
        UPDATE,
        program=program,
        input={
            "name": "Spring cohort",
            "proposalExpiryDays": 10,
            "defaultMentorCapacity": 5,
            "stallWindowDays": 21,
            "departmentPreference": "CROSS",
            "weights": [{"criterion": "GOAL_COVERAGE", "weight": 2}],
            "mutualAcceptance": True,
            "status": "OPEN",
        },
    )
    got = changed["updateProgram"]
    assert got["__typename"] == "Program", got
    assert got["name"] == "Spring cohort"
    assert got["description"] == ""
    assert (got["status"], got["proposalExpiryDays"], got["defaultMentorCapacity"]) == (
        "OPEN",
        10,
        5,
    )
    assert (got["stallWindowDays"], got["departmentPreference"]) == (21, "CROSS")
    assert got["mutualAcceptance"] is True
    weights = {w["criterion"]: w["weight"] for w in got["weights"]}
    assert weights["GOAL_COVERAGE"] == 2
    assert sum(weights.values()) == 2

    back = await platform.ok(*ADMIN, UPDATE, program=program, input={"status": "DRAFT"})
    assert back["updateProgram"]["__typename"] == "Conflict"
    assert back["updateProgram"]["currentState"] == "OPEN"

    bad = await platform.ok(
        *ADMIN,
        UPDATE,
        program=program,
        input={"proposalExpiryDays": 0, "stallWindowDays": 400},
    )
    paths = {tuple(p["path"]) for p in bad["updateProgram"]["problems"]}
    assert paths == {("input", "proposalExpiryDays"), ("input", "stallWindowDays")}
    twice = await platform.ok(
        *ADMIN,
        UPDATE,
        program=program,
        input={
            "weights": [
                {"criterion": "DEPARTMENT", "weight": 1},
                {"criterion": "DEPARTMENT", "weight": 3},
            ]
        },
    )
    assert twice["updateProgram"]["problems"][0]["path"] == ["input", "weights", "DEPARTMENT"]


async def raw(platform: Platform, who: Who, query: str, **variables: Any) -> httpx.Response:
    """A request sent as JSON text with every non-ASCII character escaped, so that a lone
    surrogate reaches the gateway as a client could send it."""
    return await platform.http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={
            "Authorization": f"Bearer {platform.token(who[0], *who[1])}",
            "Content-Type": "application/json",
        },
    )


@pytest.mark.parametrize(
    "given",
    [{"name": "nul\x00byte"}, {"name": "lone \ud800 surrogate"}, {"description": "\udfff"}],
)
async def test_unstorable_text_in_an_update_is_refused_with_a_code(
    platform: Platform, given: dict[str, Any]
) -> None:
    program = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]["id"]
    refused = await raw(platform, ADMIN, UPDATE, program=program, input=given)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    shown = await platform.ok(*ADMIN, "query($id: ID!) { program(id: $id) { name } }", id=program)
    assert shown["program"]["name"] == "Pilot"


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ({"description": "x" * 5000}, ["input", "description"]),
        ({"name": "   "}, ["input", "name"]),
        ({"name": "n" * 201}, ["input", "name"]),
        ({"defaultMentorCapacity": 51}, ["input", "defaultMentorCapacity"]),
        ({"weights": [{"criterion": "DEPARTMENT", "weight": -1}]}, ["input", "weights", "0"]),
    ],
)
async def test_an_update_out_of_bounds_is_refused_naming_its_field(
    platform: Platform, given: dict[str, Any], path: list[str]
) -> None:
    program = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]["id"]
    refused = (await platform.ok(*ADMIN, UPDATE, program=program, input=given))["updateProgram"]
    assert refused["__typename"] == "ValidationError", refused
    assert refused["problems"][0]["path"][: len(path)] == path, refused
    shown = await platform.ok(*ADMIN, "query($id: ID!) { program(id: $id) { name } }", id=program)
    assert shown["program"]["name"] == "Pilot"


async def test_a_malformed_program_id_is_a_coded_error(platform: Platform) -> None:
    for program in ("../programs", "a/b", "x" * 65, "..", "pg 1"):
        body = await platform.gql(*ADMIN, UPDATE, program=program, input={"name": "x"})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    nul = await raw(platform, ADMIN, UPDATE, program="pg\x00", input={"name": "x"})
    assert nul.status_code == 400


# ---- closing ------------------------------------------------------------------------------


async def test_closing_waits_for_open_proposals_then_completes_active_matches(
    platform: Platform,
) -> None:
    ids = await set_up_match(platform)
    program = ids["program"]
    waiting = await platform.ok(*ADMIN, UPDATE, program=program, input={"status": "CLOSED"})
    assert waiting["updateProgram"]["__typename"] == "Conflict"
    assert "open proposals" in waiting["updateProgram"]["message"]

    accepted = await platform.ok(*GRACE, ACCEPT, id=ids["match"])
    assert accepted["acceptMatch"]["status"] == "ACTIVE"
    matches = [ids["match"]]
    for who, name in ((BOB, "Bob"), (CY, "Cy")):  # Grace mentors three at once
        joined = await platform.ok(
            *who, REGISTER, mentor=False, input=profile(program, name, goals=[])
        )
        proposed = await platform.ok(
            *ADMIN, PROPOSE, mentee=joined["mentee"]["id"], mentor=ids["grace"]
        )
        matches.append(proposed["proposeMatch"]["id"])
        assert (await platform.ok(*GRACE, ACCEPT, id=matches[-1]))["acceptMatch"]["status"] == (
            "ACTIVE"
        )
    closed = await platform.ok(*ADMIN, UPDATE, program=program, input={"status": "CLOSED"})
    assert closed["updateProgram"]["status"] == "CLOSED", closed

    for match_id in matches:
        ended = (await platform.ok(*ADMIN, MATCH, id=match_id))["match"]
        assert (ended["status"], ended["reason"]) == ("COMPLETED", "the program closed")
        assert ended["endedAt"] is not None
    mentor = await platform.ok(
        *ADMIN, "query($id: ID!) { mentor(id: $id) { openMatches } }", id=ids["grace"]
    )
    assert mentor["mentor"]["openMatches"] == 0
    again = await platform.ok(*ADMIN, UPDATE, program=program, input={"status": "CLOSED"})
    assert again["updateProgram"]["status"] == "CLOSED"
    reopened = await platform.ok(*ADMIN, UPDATE, program=program, input={"status": "OPEN"})
    assert reopened["updateProgram"]["currentState"] == "CLOSED"

    latecomer = await platform.ok(
        *DEE, REGISTER, mentor=False, input=profile(program, "Dee", goals=[])
    )
    assert latecomer["mentee"]["__typename"] == "Conflict"
    run = await platform.ok(
        *ADMIN,
        "mutation($p: ID!) { runMatching(programId: $p) { __typename } }",
        p=program,
    )
    assert run["runMatching"]["__typename"] == "Conflict"

    told = {ADA: 1, BOB: 1, CY: 1, GRACE: 3}  # each mentee, and the mentor of all three

    async def ended_notes(who: Who) -> list[dict[str, Any]]:
        return [n for n in await inbox(platform, who) if n["kind"] == "MATCH_ENDED"]

    async def everyone_told() -> bool:
        return all([len(await ended_notes(who)) == n for who, n in told.items()])

    await eventually(everyone_told, timeout=30)
    for who in told:
        assert all("complete" in note["title"] for note in await ended_notes(who))


# ---- admins -------------------------------------------------------------------------------


async def test_who_may_add_and_remove_admins(platform: Platform) -> None:
    ids = await set_up_match(platform)
    program = ids["program"]
    await second_program(platform)
    for who in (OTHER_ADMIN, GRACE, ADA):
        added = await platform.ok(*who, ADD_ADMIN, program=program, admin=who[0])
        assert typename(added) == "Forbidden", (who, added)
        removed = await platform.ok(*who, REMOVE_ADMIN, program=program, admin=ADMIN[0])
        assert typename(removed) == "Forbidden", (who, removed)
    for query in (ADD_ADMIN, REMOVE_ADMIN):
        refused = await anonymous(platform, query, program=program, admin="u-someone")
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    await with_co_admin(platform, program)
    again = await platform.ok(*ADMIN, ADD_ADMIN, program=program, admin=CO_ADMIN[0])
    assert again["addProgramAdmin"]["adminIds"] == [ADMIN[0], CO_ADMIN[0]]

    # the co-admin runs the program as the admin does (once progress has read the program's
    # new admins from its event), and may hand it over
    async def co_admin_sees_health() -> bool:
        health = await platform.gql(
            *CO_ADMIN, "query($p: ID!) { programHealth(programId: $p) { mentees } }", p=program
        )
        return health["data"]["programHealth"] is not None

    await eventually(co_admin_sees_health, timeout=30)
    by_co_admin = await platform.ok(*CO_ADMIN, REMOVE_ADMIN, program=program, admin=ADMIN[0])
    assert by_co_admin["removeProgramAdmin"]["adminIds"] == [CO_ADMIN[0]]
    gone = await platform.ok(*ADMIN, UPDATE, program=program, input={"name": "Mine"})
    assert typename(gone) == "Forbidden"
    last = await platform.ok(*CO_ADMIN, REMOVE_ADMIN, program=program, admin=CO_ADMIN[0])
    assert typename(last) == "Conflict"
    assert "last admin" in last["removeProgramAdmin"]["message"]


async def test_an_added_admin_is_told_what_admins_are_told(platform: Platform) -> None:
    """Notify learns the new admin from the program's event, on its own topic: what happens
    once notify has read it reaches them too. Someone joins and leaves until one such notice
    reaches the co-admin (by its wording), and from then on every leaver's does."""
    ids = await set_up_match(platform)
    program = ids["program"]
    added = await platform.ok(
        *ADMIN,
        ADD_ADMIN,
        program=program,
        admin=CO_ADMIN[0],
        name="Co Admin",
        email="co-admin@example.org",
    )
    assert typename(added) == "Program"
    leavers = 0

    async def leave() -> None:
        nonlocal leavers
        leavers += 1
        who = (f"u-leaver-{leavers}", ("mentee",))
        joined = await platform.ok(
            *who, REGISTER, mentor=False, input=profile(program, f"Leaver{leavers}")
        )
        left = await platform.ok(*who, WITHDRAW, participant=joined["mentee"]["id"])
        assert left["withdrawParticipant"]["status"] == "WITHDRAWN"

    async def notices() -> set[str]:
        return {
            n["title"]
            for n in await inbox(platform, CO_ADMIN)
            if n["kind"] == "PARTICIPANT_WITHDRAWN"
        }

    async def told_after_leaving() -> bool:
        await leave()
        await asyncio.sleep(0.5)
        return bool(await notices())

    await eventually(told_after_leaving, timeout=60)
    await leave()
    last = f"Leaver{leavers} has left the program"

    async def told_of_the_last() -> bool:
        return last in await notices()

    await eventually(told_of_the_last, timeout=30)


async def test_hostile_admin_input_is_refused(platform: Platform) -> None:
    program = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]["id"]
    for user in ("a/b", "..", "x" * 65, "two words"):
        for query in (REMOVE_ADMIN, ADD_ADMIN):
            body = await platform.gql(*ADMIN, query, program=program, admin=user)
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    nul = await raw(platform, ADMIN, ADD_ADMIN, program=program, admin="u\x00")
    assert nul.status_code == 400
    bad_email = await platform.ok(
        *ADMIN, ADD_ADMIN, program=program, admin="u-x", email="not an address"
    )
    assert bad_email["addProgramAdmin"]["problems"][0]["path"] == ["email"]
    shown = await platform.ok(
        *ADMIN, "query($id: ID!) { program(id: $id) { adminIds } }", id=program
    )
    assert shown["program"]["adminIds"] == [ADMIN[0]]


async def test_concurrent_removals_never_leave_a_program_without_an_admin(
    platform: Platform,
) -> None:
    """Eight admins are added at once (none is lost), then each removes themselves at once:
    seven go, one is refused as the last. Then, all eight back, each removes the next one at
    once: whatever the order, someone stays, and the program's admins are exactly those who
    still see it as theirs."""
    program = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Crowded"))["createProgram"]["id"]
    admins = [(f"u-admin-{i}", ("admin",)) for i in range(8)]
    read = "query($id: ID!) { program(id: $id) { adminIds } }"

    added = await asyncio.gather(
        *(platform.ok(*ADMIN, ADD_ADMIN, program=program, admin=who[0]) for who in admins)
    )
    assert {typename(a) for a in added} == {"Program"}, added
    removed = await platform.ok(*ADMIN, REMOVE_ADMIN, program=program, admin=ADMIN[0])
    assert sorted(removed["removeProgramAdmin"]["adminIds"]) == sorted(a[0] for a in admins)

    answers = await asyncio.gather(
        *(platform.ok(*who, REMOVE_ADMIN, program=program, admin=who[0]) for who in admins)
    )
    assert sorted(typename(a) for a in answers) == ["Conflict"] + ["Program"] * 7, answers
    (survivor,) = [w for w, a in zip(admins, answers, strict=True) if typename(a) == "Conflict"]
    assert (await platform.ok(*survivor, read, id=program))["program"] == {
        "adminIds": [survivor[0]]
    }

    back = await asyncio.gather(
        *(platform.ok(*survivor, ADD_ADMIN, program=program, admin=who[0]) for who in admins)
    )
    assert {typename(a) for a in back} == {"Program"}, back
    everyone = await platform.ok(*survivor, read, id=program)
    assert sorted(everyone["program"]["adminIds"]) == sorted(a[0] for a in admins)
    ring = await asyncio.gather(
        *(
            platform.ok(*who, REMOVE_ADMIN, program=program, admin=admins[(i + 1) % 8][0])
            for i, who in enumerate(admins)
        )
    )
    assert {typename(a) for a in ring} <= {"Program", "Forbidden", "Conflict"}, ring
    seen = [await platform.gql(*who, read, id=program) for who in admins]
    still = sorted(w[0] for w, body in zip(admins, seen, strict=True) if body["data"]["program"])
    assert still, seen
    for body in seen:
        if body["data"]["program"]:
            assert sorted(body["data"]["program"]["adminIds"]) == still
        else:
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# ---- withdrawParticipant ------------------------------------------------------------------


async def test_who_may_withdraw_a_participant(platform: Platform) -> None:
    ids = await set_up_match(platform)
    program = ids["program"]
    await with_co_admin(platform, program)
    await second_program(platform)
    bob = await platform.ok(*BOB, REGISTER, mentor=False, input=profile(program, "Bob"))
    alan = await platform.ok(*ALAN, REGISTER, mentor=True, input=profile(program, "Alan"))
    for who in (OTHER_ADMIN, GRACE, BOB):
        refused = await platform.ok(*who, WITHDRAW, participant=ids["ada"])
        assert typename(refused) == "Forbidden", (who, refused)
    anon = await anonymous(platform, WITHDRAW, participant=ids["ada"])
    assert anon["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unknown = await platform.ok(*ADMIN, WITHDRAW, participant="pt_nobody")
    assert typename(unknown) == "NotFound"

    herself = await platform.ok(*BOB, WITHDRAW, participant=bob["mentee"]["id"], reason="moved")
    assert herself["withdrawParticipant"]["status"] == "WITHDRAWN"
    by_co_admin = await platform.ok(*CO_ADMIN, WITHDRAW, participant=alan["mentor"]["id"])
    assert by_co_admin["withdrawParticipant"]["status"] == "WITHDRAWN"
    by_admin = await platform.ok(*ADMIN, WITHDRAW, participant=ids["ada"], reason="left")
    assert by_admin["withdrawParticipant"] == {
        "__typename": "Participant",
        "id": ids["ada"],
        "status": "WITHDRAWN",
        "openMatches": 0,
    }
    again = await platform.ok(*ADMIN, WITHDRAW, participant=ids["ada"])
    assert again["withdrawParticipant"]["status"] == "WITHDRAWN"
    hostile = await platform.gql(*ADMIN, WITHDRAW, participant="a/../b")
    assert hostile["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    long_reason = await platform.ok(*ADMIN, WITHDRAW, participant=ids["grace"], reason="x" * 5000)
    assert typename(long_reason) == "ValidationError"


async def test_a_withdrawal_ends_the_match_and_tells_the_other_side_and_the_admins(
    platform: Platform,
) -> None:
    ids = await set_up_match(platform)
    accepted = await platform.ok(*GRACE, ACCEPT, id=ids["match"])
    assert accepted["acceptMatch"]["status"] == "ACTIVE"
    done = await platform.ok(*ADA, WITHDRAW, participant=ids["ada"], reason="new job")
    assert done["withdrawParticipant"]["status"] == "WITHDRAWN"
    ended = (await platform.ok(*ADMIN, MATCH, id=ids["match"]))["match"]
    assert (ended["status"], ended["reason"]) == (
        "ENDED_EARLY",
        "the mentee withdrew from the program",
    )

    async def mentor_told() -> bool:
        return any(n["kind"] == "MATCH_ENDED" for n in await inbox(platform, GRACE))

    await eventually(mentor_told, timeout=30)

    async def admin_told() -> bool:
        return any(n["kind"] == "PARTICIPANT_WITHDRAWN" for n in await inbox(platform, ADMIN))

    await eventually(admin_told, timeout=30)
    (notice,) = [n for n in await inbox(platform, ADMIN) if n["kind"] == "PARTICIPANT_WITHDRAWN"]
    assert notice["title"] == "Ada has left the program"
    assert "Reason given: new job" in notice["body"]
    assert not any(n["kind"] == "PARTICIPANT_WITHDRAWN" for n in await inbox(platform, GRACE))
    mentor = await platform.ok(
        *ADMIN, "query($id: ID!) { mentor(id: $id) { openMatches } }", id=ids["grace"]
    )
    assert mentor["mentor"]["openMatches"] == 0


async def test_a_mentee_leaving_an_unanswered_proposal_closes_it_on_her_side_and_tells_the_mentor(
    platform: Platform,
) -> None:
    ids = await set_up_match(platform)

    done = await platform.ok(*ADA, WITHDRAW, participant=ids["ada"])

    assert done["withdrawParticipant"]["status"] == "WITHDRAWN"
    closed = await platform.ok(
        *ADMIN, "query($id: ID!) { match(id: $id) { status declinedBy reason } }", id=ids["match"]
    )
    assert closed["match"] == {
        "status": "DECLINED",
        "declinedBy": "MENTEE",
        "reason": "the mentee withdrew from the program",
    }

    async def told(who: Who, kind: str) -> list[dict[str, Any]]:
        return [n for n in await inbox(platform, who) if n["kind"] == kind]

    async def mentor_told() -> bool:
        return bool(await told(GRACE, "MATCH_DECLINED"))

    async def admin_told() -> bool:
        return bool(await told(ADMIN, "PARTICIPANT_WITHDRAWN"))

    await eventually(mentor_told, timeout=30)
    (notice,) = await told(GRACE, "MATCH_DECLINED")
    assert notice["title"] == "Ada is no longer in the program"
    assert "declined" not in notice["body"]
    await eventually(admin_told, timeout=30)
    assert await told(ADMIN, "MATCH_DECLINED") == [], "the admins hear of the withdrawal only"
