"""SCIM 2.0 provisioning through the gateway, on the real services: scim2-tester's checks, the
token's reach, deactivation and hostile bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from .conftest import ADMIN, CREATE_PROGRAM, Platform

SCIM = "application/scim+json"
CREATE_TOKEN = """
mutation($program: ID!, $label: String!) {
  createScimToken(programId: $program, label: $label) {
    __typename
    ... on CreatedScimToken { secret token { id label revokedAt } }
    ... on MutationError { message }
  }
}"""


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
