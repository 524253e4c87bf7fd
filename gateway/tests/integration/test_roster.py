"""A program's roster and its mentors' loads (its admins only), and your own participations,
through the gateway: statuses derived from the matches, filters, pages, internal calls."""

from __future__ import annotations

import base64
from typing import Any

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
)

CO_ADMIN = ("u-co-admin", ("admin",))
OTHER_ADMIN = ("u-other-admin", ("admin",))
BOB = ("u-bob", ("mentee",))
CY = ("u-cy", ("mentee",))
DEE = ("u-dee", ("mentee",))
EVE = ("u-eve", ("mentee",))

ROSTER = """
query($program: ID!, $role: ParticipantRole, $status: RosterStatus, $search: String,
      $first: Int! = 20, $after: String) {
  program(id: $program) {
    participants(role: $role, status: $status, search: $search, first: $first, after: $after) {
      nodes { status participant { displayName roles } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

MENTORS = """
query($program: ID!, $first: Int! = 20, $after: String) {
  program(id: $program) {
    mentors(first: $first, after: $after) {
      nodes {
        mentor { displayName } capacity openMatches freePlaces
        mentees { displayName matchStatus progressStatus }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

PARTICIPATIONS = """
{ me { participations { participantId roles status program { id name status } } } }"""

PROPOSE = """
mutation($mentee: ID!, $mentor: ID!) {
  proposeMatch(menteeId: $mentee, mentorId: $mentor) { __typename ... on Match { id } }
}"""
END = """
mutation($id: ID!) { endMatch(matchId: $id, outcome: COMPLETED) { __typename } }"""
WITHDRAW = """
mutation($id: ID!) { withdrawParticipant(participantId: $id) { __typename } }"""
Who = tuple[str, tuple[str, ...]]
NAIVE_CURSOR = base64.urlsafe_b64encode(b'["2026-01-01T00:00:00", "x"]').decode()
"""Well formed, but with a moment no stored registration has (without its UTC offset)."""


async def register(platform: Platform, who: Who, program: str, name: str, mentor: bool) -> str:
    skills = {"competencies" if mentor else "goals": [{"key": "purpose", "level": 3}]}
    done = await platform.ok(
        *who,
        REGISTER,
        mentor=mentor,
        input=profile(program, name, capacity=3, **skills)
        if mentor
        else profile(program, name, **skills),
    )
    participant: str = done["mentor" if mentor else "mentee"]["id"]
    return participant


async def match(platform: Platform, mentee: str, mentor: str, by: Who | None) -> str:
    proposed = await platform.ok(*ADMIN, PROPOSE, mentee=mentee, mentor=mentor)
    match_id: str = proposed["proposeMatch"]["id"]
    if by is not None:
        accepted = await platform.ok(*by, ACCEPT, id=match_id)
        assert accepted["acceptMatch"]["status"] == "ACTIVE"
    return match_id


async def cohort(platform: Platform) -> dict[str, str]:
    """Grace mentors Ada (active) and has Bob proposed; Alan mentored Cy to completion; Dee
    waits; Eve withdrew."""
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot")
    program: str = created["createProgram"]["id"]
    grace = await register(platform, GRACE, program, "Grace", mentor=True)
    alan = await register(platform, ALAN, program, "Alan", mentor=True)
    ada = await register(platform, ADA, program, "Ada", mentor=False)
    bob = await register(platform, BOB, program, "Bob", mentor=False)
    cy = await register(platform, CY, program, "Cy", mentor=False)
    await register(platform, DEE, program, "Dee", mentor=False)
    eve = await register(platform, EVE, program, "Eve", mentor=False)
    await match(platform, ada, grace, GRACE)
    await match(platform, bob, grace, None)
    ended = await match(platform, cy, alan, ALAN)
    assert (await platform.ok(*ALAN, END, id=ended))["endMatch"]["__typename"] == "Match"
    assert (await platform.ok(*EVE, WITHDRAW, id=eve))["withdrawParticipant"]["__typename"] == (
        "Participant"
    )
    return {"program": program, "ada": ada}


def statuses(body: dict[str, Any]) -> dict[str, str]:
    nodes = body["program"]["participants"]["nodes"]
    return {n["participant"]["displayName"]: n["status"] for n in nodes}


async def test_the_roster_gives_each_persons_status_with_filters_and_pages(
    platform: Platform,
) -> None:
    ids = await cohort(platform)
    program = ids["program"]
    everyone = await platform.gql(*ADMIN, ROSTER, program=program)
    assert "errors" not in everyone, everyone
    assert statuses(everyone["data"]) == {
        "Grace": "ACTIVE",
        "Alan": "COMPLETED",
        "Ada": "ACTIVE",
        "Bob": "PROPOSED",
        "Cy": "COMPLETED",
        "Dee": "UNMATCHED",
        "Eve": "WITHDRAWN",
    }
    # the program (1) and the whole page (1), whatever the filters
    assert everyone["extensions"]["internalCalls"] == {"mentoring": 2, "progress": 0, "notify": 0}
    mentees = await platform.ok(*ADMIN, ROSTER, program=program, role="MENTEE")
    assert list(statuses(mentees)) == ["Ada", "Bob", "Cy", "Dee", "Eve"]
    waiting = await platform.ok(*ADMIN, ROSTER, program=program, status="UNMATCHED")
    assert statuses(waiting) == {"Dee": "UNMATCHED"}
    found = await platform.ok(*ADMIN, ROSTER, program=program, search="  GRACE@example ")
    assert statuses(found) == {"Grace": "ACTIVE"}
    nothing = await platform.ok(*ADMIN, ROSTER, program=program, search=".*")
    assert statuses(nothing) == {}

    names: list[str] = []
    after = None
    while True:
        page = await platform.ok(*ADMIN, ROSTER, program=program, first=2, after=after)
        names += list(statuses(page))
        info = page["program"]["participants"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert names == ["Grace", "Alan", "Ada", "Bob", "Cy", "Dee", "Eve"]


async def test_the_mentors_loads_carry_their_mentees_progress_in_one_call_each(
    platform: Platform,
) -> None:
    ids = await cohort(platform)
    body: dict[str, Any] = {}

    async def tracked() -> bool:
        body.update(await platform.gql(*ADMIN, MENTORS, program=ids["program"]))
        nodes = ((body.get("data") or {}).get("program") or {}).get("mentors", {}).get("nodes")
        return bool(nodes) and nodes[0]["mentees"][0]["progressStatus"] is not None

    await eventually(tracked, timeout=30)
    assert "errors" not in body, body
    grace, alan = body["data"]["program"]["mentors"]["nodes"]
    assert grace == {
        "mentor": {"displayName": "Grace"},
        "capacity": 3,
        "openMatches": 2,
        "freePlaces": 1,
        "mentees": [
            {"displayName": "Ada", "matchStatus": "ACTIVE", "progressStatus": "ON_TRACK"},
            {"displayName": "Bob", "matchStatus": "PROPOSED", "progressStatus": None},
        ],
    }
    assert alan == {
        "mentor": {"displayName": "Alan"},
        "capacity": 3,
        "openMatches": 0,
        "freePlaces": 3,
        "mentees": [],
    }
    # the program (1), the mentors' page (1); the progress of its tracked mentees (1)
    assert body["extensions"]["internalCalls"] == {"mentoring": 2, "progress": 1, "notify": 0}
    first = await platform.ok(*ADMIN, MENTORS, program=ids["program"], first=1)
    cursor = first["program"]["mentors"]["pageInfo"]["endCursor"]
    second = await platform.ok(*ADMIN, MENTORS, program=ids["program"], first=1, after=cursor)
    assert [n["mentor"]["displayName"] for n in second["program"]["mentors"]["nodes"]] == ["Alan"]
    assert second["program"]["mentors"]["pageInfo"] == {"hasNextPage": False, "endCursor": None}


async def test_only_the_programs_admins_see_its_roster(platform: Platform) -> None:
    ids = await cohort(platform)
    program = ids["program"]
    await add_program_admin(platform, ADMIN, program, CO_ADMIN[0])
    await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="Elsewhere")
    query = """query($program: ID!) { program(id: $program) {
      participants { nodes { status } } mentors { nodes { openMatches } } } }"""
    for who in (ADMIN, CO_ADMIN):
        seen = await platform.ok(*who, query, program=program)
        assert len(seen["program"]["participants"]["nodes"]) == 7
        assert len(seen["program"]["mentors"]["nodes"]) == 2
    for who in (GRACE, ADA):  # they see the program, not its roster
        body = await platform.gql(*who, query, program=program)
        assert body["data"]["program"] == {"participants": None, "mentors": None}, body
        codes = {(tuple(e["path"]), e["extensions"]["code"]) for e in body["errors"]}
        assert codes == {
            (("program", "participants"), "FORBIDDEN"),
            (("program", "mentors"), "FORBIDDEN"),
        }
    other = await platform.gql(*OTHER_ADMIN, query, program=program)
    assert other["data"]["program"] is None
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await platform.http.post(
        "/graphql", json={"query": query, "variables": {"program": program}}
    )
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_hostile_roster_arguments_are_coded_errors(platform: Platform) -> None:
    ids = await cohort(platform)
    program = ids["program"]
    for variables, code in (
        ({"search": "x" * 101}, "BAD_USER_INPUT"),
        ({"after": "not-a-cursor"}, "BAD_USER_INPUT"),
        ({"after": NAIVE_CURSOR}, "BAD_USER_INPUT"),
        ({"after": "x" * 401}, "BAD_USER_INPUT"),
        ({"first": 0}, "BAD_USER_INPUT"),
        ({"first": 101}, "BAD_USER_INPUT"),
    ):
        body = await platform.gql(*ADMIN, ROSTER, program=program, **variables)
        assert body["errors"][0]["extensions"]["code"] == code, (variables, body)
    bad_id = await platform.gql(
        *ADMIN, ROSTER.replace("program(id: $program)", 'program(id: "a/b")'), program=program
    )
    assert bad_id["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "FORBIDDEN")
    nul = await platform.http.post(
        "/graphql",
        content='{"query": "query($s: String) { me { userId } }", "variables": {"s": "\\u0000"}}',
        headers={
            "Authorization": f"Bearer {platform.token(ADMIN[0], *ADMIN[1])}",
            "Content-Type": "application/json",
        },
    )
    assert nul.status_code == 400


async def test_you_see_your_participations_in_one_call(platform: Platform) -> None:
    ids = await cohort(platform)
    second = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Second")
    other = second["createProgram"]["id"]
    grace_again = await register(platform, (GRACE[0], ("mentee", "mentor")), other, "Grace", False)

    body = await platform.gql(*GRACE, PARTICIPATIONS)
    assert "errors" not in body, body
    mine = body["data"]["me"]["participations"]
    assert [(p["program"]["name"], p["roles"], p["status"]) for p in mine] == [
        ("Pilot", ["MENTOR"], "ACTIVE"),
        ("Second", ["MENTEE"], "UNMATCHED"),
    ]
    assert mine[1]["participantId"] == grace_again
    assert body["extensions"]["internalCalls"] == {"mentoring": 1, "progress": 0, "notify": 0}

    eve = await platform.ok(*EVE, PARTICIPATIONS)
    assert [(p["program"]["id"], p["status"]) for p in eve["me"]["participations"]] == [
        (ids["program"], "WITHDRAWN")
    ]
    nobody = await platform.ok(*OTHER_ADMIN, PARTICIPATIONS)
    assert nobody["me"]["participations"] == []
    anonymous = await platform.http.post("/graphql", json={"query": PARTICIPATIONS})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
