"""``acceptMatch`` answers once the mentee's progress follows the match (progress learns of it
from an event, a moment after mentoring answered), and never waits past its bound."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from gateway.features import matches

from .conftest import Gateway
from .samples import match, participant, progress

ACCEPT = """
mutation {
  acceptMatch(matchId: "m-1") {
    __typename
    ... on Match { status mentee { profile { progress { mentorId status } } } }
    ... on Conflict { currentState }
  }
}"""


def tracked(mentor: str | None) -> list[object]:
    return [{**progress("pt-ada"), "mentor_id": mentor}]


def answers(*bodies: list[object]) -> Callable[[httpx.Request], httpx.Response]:
    """Each call gets the next body; the last one again once they are used up."""
    remaining = list(bodies)

    def answer(_: httpx.Request) -> httpx.Response:
        body = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return httpx.Response(200, json=body)

    return answer


def accepted(gateway: Gateway) -> None:
    gateway.services["mentoring"].route("POST", "/matches/m-1/accept", match("m-1", "active"))
    gateway.services["mentoring"].route("GET", "/participants", [participant("pt-ada")])


async def test_accept_answers_once_progress_tracks_the_mentee_with_this_mentor(
    gateway: Gateway,
) -> None:
    accepted(gateway)
    # not tracked yet, then still with a former mentor, then with this one
    gateway.services["progress"].route(
        "GET", "/progress", answers([], tracked("pt-alan"), tracked("pt-grace"))
    )

    body = await gateway.query(ACCEPT)

    assert body["data"]["acceptMatch"] == {
        "__typename": "Match",
        "status": "ACTIVE",
        "mentee": {"profile": {"progress": {"mentorId": "pt-grace", "status": "ON_TRACK"}}},
    }
    asked = gateway.services["progress"].requests
    assert len(asked) == 3  # the last answer also serves the nested progress
    assert all(r.url.params["mentee_ids"] == "pt-ada" for r in asked)


async def test_accept_waits_no_longer_than_its_bound(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matches, "PROGRESS_WAIT_SECONDS", 0.3)
    accepted(gateway)
    gateway.services["progress"].route("GET", "/progress", [])

    started = time.monotonic()
    body = await gateway.query(
        'mutation { acceptMatch(matchId: "m-1") { __typename ... on Match { status } } }'
    )

    assert body["data"]["acceptMatch"] == {"__typename": "Match", "status": "ACTIVE"}
    assert len(gateway.services["progress"].requests) >= 2
    assert time.monotonic() - started < 5


async def test_accept_with_progress_down_answers_the_accepted_match(gateway: Gateway) -> None:
    accepted(gateway)
    gateway.services["progress"].down = True

    body = await gateway.query(
        'mutation { acceptMatch(matchId: "m-1") { __typename ... on Match { status } } }'
    )

    assert body["data"]["acceptMatch"] == {"__typename": "Match", "status": "ACTIVE"}
    assert "errors" not in body
    assert len(gateway.services["progress"].requests) == 1


async def test_a_refused_accept_does_not_wait_for_progress(gateway: Gateway) -> None:
    gateway.services["mentoring"].route(
        "POST",
        "/matches/m-1/accept",
        lambda _: httpx.Response(
            409,
            json={
                "detail": "cannot accept match 'm-1': it is declined",
                "current_state": "declined",
            },
        ),
    )

    body = await gateway.query(ACCEPT)

    assert body["data"]["acceptMatch"] == {"__typename": "Conflict", "currentState": "DECLINED"}
    assert not gateway.services["progress"].requests
