"""A mentee's history in detail through the gateway: who sees what, page after page, and the
page arguments a hostile client may send."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
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
    set_up_match,
)

OTHER_ADMIN = ("u-other-admin", ("admin",))
CO_ADMIN = ("u-co-admin", ("admin",))

RECORD = """
mutation($mentee: ID!, $confidence: Int!, $note: String, $id: ID) {
  recordCheckIn(menteeId: $mentee, moduleId: "purpose", confidence: $confidence, note: $note,
                checkInId: $id) {
    __typename ... on MutationError { message }
  }
}"""

COMPLETE = """
mutation($mentee: ID!, $milestone: ID!, $evidence: String) {
  completeMilestone(menteeId: $mentee, milestoneId: $milestone, evidence: $evidence) {
    __typename ... on MutationError { message }
  }
}"""

REOPEN = """
mutation($mentee: ID!, $milestone: ID!, $reason: String!) {
  reopenMilestone(menteeId: $mentee, milestoneId: $milestone, reason: $reason) {
    __typename ... on MutationError { message }
  }
}"""

LOG = """
mutation($mentee: ID!, $input: SessionInput!) {
  logSession(menteeId: $mentee, input: $input) { __typename ... on MutationError { message } }
}"""

END = """
mutation($id: ID!) {
  endMatch(matchId: $id, outcome: ENDED_EARLY) { __typename ... on MutationError { message } }
}"""

DETAIL = """
query($ada: ID!) {
  menteeProgressDetail(menteeId: $ada) {
    menteeId sight
    progress { sessionsCount }
    milestones(first: 3) {
      nodes { milestoneId done completedBy evidence history { kind by reason evidence } }
    }
    checkIns(first: 10) { nodes { id confidence assessedBy note } }
    confidenceSeries(moduleId: "purpose") { nodes { checkInId confidence assessedBy } }
    sessions { nodes { id durationMinutes moduleIds notes menteeRating mentorRating } }
    checkIn(id: "ci-ada-1") { note confidence }
    session(id: "ss-1") { notes mentorRating }
  }
}"""

ADA_NOTE = "I could not explain it to my team"


async def _history(platform: Platform) -> dict[str, str]:
    """Ada matched with Grace; two check-ins, a milestone done then reopened, another done, a
    session rated by Grace; Alan a mentor of the same program, another admin with a program."""
    ids = await set_up_match(platform)
    alan = await platform.ok(*ALAN, REGISTER, mentor=True, input=profile(ids["program"], "Alan"))
    assert alan["mentor"]["__typename"] == "Participant", alan
    other = await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="Elsewhere")
    assert other["createProgram"]["__typename"] == "Program", other
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])

    async def tracked() -> bool:
        body = await platform.gql(
            *ADMIN, "query($id: ID!) { menteeProgress(menteeId: $id) { state } }", id=ids["ada"]
        )
        return bool(body["data"] and body["data"]["menteeProgress"])

    await eventually(tracked, timeout=30)
    ada = ids["ada"]
    steps: list[tuple[tuple[str, tuple[str, ...]], str, dict[str, Any]]] = [
        (ADA, RECORD, {"confidence": 4, "note": "feeling fine", "id": "ci-ada-1"}),
        (GRACE, RECORD, {"confidence": 3, "note": "needs practice", "id": "ci-grace-1"}),
        (ADA, RECORD, {"confidence": 2, "note": ADA_NOTE, "id": "ci-ada-2"}),
        (ADA, COMPLETE, {"milestone": "explain-the-why", "evidence": "https://x.example/why"}),
        (GRACE, REOPEN, {"milestone": "explain-the-why", "reason": "the link is broken"}),
        (ADA, COMPLETE, {"milestone": "clarify-expectations", "evidence": "a shared doc"}),
        (
            GRACE,
            LOG,
            {
                "input": {
                    "sessionId": "ss-1",
                    "heldOn": (date.today() - timedelta(days=2)).isoformat(),
                    "durationMinutes": 45,
                    "moduleIds": ["purpose"],
                    "notes": "we talked about the why",
                    "rating": 4,
                }
            },
        ),
    ]
    for person, mutation, variables in steps:
        done = await platform.ok(*person, mutation, mentee=ada, **variables)
        [(name, answer)] = done.items()
        assert answer["__typename"] != "ValidationError", (name, answer)
        assert "message" not in answer, (name, answer)
    return ids


FULL_MILESTONES = [
    {
        "milestoneId": "explain-the-why",
        "done": False,
        "completedBy": None,
        "evidence": None,
        "history": [
            {"kind": "COMPLETED", "by": "MENTEE", "reason": None,
             "evidence": "https://x.example/why"},
            {"kind": "REOPENED", "by": "MENTOR", "reason": "the link is broken",
             "evidence": None},
        ],
    },
    {
        "milestoneId": "clarify-expectations",
        "done": True,
        "completedBy": "MENTEE",
        "evidence": "a shared doc",
        "history": [
            {"kind": "COMPLETED", "by": "MENTEE", "reason": None, "evidence": "a shared doc"},
        ],
    },
    {"milestoneId": "set-a-personal-goal", "done": False, "completedBy": None, "evidence": None,
     "history": []},
]  # fmt: skip
FULL_CHECK_INS = [
    {"id": "ci-ada-2", "confidence": 2, "assessedBy": "MENTEE", "note": ADA_NOTE},
    {"id": "ci-grace-1", "confidence": 3, "assessedBy": "MENTOR", "note": "needs practice"},
    {"id": "ci-ada-1", "confidence": 4, "assessedBy": "MENTEE", "note": "feeling fine"},
]
SERIES = [
    {"checkInId": "ci-ada-1", "confidence": 4, "assessedBy": "MENTEE"},
    {"checkInId": "ci-grace-1", "confidence": 3, "assessedBy": "MENTOR"},
    {"checkInId": "ci-ada-2", "confidence": 2, "assessedBy": "MENTEE"},
]
FULL_SESSION = {
    "id": "ss-1",
    "durationMinutes": 45,
    "moduleIds": ["purpose"],
    "notes": "we talked about the why",
    "menteeRating": None,
    "mentorRating": 4,
}


def _figures(full: Any) -> Any:
    """What the program's admin gets: the same, with every text a person wrote null."""
    if isinstance(full, list):
        return [_figures(item) for item in full]
    if isinstance(full, dict):
        return {
            key: None if key in ("note", "notes", "evidence", "reason") else _figures(value)
            for key, value in full.items()
        }
    return full


def _detail(ada: str, sight: str) -> dict[str, Any]:
    full = {
        "menteeId": ada,
        "sight": "FULL",
        "progress": {"sessionsCount": 1},
        "milestones": {"nodes": FULL_MILESTONES},
        "checkIns": {"nodes": FULL_CHECK_INS},
        "confidenceSeries": {"nodes": SERIES},
        "sessions": {"nodes": [FULL_SESSION]},
        "checkIn": {"note": "feeling fine", "confidence": 4},
        "session": {"notes": "we talked about the why", "mentorRating": 4},
    }
    if sight == "FULL":
        return full
    return {**_figures(full), "menteeId": ada, "sight": "FIGURES"}


async def test_each_role_sees_the_history_it_may_and_nothing_else(
    platform: Platform, kafka_bootstrap: str, topic_prefix: str
) -> None:
    ids = await _history(platform)
    ada = ids["ada"]
    await add_program_admin(platform, ADMIN, ids["program"], CO_ADMIN[0])

    async def co_admin_sees() -> bool:
        body = await platform.gql(*CO_ADMIN, DETAIL, ada=ada)
        return body["data"]["menteeProgressDetail"] is not None

    await eventually(co_admin_sees, timeout=30)
    expected: dict[str, tuple[tuple[str, tuple[str, ...]], str | None]] = {
        "the mentee herself": (ADA, "FULL"),
        "her current mentor": (GRACE, "FULL"),
        "another mentor of the program": (ALAN, None),
        "the program's admin": (ADMIN, "FIGURES"),
        "a co-admin of the program": (CO_ADMIN, "FIGURES"),
        "an admin of another program": (OTHER_ADMIN, None),
    }
    seen: dict[str, Any] = {}
    for who, (person, _) in expected.items():
        body = await platform.gql(*person, DETAIL, ada=ada)
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        detail = body["data"]["menteeProgressDetail"]
        seen[who] = detail if detail is not None else codes
    assert seen == {
        who: {"FORBIDDEN"} if sight is None else _detail(ada, sight)
        for who, (_, sight) in expected.items()
    }

    anonymous = await platform.http.post(
        "/graphql", json={"query": DETAIL, "variables": {"ada": ada}}
    )
    assert anonymous.status_code < 500
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_former_mentor_sees_nothing_once_the_match_ended(platform: Platform) -> None:
    ids = await _history(platform)
    ended = await platform.ok(*ADMIN, END, id=ids["match"])
    assert ended["endMatch"]["__typename"] == "Match", ended

    async def shut_out() -> bool:
        body = await platform.gql(*GRACE, DETAIL, ada=ids["ada"])
        return body["data"]["menteeProgressDetail"] is None

    await eventually(shut_out, timeout=30)
    body = await platform.gql(*GRACE, DETAIL, ada=ids["ada"])
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    still = await platform.ok(*ADA, DETAIL, ada=ids["ada"])
    assert still["menteeProgressDetail"]["checkIns"]["nodes"] == FULL_CHECK_INS


PAGE = """
query($ada: ID!, $first: Int!, $after: String) {
  menteeProgressDetail(menteeId: $ada) {
    checkIns(first: $first, after: $after) {
      edges { cursor node { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


async def test_check_ins_page_after_page_each_once_newest_first(platform: Platform) -> None:
    ids = await _history(platform)
    for n in range(4):
        await platform.ok(*ADA, RECORD, mentee=ids["ada"], confidence=3, note=None, id=f"ci-x{n}")
    pages: list[list[str]] = []
    after = None
    while True:
        data = await platform.ok(*GRACE, PAGE, ada=ids["ada"], first=2, after=after)
        found = data["menteeProgressDetail"]["checkIns"]
        pages.append([edge["node"]["id"] for edge in found["edges"]])
        if not found["pageInfo"]["hasNextPage"]:
            assert found["pageInfo"]["endCursor"] is None
            break
        after = found["pageInfo"]["endCursor"]
        assert found["edges"][-1]["cursor"] == after
    assert pages == [
        ["ci-x3", "ci-x2"],
        ["ci-x1", "ci-x0"],
        ["ci-ada-2", "ci-grace-1"],
        ["ci-ada-1"],
    ]


HOSTILE_FIRST = [0, -1, 101, 2**31 - 1]
HOSTILE_AFTER = [
    "",
    "garbage",
    "x" * 401,
    "W10=",  # base64 of []
    base64.urlsafe_b64encode(b'["ss", "2026-01-05", "ss-1"]').decode(),  # a sessions cursor
    base64.urlsafe_b64encode(b'["ci", "yesterday", "ci-1"]').decode(),  # no moment in it
]
UNSTORABLE_AFTER = ["bad\x00cursor", "\ud800"]
"""Refused by the gateway before the query runs, as any request carrying them."""


async def test_hostile_page_arguments_are_bad_user_input(platform: Platform) -> None:
    ids = await _history(platform)
    for first in HOSTILE_FIRST:
        body = await platform.gql(*ADA, PAGE, ada=ids["ada"], first=first, after=None)
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (first, body)
        assert error["path"] == ["menteeProgressDetail", "checkIns"]
    for after in [*HOSTILE_AFTER, *UNSTORABLE_AFTER]:
        payload = {"query": PAGE, "variables": {"ada": ids["ada"], "first": 2, "after": after}}
        response = await platform.http.post(
            "/graphql",
            content=json.dumps(payload).encode(),  # \u-escaped, so a lone surrogate travels
            headers={
                "Authorization": f"Bearer {platform.token(ADA[0], *ADA[1])}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code < 500, (after, response.text)
        errors = response.json()["errors"]
        expected = "BAD_REQUEST" if after in UNSTORABLE_AFTER else "BAD_USER_INPUT"
        assert [e["extensions"]["code"] for e in errors] == [expected], (after, errors)


async def test_a_mentee_id_that_is_no_id_is_bad_user_input(platform: Platform) -> None:
    for mentee in ("../progress", "a/b", "x" * 65, "a b"):
        body = await platform.gql(*ADMIN, DETAIL, ada=mentee)
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], mentee
