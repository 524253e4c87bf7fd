"""SCIM 2.0 provisioning through the gateway, on the real services: scim2-tester's checks, the
token's reach, deactivation and hostile bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from .conftest import ACCEPT, ADMIN, CREATE_PROGRAM, PROPOSE, Platform

SCIM = "application/scim+json"
CREATE_TOKEN = """
mutation($program: ID!, $label: String!) {
  createScimToken(programId: $program, label: $label) {
    __typename
    ... on CreatedScimToken { secret token { id label revokedAt } }
    ... on MutationError { message }
  }
}"""
REVOKE = """
mutation($id: ID!) { revokeScimToken(id: $id) { __typename ... on ScimToken { revokedAt } } }"""
TOKENS = """
query($program: ID!) { scimTokens(programId: $program) { id label revokedAt } }"""


async def program_with_token(platform: Platform, name: str) -> tuple[str, str, str]:
    """A new open program of ADMIN's, and a SCIM token of it: (program id, token id, secret)."""
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name=name)
    program = created["createProgram"]["id"]
    answer = (await platform.ok(*ADMIN, CREATE_TOKEN, program=program, label="idp"))[
        "createScimToken"
    ]
    assert answer["__typename"] == "CreatedScimToken", answer
    return program, answer["token"]["id"], answer["secret"]


def scim(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", "Content-Type": SCIM}


def person(user_name: str, **extra: Any) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "emails": [{"value": f"{user_name}@example.org", "primary": True}],
        **extra,
    }


def appended_as_rfc_says(title: str, data: Any) -> bool:
    """scim2-tester adds a whole extension, then each of its attributes to the same user, and
    expects a multi-valued attribute to hold only the value added last; RFC 7644 §3.5.2.1 says
    an ``add`` to a multi-valued attribute that has values adds to them. Such a check is held
    to the RFC: the values added come last, after those the user had."""
    if title != "check_add_attribute" or not isinstance(data, dict):
        return False
    expected, actual = data.get("expected"), data.get("modify_actual")
    if not isinstance(expected, list) or not isinstance(actual, list):
        return False
    dumped = [getattr(v, "model_dump", lambda v=v: v)() for v in actual]
    added = [getattr(v, "model_dump", lambda v=v: v)() for v in expected]
    return len(dumped) > len(added) and dumped[-len(added) :] == added


async def test_scim2_tester_passes_every_check_it_runs(platform: Platform) -> None:
    _, _, secret = await program_with_token(platform, "Tested by scim2-tester")

    def run() -> list[Any]:
        with httpx2.Client(
            base_url=f"{platform.url}/scim/v2", headers={"Authorization": f"Bearer {secret}"}
        ) as http:
            client = SyncSCIMClient(http)
            return check_server(client)

    results = await asyncio.to_thread(run)
    assert len(results) > 20
    failed = [
        (r.title, r.reason)
        for r in results
        if r.status is not Status.SUCCESS and not appended_as_rfc_says(r.title, r.data)
    ]
    assert failed == [], "\n".join(f"{title}: {reason}" for title, reason in failed)


async def test_a_token_opens_its_own_program_only_until_it_is_revoked(platform: Platform) -> None:
    _, token_a, secret_a = await program_with_token(platform, "Scope A")
    _, _, secret_b = await program_with_token(platform, "Scope B")
    created = await platform.http.post("/scim/v2/Users", json=person("ann"), headers=scim(secret_a))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith(SCIM)
    ann = created.json()["id"]
    assert (
        await platform.http.get(f"/scim/v2/Users/{ann}", headers=scim(secret_a))
    ).status_code == 200
    other = await platform.http.get(f"/scim/v2/Users/{ann}", headers=scim(secret_b))
    assert other.status_code == 404
    assert other.json()["status"] == "404"
    listed = await platform.http.get(
        "/scim/v2/Users", params={"filter": 'userName eq "ANN"'}, headers=scim(secret_b)
    )
    assert listed.json()["totalResults"] == 0
    found = await platform.http.get(
        "/scim/v2/Users", params={"filter": 'userName eq "ANN"'}, headers=scim(secret_a)
    )
    assert [u["id"] for u in found.json()["Resources"]] == [ann]

    revoked = await platform.ok(
        *ADMIN,
        REVOKE,
        id=token_a,
    )
    assert revoked["revokeScimToken"]["revokedAt"] is not None
    refused = await platform.http.get(f"/scim/v2/Users/{ann}", headers=scim(secret_a))
    assert refused.status_code == 401
    assert refused.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert (
        await platform.http.get("/scim/v2/Users", headers=scim("scim_nothing"))
    ).status_code == 401
    assert (await platform.http.get("/scim/v2/Users")).status_code == 401


async def test_lists_page_and_refuse_unsupported_filters(platform: Platform) -> None:
    _, _, secret = await program_with_token(platform, "Paging")
    for n in range(5):
        answer = await platform.http.post(
            "/scim/v2/Users", json=person(f"p{n}", externalId=f"x-{n}"), headers=scim(secret)
        )
        assert answer.status_code == 201, answer.text
    page = (
        await platform.http.get(
            "/scim/v2/Users", params={"startIndex": 2, "count": 2}, headers=scim(secret)
        )
    ).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    by_external = (
        await platform.http.get(
            "/scim/v2/Users", params={"filter": 'externalId eq "x-3"'}, headers=scim(secret)
        )
    ).json()
    assert [u["userName"] for u in by_external["Resources"]] == ["p3"]
    for unsupported in ('displayName co "p"', 'userName eq "a" or userName eq "b"', "userName eq"):
        refused = await platform.http.get(
            "/scim/v2/Users", params={"filter": unsupported}, headers=scim(secret)
        )
        assert refused.status_code == 400
        assert refused.json()["scimType"] == "invalidFilter"


async def test_an_idp_retrying_one_post_at_once_creates_one_participant(platform: Platform) -> None:
    _, _, secret = await program_with_token(platform, "Retries")
    answers = await asyncio.gather(
        *(
            platform.http.post(
                "/scim/v2/Users", json=person("retried", externalId="idp-1"), headers=scim(secret)
            )
            for _ in range(12)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 11, [a.text for a in answers]
    assert {a.json()["scimType"] for a in answers if a.status_code == 409} == {"uniqueness"}
    listed = (await platform.http.get("/scim/v2/Users", headers=scim(secret))).json()
    assert listed["totalResults"] == 1


async def test_hostile_bodies_are_refused_with_scim_errors(platform: Platform) -> None:
    _, _, secret = await program_with_token(platform, "Hostile")
    headers = scim(secret)
    bodies: list[tuple[bytes, int]] = [
        (b"{not json", 400),
        (b"[]", 400),
        (b'{"userName": "a\\u0000b", "emails": [{"value": "a@b.org"}]}', 400),
        (b'{"userName": "\\ud800", "emails": [{"value": "a@b.org"}]}', 400),
        (b'{"userName": 12, "emails": "nope"}', 400),
        (b"\xff\xfe", 400),
        (b'{"a":' * 100 + b"1" + b"}" * 100, 400),
        (b'{"userName": "' + b"x" * 300_000 + b'"}', 413),
        (b'{"userName": "' + b"x" * 3_000_000 + b'"}', 413),
    ]
    for body, status in bodies:
        answer = await platform.http.post("/scim/v2/Users", content=body, headers=headers)
        assert answer.status_code == status, (body[:40], answer.text[:200])
        assert answer.headers["content-type"].startswith(SCIM), answer.text[:200]
        assert answer.json()["status"] == str(status)
    for params in (
        {"filter": 'userName eq "\\ud800"'},
        {"filter": 'userName eq "a\\u0000b"'},
        {"filter": "x" * 5000},
        {"startIndex": "first"},
        {"attributes": "emails", "excludedAttributes": "userName"},
    ):
        answer = await platform.http.get("/scim/v2/Users", params=params, headers=headers)
        assert answer.status_code == 400, (params, answer.text[:200])
        assert answer.headers["content-type"].startswith(SCIM)
    for odd in ("%00", "a" * 300, "pt_x%2Fy", "%2E%2E"):
        answer = await platform.http.get(f"/scim/v2/Users/{odd}", headers=headers)
        assert answer.status_code == 404, (odd, answer.text[:200])
    bad_patch = await platform.http.patch(
        "/scim/v2/Users/pt_unknown", json={"Operations": "x"}, headers=headers
    )
    assert bad_patch.status_code == 400


async def test_only_the_programs_admins_manage_its_tokens(
    platform: Platform, mongo_client: Any
) -> None:
    program, token, _ = await program_with_token(platform, "Token matrix")
    co_admin = ("u-co-admin", ("admin",))  # added as a co-admin is, in the program's store
    database = [n for n in await mongo_client.list_database_names() if n.endswith("_m")]
    for name in database:
        await mongo_client[name]["programs"].update_one(
            {"_id": program},
            {"$push": {"admin_ids": co_admin[0], "admins": {"user_id": co_admin[0]}}},
        )
    people = {
        "admin": (ADMIN, True),
        "co-admin": (co_admin, True),
        "admin of another program": (("u-other-admin", ("admin",)), False),
        "mentor": (("u-grace", ("mentor",)), False),
        "mentee": (("u-ada", ("mentee",)), False),
    }
    for who, ((user, roles), allowed) in people.items():
        listed = await platform.gql(user, roles, TOKENS, program=program)
        created = await platform.gql(user, roles, CREATE_TOKEN, program=program, label=who)
        kind = created["data"]["createScimToken"]["__typename"]
        if allowed:
            assert token in [t["id"] for t in listed["data"]["scimTokens"]], who
            assert "secret" not in str(listed["data"]), who
            assert kind == "CreatedScimToken", who
        else:
            assert listed["data"]["scimTokens"] is None, who
            assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN", who
            assert kind in ("Forbidden", "NotFound"), (who, kind)
        revoked = await platform.gql(user, roles, REVOKE, id=token)
        assert (revoked["data"]["revokeScimToken"]["__typename"] == "ScimToken") is allowed, who
    for query, variables in (
        (TOKENS, {"program": program}),
        (CREATE_TOKEN, {"program": program, "label": "anonymous"}),
        (REVOKE, {"id": token}),
    ):
        anonymous = await platform.http.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


MENTORSHIP = "urn:ietf:params:scim:schemas:extension:mentorship:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
PROGRAM_MATCHES = """
query($program: ID!) {
  matches(programId: $program, first: 50) {
    nodes { id status proposedBy mentee { participantId } mentor { participantId name } }
  }
}"""
PARTICIPANT = """
query($id: ID!) { node(id: $id) { ... on Participant { status displayName } } }"""
PROFILE = """
query($id: ID!) {
  node(id: $id) { ... on Participant { displayName email timezone department roles } }
}"""
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


async def provision(platform: Platform, secret: str, user_name: str, **extra: Any) -> str:
    answer = await platform.http.post(
        "/scim/v2/Users", json=person(user_name, **extra), headers=scim(secret)
    )
    assert answer.status_code == 201, answer.text
    user_id: str = answer.json()["id"]
    return user_id


async def test_deactivating_a_mentor_ends_their_matches_and_proposes_the_next_best(
    platform: Platform,
) -> None:
    program, _, secret = await program_with_token(platform, "Leavers")
    grace = await provision(
        platform,
        secret,
        "grace",
        externalId="e-grace",
        **{MENTORSHIP: {"roles": ["mentor"], "competencies": [{"skill": "purpose", "level": "5"}]}},
    )
    alan = await provision(
        platform,
        secret,
        "alan",
        **{MENTORSHIP: {"roles": ["mentor"], "competencies": [{"skill": "purpose", "level": "3"}]}},
    )
    ada = await provision(
        platform, secret, "ada", **{MENTORSHIP: {"goals": [{"skill": "purpose", "level": "4"}]}}
    )
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=ada, mentor=grace))["proposeMatch"]
    accepted = await platform.ok("e-grace", ("mentor",), ACCEPT, id=proposed["id"])
    assert accepted["acceptMatch"]["status"] == "ACTIVE", accepted

    left = await platform.http.patch(
        f"/scim/v2/Users/{grace}",
        json={
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
        headers=scim(secret),
    )
    assert left.status_code == 200, left.text
    assert left.json()["active"] is False

    assert (await platform.ok(*ADMIN, PARTICIPANT, id=grace))["node"]["status"] == "WITHDRAWN"
    matches = (await platform.ok(*ADMIN, PROGRAM_MATCHES, program=program))["matches"]["nodes"]
    by_id = {m["id"]: m for m in matches}
    assert by_id[proposed["id"]]["status"] == "ENDED_EARLY"
    escalated = [m for m in matches if m["id"] != proposed["id"]]
    assert [
        (m["mentee"]["participantId"], m["mentor"]["participantId"], m["status"], m["proposedBy"])
        for m in escalated
    ] == [(ada, alan, "PROPOSED", "ESCALATION")]

    again = await platform.http.put(
        f"/scim/v2/Users/{grace}", json=person("grace", active=True), headers=scim(secret)
    )
    assert again.status_code == 200, again.text
    assert (await platform.ok(*ADMIN, PARTICIPANT, id=grace))["node"]["status"] == "WITHDRAWN"

    gone = await platform.http.delete(f"/scim/v2/Users/{alan}", headers=scim(secret))
    assert gone.status_code == 204
    assert (
        await platform.http.get(f"/scim/v2/Users/{alan}", headers=scim(secret))
    ).status_code == 404
    assert (await platform.ok(*ADMIN, PARTICIPANT, id=alan))["node"]["status"] == "WITHDRAWN"


async def test_replace_and_patch_change_the_participant(platform: Platform) -> None:
    _, _, secret = await program_with_token(platform, "Changes")
    boss = await provision(platform, secret, "boss", externalId="e-boss")
    ann = await provision(
        platform, secret, "ann", externalId="e-ann", displayName="Ann", preferredLanguage="fr-CA"
    )
    replaced = await platform.http.put(
        f"/scim/v2/Users/{ann}",
        json=person(
            "ann.new",
            externalId="e-ann-2",
            name={"givenName": "Ann", "familyName": "Smith"},
            timezone="Europe/Paris",
            **{
                ENTERPRISE: {
                    "department": "Sales",
                    "manager": {"value": boss},
                },
                MENTORSHIP: {"roles": ["mentor", "mentee"], "capacity": "4"},
            },
        ),
        headers=scim(secret),
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["userName"] == "ann.new"
    seen = (
        await platform.ok(
            *ADMIN,
            PROFILE,
            id=ann,
        )
    )["node"]
    assert seen == {
        "displayName": "Ann Smith",
        "email": "ann.new@example.org",
        "timezone": "Europe/Paris",
        "department": "Sales",
        "roles": ["MENTEE", "MENTOR"],
    }
    patched = await platform.http.patch(
        f"/scim/v2/Users/{ann}",
        json={
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "replace", "path": "displayName", "value": "Ann S."},
                {
                    "op": "add",
                    "path": "emails",
                    "value": [{"value": "ann@work.org", "primary": True}],
                },
                {
                    "op": "remove",
                    "path": f"{ENTERPRISE}:department",
                },
            ],
        },
        headers=scim(secret),
    )
    assert patched.status_code == 200, patched.text
    seen = (
        await platform.ok(
            *ADMIN,
            PROFILE,
            id=ann,
        )
    )["node"]
    assert (seen["displayName"], seen["email"], seen["department"]) == (
        "Ann S.",
        "ann@work.org",
        None,
    )
    taken = await platform.http.put(
        f"/scim/v2/Users/{ann}", json=person("BOSS"), headers=scim(secret)
    )
    assert taken.status_code == 409
    assert taken.json()["scimType"] == "uniqueness"
    unknown_manager = await platform.http.put(
        f"/scim/v2/Users/{ann}",
        json=person(
            "ann.new",
            **{ENTERPRISE: {"manager": {"value": "pt_nobody"}}},
        ),
        headers=scim(secret),
    )
    assert unknown_manager.status_code == 400
    assert unknown_manager.json()["scimType"] == "invalidValue"
    bad_path = await platform.http.patch(
        f"/scim/v2/Users/{ann}",
        json={
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "nickName[", "value": "x"}],
        },
        headers=scim(secret),
    )
    assert bad_path.status_code == 400


async def test_concurrent_patches_of_one_user_all_land(platform: Platform) -> None:
    _, _, secret = await program_with_token(platform, "Concurrent patches")
    ann = await provision(platform, secret, "ann")
    answers = await asyncio.gather(
        *(
            platform.http.patch(
                f"/scim/v2/Users/{ann}",
                json={
                    "schemas": [PATCH_OP],
                    "Operations": [
                        {"op": "add", "path": "emails", "value": [{"value": f"ann{n}@b.org"}]}
                    ],
                },
                headers=scim(secret),
            )
            for n in range(8)
        )
    )
    assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]
    stored = (await platform.http.get(f"/scim/v2/Users/{ann}", headers=scim(secret))).json()
    assert sorted(e["value"] for e in stored["emails"]) == sorted(
        ["ann@example.org", *(f"ann{n}@b.org" for n in range(8))]
    )


async def test_patches_as_entra_id_sends_them(platform: Platform) -> None:
    """Capitalised operations, a boolean written as text, a manager named by its id alone."""
    _, _, secret = await program_with_token(platform, "Entra")
    boss = await provision(platform, secret, "boss", externalId="e-boss2")
    ann = await provision(platform, secret, "ann", externalId="e-ann3")
    patched = await platform.http.patch(
        f"/scim/v2/Users/{ann}",
        json={
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss},
                {"op": "Replace", "path": "displayName", "value": "Ann E."},
            ],
        },
        headers=scim(secret),
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()[ENTERPRISE]["manager"]["value"] == boss
    left = await platform.http.patch(
        f"/scim/v2/Users/{ann}",
        json={
            "schemas": [PATCH_OP],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
        headers=scim(secret),
    )
    assert left.status_code == 200, left.text
    assert (await platform.ok(*ADMIN, PARTICIPANT, id=ann))["node"]["status"] == "WITHDRAWN"
