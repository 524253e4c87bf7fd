"""The dev profile's sign-in endpoints: the people of the demo admin's programs and a token for
one of them, which the GraphQL API accepts; absent in any other profile."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from gateway.app import create_app
from mentorship_testing.served import served

from .conftest import CREATE_PROGRAM, PROPOSE, REGISTER, Platform, profile

DEMO_ADMIN = ("demo-admin", ("admin",))
MENTOR = ("dev-grace", ("mentor",))
MENTEE = ("dev-ada", ("mentee",))


@pytest_asyncio.fixture(loop_scope="session")
async def dev_gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    """A second gateway on the same services, in the dev profile (no live updates needed)."""
    settings = platform.settings.model_copy(update={"profile": "dev"})
    app = create_app(settings, transports=platform.transports, live_updates=False)
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


async def test_outside_the_dev_profile_there_is_no_sign_in_endpoint(platform: Platform) -> None:
    assert platform.settings.profile == "test"

    people = await platform.http.get("/dev/people")
    token = await platform.http.post("/dev/token", json={"userId": "u-x", "role": "admin"})

    assert people.status_code == 404
    assert token.status_code == 404


async def test_the_dev_profile_lists_the_demo_programs_people_and_signs_them_in(
    platform: Platform, dev_gateway: httpx.AsyncClient
) -> None:
    created = (await platform.ok(*DEMO_ADMIN, CREATE_PROGRAM, name="Dev pilot"))["createProgram"]
    assert created["__typename"] == "Program", created
    program = created["id"]
    grace = profile(program, "Grace", displayName="Grace Dev")
    ada = profile(program, "Ada", displayName="Ada Dev")
    mentor = await platform.ok(*MENTOR, REGISTER, mentor=True, input=grace)
    mentee = await platform.ok(*MENTEE, REGISTER, mentor=False, input=ada)
    await platform.ok(
        *DEMO_ADMIN, PROPOSE, mentee=mentee["mentee"]["id"], mentor=mentor["mentor"]["id"]
    )

    listed = await dev_gateway.get("/dev/people")

    assert listed.status_code == 200, listed.text
    people = listed.json()["people"]
    assert people == [
        {"userId": "demo-admin", "name": "Demo Admin", "role": "admin"},
        {"userId": "dev-grace", "name": "Grace Dev", "role": "mentor"},
        {"userId": "dev-ada", "name": "Ada Dev", "role": "mentee"},
    ]

    signed = await dev_gateway.post(
        "/dev/token", json={"userId": "dev-ada", "role": "mentee", "name": "Ada Dev"}
    )
    assert signed.status_code == 200, signed.text
    token = signed.json()["token"]
    me = await dev_gateway.post(
        "/graphql",
        json={"query": "{ me { userId name roles } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert me.json()["data"] == {
        "me": {"userId": "dev-ada", "name": "Ada Dev", "roles": ["MENTEE"]}
    }


async def test_people_never_matched_are_listed_too_once_for_each_role(
    platform: Platform, dev_gateway: httpx.AsyncClient
) -> None:
    created = (await platform.ok(*DEMO_ADMIN, CREATE_PROGRAM, name="Dev waiting"))["createProgram"]
    assert created["__typename"] == "Program", created
    second = (await platform.ok(*DEMO_ADMIN, CREATE_PROGRAM, name="Dev second"))["createProgram"]
    # a new mentor nobody was proposed to, a mentee waiting for suggestions, and someone who
    # mentors in one of the demo admin's programs and is mentored in another
    for user, name, as_mentor, program in [
        ("dev-new-mentor", "Nora New", True, created["id"]),
        ("dev-waiting", "Wes Waiting", False, created["id"]),
        ("dev-both", "Bo Both", True, created["id"]),
        ("dev-both", "Bo Both", False, second["id"]),
    ]:
        role = "mentor" if as_mentor else "mentee"
        answer = await platform.ok(
            user,
            (role,),
            REGISTER,
            mentor=as_mentor,
            input=profile(program, name.split()[0], displayName=name),
        )
        assert answer[role]["__typename"] == "Participant", answer
    # people of a program the demo admin does not run are not listed
    other = (await platform.ok("u-other-admin", ("admin",), CREATE_PROGRAM, name="Other"))[
        "createProgram"
    ]
    await platform.ok(
        "dev-elsewhere", ("mentee",), REGISTER, mentor=False, input=profile(other["id"], "Eli")
    )

    listed = await dev_gateway.get("/dev/people")

    assert listed.status_code == 200, listed.text
    assert listed.json() == {
        "people": [
            {"userId": "demo-admin", "name": "Demo Admin", "role": "admin"},
            {"userId": "dev-both", "name": "Bo Both", "role": "mentor"},
            {"userId": "dev-new-mentor", "name": "Nora New", "role": "mentor"},
            {"userId": "dev-both", "name": "Bo Both", "role": "mentee"},
            {"userId": "dev-waiting", "name": "Wes Waiting", "role": "mentee"},
        ],
        "problem": None,
    }
    signed = await dev_gateway.post(
        "/dev/token", json={"userId": "dev-waiting", "role": "mentee", "name": "Wes Waiting"}
    )
    assert signed.status_code == 200, signed.text


@pytest.mark.parametrize(
    "body",
    [
        '{"userId": "u-x", "role": "root"}',
        '{"userId": "u\\u0000x", "role": "admin"}',
        '{"userId": "u-x", "role": "admin", "name": "\\ud800"}',
        '{"userId": "u-x", "role": "admin", "name": "a\\u0000b"}',
        '{"userId": "' + "x" * 65 + '", "role": "admin"}',
        '{"userId": "u-x", "role": "admin", "extra": 1}',
        '{"userId": ["u-x"], "role": "admin"}',
        '{"userId": "u-x", "role": "admin"',
        "[" * 5000 + "]" * 5000,
        "\xff\xfe",
    ],
)
async def test_a_malformed_token_request_is_refused_with_a_4xx(
    dev_gateway: httpx.AsyncClient, body: Any
) -> None:
    answer = await dev_gateway.post(
        "/dev/token",
        content=body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body,
        headers={"Content-Type": "application/json"},
    )

    assert 400 <= answer.status_code < 500, answer.text
