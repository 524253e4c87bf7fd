"""Who sees what, through every door: root fields, nested fields, one matrix of roles."""

from __future__ import annotations

from typing import Any

from mentorship_testing.kafka import eventually

from .conftest import ACCEPT, ADA, ADMIN, ALAN, GRACE, REGISTER, Platform, profile, set_up_match

BOB = ("u-bob", ("mentee",))
OTHER_ADMIN = ("u-other-admin", ("admin",))

READ_ALL = """
query($ada: ID!, $grace: ID!, $match: ID!, $program: ID!) {
  mentee(id: $ada) { displayName }
  node(id: $ada) { id }
  mentor(id: $grace) { displayName }
  menteeProgress(menteeId: $ada) { state }
  match(id: $match) { mentee { profile { displayName } } }
  program(id: $program) { name }
  programHealth(programId: $program) { mentees }
}"""

FIELDS = ("mentee", "node", "mentor", "menteeProgress", "match", "program", "programHealth")

# what each person may read (True) or gets FORBIDDEN on (False)
MATRIX: dict[str, tuple[tuple[str, tuple[str, ...]], dict[str, bool]]] = {
    "the mentee herself": (
        ADA,
        {"mentee": True, "mentor": True, "menteeProgress": True, "match": True,
         "program": True, "programHealth": False},
    ),
    "her mentor": (
        GRACE,
        {"mentee": True, "mentor": True, "menteeProgress": True, "match": True,
         "program": True, "programHealth": False},
    ),
    "another mentor": (
        ALAN,
        {"mentee": False, "mentor": True, "menteeProgress": False, "match": False,
         "program": True, "programHealth": False},
    ),
    "another mentee": (
        BOB,
        {"mentee": False, "mentor": True, "menteeProgress": False, "match": False,
         "program": True, "programHealth": False},
    ),
    "the program's admin": (
        ADMIN,
        {"mentee": True, "mentor": True, "menteeProgress": True, "match": True,
         "program": True, "programHealth": True},
    ),
    "an admin of another program": (
        OTHER_ADMIN,
        {"mentee": False, "mentor": False, "menteeProgress": False, "match": False,
         "program": False, "programHealth": False},
    ),
}  # fmt: skip


async def test_each_role_sees_exactly_what_it_may(platform: Platform) -> None:
    ids = await set_up_match(platform)
    people: tuple[tuple[str, tuple[str, ...]], ...] = (ALAN, BOB)
    for person in people:
        registered = await platform.ok(
            *person,
            REGISTER,
            mentor=person is ALAN,
            input=profile(ids["program"], person[0][2:].title()),
        )
        assert registered["mentor" if person is ALAN else "mentee"]["__typename"] == "Participant"
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])

    async def tracked() -> bool:
        body = await platform.gql(
            *ADA, "query($id: ID!) { menteeProgress(menteeId: $id) { state } }", id=ids["ada"]
        )
        return bool(body["data"] and body["data"]["menteeProgress"])

    await eventually(tracked, timeout=30)

    # progress answers for the program's admins once it has read the program's event
    async def admin_sees_the_figures() -> bool:
        body = await platform.gql(
            *ADMIN,
            "query($p: ID!) { programHealth(programId: $p) { mentees } }",
            p=ids["program"],
        )
        return bool(body["data"] and body["data"]["programHealth"])

    await eventually(admin_sees_the_figures, timeout=30)

    seen: dict[str, dict[str, bool]] = {}
    for who, (person, _) in MATRIX.items():
        body = await platform.gql(
            *person,
            READ_ALL,
            ada=ids["ada"],
            grace=ids["grace"],
            match=ids["match"],
            program=ids["program"],
        )
        errors: dict[str, Any] = {e["path"][0]: e for e in body.get("errors", [])}
        assert {e["extensions"]["code"] for e in errors.values()} <= {"FORBIDDEN"}, (who, body)
        seen[who] = {name: body["data"][name] is not None and name not in errors for name in FIELDS}
    # a participant's node id opens exactly what its mentee field opens
    assert seen == {
        who: {**expected, "node": expected["mentee"]} for who, (_, expected) in MATRIX.items()
    }
