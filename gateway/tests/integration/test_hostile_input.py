"""Hostile or broken requests against the whole platform: clear errors, never a 500."""

from __future__ import annotations

from .conftest import ADA, ADMIN, CHECK_IN, CREATE_PROGRAM, GRACE, Platform, profile


async def test_requests_that_are_not_graphql_are_refused_with_graphql_errors(
    platform: Platform,
) -> None:
    token = {"Authorization": f"Bearer {platform.token('u-admin', 'admin')}"}
    answers = [
        await platform.http.get("/graphql", params={"query": "{ me { userId } }"}, headers=token),
        await platform.http.post("/graphql", content=b"{oops", headers=token),
        await platform.http.post("/graphql", json={"query": "{ me { userId "}, headers=token),
        await platform.http.post("/graphql", json={"query": "{ me { secret } }"}, headers=token),
        await platform.http.post(
            "/graphql",
            json={"query": "query($n: Int!) { programs(first: $n) { nodes { id } } }",
                  "variables": {"n": "ten"}},
            headers=token,
        ),
        await platform.http.post("/graphql", json={"query": "{ me { userId } }"}),
        await platform.http.post(
            "/graphql",
            json={"query": "{ me { userId } }"},
            headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."},
        ),
    ]  # fmt: skip
    for response in answers:
        assert response.status_code < 500, response.text
        assert response.json()["errors"][0]["message"]
    assert answers[-1].json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


REGISTER_MENTEE = """
mutation($input: RegisterInput!) {
  registerMentee(input: $input) {
    __typename
    ... on Participant { id }
    ... on ValidationError { problems { path message } }
  }
}"""

BAD_PROFILES: list[tuple[str, object, list[str]]] = [
    ("email", "not-an-address", ["input", "email"]),
    ("timezone", "Mars/Olympus_Mons", ["input", "timezone"]),
    ("displayName", "x" * 5000, ["input", "displayName"]),
    ("availability", [{"day": 9, "startHour": 9, "endHour": 12}],
     ["input", "availability", "0", "day"]),
    ("goals", [{"key": "purpose", "level": 99}], ["input", "goals", "purpose"]),
    ("languages", [], ["input", "languages"]),
]  # fmt: skip


async def test_a_bad_profile_names_its_field_and_registers_nothing(platform: Platform) -> None:
    program = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]["id"]
    for field, value, path in BAD_PROFILES:
        refused = await platform.ok(
            *ADA, REGISTER_MENTEE, input=profile(program, "Ada", **{field: value})
        )
        answer = refused["registerMentee"]
        assert answer["__typename"] == "ValidationError", (field, answer)
        assert [p["path"] for p in answer["problems"]] == [path], (field, answer)

    accepted = await platform.ok(*ADA, REGISTER_MENTEE, input=profile(program, "Ada"))
    assert accepted["registerMentee"]["__typename"] == "Participant"


async def test_unicode_and_control_characters_are_data_not_code(platform: Platform) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilote 🚀 «été» \u202e<script>")
    program = created["createProgram"]
    assert program["__typename"] == "Program"
    assert program["name"] == "Pilote 🚀 «été» \u202e<script>"


async def test_a_check_in_for_someone_untracked_is_a_typed_error(platform: Platform) -> None:
    answer = await platform.ok(*GRACE, CHECK_IN, mentee="pt-nobody", confidence=3)
    assert answer["recordCheckIn"]["__typename"] in ("NotFound", "Forbidden")


async def test_a_service_down_gives_a_partial_answer(platform: Platform) -> None:
    program = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]["id"]
    platform.transports["notify"].down = True
    try:
        body = await platform.gql(
            *ADMIN,
            """query($id: ID!) { me { userId } program(id: $id) { name }
                                notifications { unread } }""",
            id=program,
        )
    finally:
        platform.transports["notify"].down = False
    assert body["data"]["me"] == {"userId": "u-admin"}
    assert body["data"]["program"] == {"name": "Pilot"}
    assert body["data"]["notifications"] is None
    [error] = body["errors"]
    assert error["path"] == ["notifications"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
