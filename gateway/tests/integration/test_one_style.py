"""The API's one style on the real services: an accepted match is followed by progress when the
mutation answers, a write and its later reads agree to the millisecond, lists filtered by what
the caller may not see are FORBIDDEN, and a program needs a learning path progress knows."""

from __future__ import annotations

from mentorship_testing.kafka import eventually

from .conftest import (
    ADA,
    ADMIN,
    ALAN,
    CHECK_IN,
    GRACE,
    Platform,
    set_up_match,
)

OTHER_ADMIN = ("u-other-admin", ("admin",))

ACCEPT = """
mutation($id: ID!) {
  acceptMatch(matchId: $id) {
    __typename
    ... on Match { id status decidedAt }
    ... on NotFound { id kind }
    ... on MutationError { message }
  }
}"""


async def test_a_mentee_checks_in_as_soon_as_her_mentor_has_accepted(platform: Platform) -> None:
    ids = await set_up_match(platform)

    accepted = (await platform.ok(*GRACE, ACCEPT, id=ids["match"]))["acceptMatch"]
    assert accepted["status"] == "ACTIVE", accepted
    checked_in = await platform.ok(*ADA, CHECK_IN, mentee=ids["ada"], confidence=4, key="first")

    assert checked_in["recordCheckIn"]["__typename"] == "MenteeProgress", checked_in
    progress = await platform.ok(
        *ADA,
        "query($id: ID!) { menteeProgress(menteeId: $id) { mentorId state status } }",
        id=ids["ada"],
    )
    assert progress["menteeProgress"] == {
        "mentorId": ids["grace"],
        "state": "ACTIVE",
        "status": "ON_TRACK",
    }

    # the answer to the write and every later read of it agree, to the millisecond
    read = await platform.ok(
        *GRACE, "query($id: ID!) { match(id: $id) { decidedAt } }", id=ids["match"]
    )
    assert read["match"]["decidedAt"] == accepted["decidedAt"]


async def test_a_union_answer_selects_id_on_the_match_and_on_not_found(
    platform: Platform,
) -> None:
    missing = (await platform.ok(*GRACE, ACCEPT, id="m_nope"))["acceptMatch"]
    assert missing == {
        "__typename": "NotFound",
        "id": "m_nope",
        "kind": "MATCH",
        "message": "match 'm_nope' not found",
    }


async def test_lists_filtered_by_what_you_may_not_see_are_forbidden(platform: Platform) -> None:
    ids = await set_up_match(platform)
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])
    matches = "query($p: ID!) { matches(programId: $p) { nodes { id } } }"
    dashboard = (
        "query($m: ID!) { mentorDashboard(mentorId: $m) { mentees { nodes { menteeId } } } }"
    )

    for outsider in (ALAN, OTHER_ADMIN):
        body = await platform.gql(*outsider, matches, p=ids["program"])
        assert body["data"] == {"matches": None}, (outsider, body)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    elsewhere = await platform.gql(*OTHER_ADMIN, dashboard, m=ids["grace"])
    assert elsewhere["data"] == {"mentorDashboard": None}
    assert [e["extensions"]["code"] for e in elsewhere["errors"]] == ["FORBIDDEN"]

    # those who may see the program or the mentor get the list
    own = await platform.ok(*ADMIN, matches, p=ids["program"])
    assert own["matches"]["nodes"] == [{"id": ids["match"]}]
    mine = await platform.ok(*ADA, matches, p=ids["program"])
    assert mine["matches"]["nodes"] == [{"id": ids["match"]}]

    async def supervised() -> bool:
        """Once progress has read what the supervision needs (the program's admins come on
        another topic than the acceptance it follows when the mutation answers)."""
        found = await platform.ok(*ADMIN, dashboard, m=ids["grace"])
        return bool(found["mentorDashboard"]["mentees"]["nodes"] == [{"menteeId": ids["ada"]}])

    await eventually(supervised, timeout=30)


async def test_a_program_on_a_learning_path_progress_does_not_know_is_refused(
    platform: Platform,
) -> None:
    create = """
    mutation($path: ID!) {
      createProgram(input: {name: "Pilot", learningPathId: $path}) {
        __typename
        ... on Program { learningPathId }
        ... on ValidationError { problems { path } }
      }
    }"""
    refused = (await platform.ok(*ADMIN, create, path="no-such-path"))["createProgram"]
    assert refused == {
        "__typename": "ValidationError",
        "problems": [{"path": ["input", "learningPathId"]}],
    }
    programs = await platform.ok(*ADMIN, "{ programs(first: 50) { nodes { learningPathId } } }")
    assert {"learningPathId": "no-such-path"} not in programs["programs"]["nodes"]

    known = await platform.ok(*ADMIN, create, path="social-business-accompaniment")
    assert known["createProgram"] == {
        "__typename": "Program",
        "learningPathId": "social-business-accompaniment",
    }
