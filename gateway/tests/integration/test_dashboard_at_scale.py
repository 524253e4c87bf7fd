"""A mentor with 50 mentees, on the real services: the dashboard still costs one call each."""

from __future__ import annotations

from typing import Any

from mentorship_testing.kafka import eventually

from .conftest import ADMIN, CREATE_PROGRAM, GRACE, Platform, profile

MENTEES = 50

REGISTER_MENTOR = """
mutation($input: RegisterInput!) {
  registerMentor(input: $input) { __typename ... on Participant { id } }
}"""

REGISTER_MENTEE = """
mutation($input: RegisterInput!) {
  registerMentee(input: $input) { __typename ... on Participant { id } }
}"""

DASHBOARD = """
{
  myMentees(first: 50) {
    byStatus { status count }
    mentees {
      nodes { menteeId status confidenceTrend lastActivityAt unreadAlerts profile { displayName } }
      pageInfo { hasNextPage }
    }
  }
}"""


async def test_a_dashboard_of_50_mentees_costs_one_call_per_service(platform: Platform) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Cohort")
    program = created["createProgram"]["id"]
    mentor = await platform.ok(
        *GRACE,
        REGISTER_MENTOR,
        input=profile(
            program, "Grace", capacity=MENTEES, competencies=[{"key": "purpose", "level": 5}]
        ),
    )
    assert mentor["registerMentor"]["__typename"] == "Participant"
    for i in range(MENTEES):
        registered = await platform.ok(
            f"u-mentee-{i:02d}",
            ("mentee",),
            REGISTER_MENTEE,
            input=profile(program, f"Mentee{i:02d}", goals=[{"key": "purpose", "level": 3}]),
        )
        assert registered["registerMentee"]["__typename"] == "Participant", registered

    run = await platform.ok(
        *ADMIN,
        """mutation($p: ID!) { runMatching(programId: $p) {
             __typename ... on MatchingRun { matchedCount proposalIds } } }""",
        p=program,
    )
    proposals: list[str] = run["runMatching"]["proposalIds"]
    assert len(proposals) == MENTEES
    # each accept answers once progress tracks its mentee, one after the other: a few per request
    for start in range(0, MENTEES, 10):
        accepts = " ".join(
            f'a{i}: acceptMatch(matchId: "{m}") {{ __typename }}'
            for i, m in enumerate(proposals[start : start + 10])
        )
        accepted = await platform.ok(*GRACE, f"mutation {{ {accepts} }}")
        assert {a["__typename"] for a in accepted.values()} == {"Match"}

    body: dict[str, Any] = {}

    async def all_tracked() -> bool:
        body.update(await platform.gql(*GRACE, DASHBOARD))
        dashboard: dict[str, Any] = (body.get("data") or {}).get("myMentees") or {}
        return len(dashboard.get("mentees", {}).get("nodes", [])) == MENTEES

    await eventually(all_tracked, timeout=120)

    assert "errors" not in body, body
    nodes = body["data"]["myMentees"]["mentees"]["nodes"]
    assert sorted(n["profile"]["displayName"] for n in nodes) == [
        f"Mentee{i:02d}" for i in range(MENTEES)
    ]
    assert all(n["unreadAlerts"] is not None for n in nodes)
    assert body["data"]["myMentees"]["mentees"]["pageInfo"] == {"hasNextPage": False}
    # the mentees (progress), their 50 profiles (mentoring), their unread alerts (notify)
    assert body["extensions"]["internalCalls"] == {"mentoring": 1, "progress": 1, "notify": 1}
