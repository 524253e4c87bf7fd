"""programReport and its CSV through the gateway, on the real services, Kafka and MongoDB.

The scenario: three mentees register (Ada, Bob, Cy) and two mentors (Grace, and Alan, whose name
is a spreadsheet formula); Ada is proposed to Grace, who accepts; Bob is proposed to Alan, who
does not answer; Ada checks in twice and logs a session. Dan's earlier weeks (accepted three weeks
ago, two check-ins that week, nothing since) reach progress as the events its consumers read, as
they would have been published then. The figures are checked against what that scenario gives.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mentorship_contracts import new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.matches import MatchAccepted
from mentorship_contracts.events.progress import CheckInRecorded
from mentorship_testing.kafka import eventually
from mentorship_testing.services import publish_events

from .conftest import (
    ACCEPT,
    ADA,
    ADMIN,
    CHECK_IN,
    CREATE_PROGRAM,
    GRACE,
    PROPOSE,
    REGISTER,
    Platform,
    add_program_admin,
    profile,
)

CO_ADMIN = ("u-co-admin", ("admin",))
OTHER_ADMIN = ("u-other-admin", ("admin",))
ALAN = ("u-alan", ("mentor",))
BOB = ("u-bob", ("mentee",))
CY = ("u-cy", ("mentee",))
DECEMBER: dict[str, Any] = {"from": "2026-12-01", "to": "2026-12-02"}
CONFIDENCE = [  # Ada 2 then 4, Dan 2 then 3
    {
        "moduleId": "purpose",
        "title": "Purpose and strategy",
        "assessedBy": "MENTEE",
        "mentees": 2,
        "atStart": 2.0,
        "now": 3.5,
    }
]
FORMULA_NAME = '=HYPERLINK("http://evil")'

LOG_SESSION = """
mutation($mentee: ID!, $on: Date!) {
  logSession(menteeId: $mentee, input: {heldOn: $on, durationMinutes: 45}) { __typename }
}"""

REPORT = """
query($program: ID!, $from: Date!, $to: Date!) {
  programReport(programId: $program, from: $from, to: $to) {
    __typename
    ... on ProgramReport {
      programId from to
      funnel { stage count conversion }
      timeToMatch { matched medianHours meanHours }
      weeks { weekStart byStatus { status count } }
      confidence { moduleId title assessedBy mentees atStart now }
      activeMatches sessionsInActiveMatches sessionsPerActiveMatch
      mentors { mentorId name capacity active proposed load }
      csvPath
    }
    ... on ValidationError { message problems { path message } }
    ... on NotFound { kind id message }
    ... on MutationError { message }
  }
}"""


def bearer(platform: Platform, who: tuple[str, tuple[str, ...]]) -> str:
    return platform.token(who[0], *who[1])


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def register(platform: Platform, who: tuple[str, tuple[str, ...]], **kw: Any) -> str:
    mentor = "mentor" in who[1]
    found = await platform.ok(*who, REGISTER, mentor=mentor, input=profile(**kw))
    participant: str = found["mentor" if mentor else "mentee"]["id"]
    return participant


async def scenario(platform: Platform) -> dict[str, Any]:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Reported")
    program = created["createProgram"]["id"]
    await add_program_admin(platform, ADMIN, program, CO_ADMIN[0])
    await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="Elsewhere")
    skill = [{"key": "purpose", "level": 4}]
    grace = await register(platform, GRACE, program_id=program, name="Grace", competencies=skill)
    alan = await register(  # a name is theirs to write: Alan's is a spreadsheet formula
        platform,
        ALAN,
        program_id=program,
        name=FORMULA_NAME,
        email="alan@example.org",
        competencies=skill,
    )
    goal = [{"key": "purpose", "level": 2}]
    ada = await register(platform, ADA, program_id=program, name="Ada", goals=goal)
    bob = await register(platform, BOB, program_id=program, name="Bob", goals=goal)
    await register(platform, CY, program_id=program, name="Cy", goals=goal)
    proposed = await platform.ok(*ADMIN, PROPOSE, mentee=ada, mentor=grace)
    accepted = await platform.ok(*GRACE, ACCEPT, id=proposed["proposeMatch"]["id"])
    assert accepted["acceptMatch"]["status"] == "ACTIVE", accepted
    other = """mutation($mentee: ID!, $mentor: ID!) {
      proposeMatch(menteeId: $mentee, mentorId: $mentor) { __typename }
    }"""
    assert (await platform.ok(*ADMIN, other, mentee=bob, mentor=alan))["proposeMatch"][
        "__typename"
    ] == "Match"
    for level in (2, 4):
        done = await platform.ok(*ADA, CHECK_IN, mentee=ada, confidence=level)
        assert done["recordCheckIn"]["__typename"] == "MenteeProgress", done
    today = datetime.now(UTC).date()
    logged = await platform.ok(*GRACE, LOG_SESSION, mentee=ada, on=today.isoformat())
    assert logged["logSession"]["__typename"] == "MenteeProgress", logged
    await dans_weeks(platform, program, monday(today) - timedelta(weeks=3))
    return {
        "program": program,
        "grace": grace,
        "alan": alan,
        "start": monday(today) - timedelta(weeks=3),
        "today": today,
    }


async def dans_weeks(platform: Platform, program: str, start: date) -> None:
    """Dan, three weeks ago: accepted on Monday, check-ins on Tuesday (2) and Friday (3)."""
    base = datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=10)

    def at(moment: datetime, payload: EventPayload) -> Any:
        return new_envelope(payload, producer="test", clock=lambda: moment)

    common = {"program_id": program, "mentee_id": "pt_dan", "mentor_id": "pt_dans_mentor"}
    events = [
        at(base, MatchAccepted(match_id="m_dan", **common)),
        *(
            at(
                base + timedelta(days=day),
                CheckInRecorded(
                    check_in_id=f"ci_dan_{day}",
                    module_id="purpose",
                    confidence=level,
                    assessed_by="mentee",
                    **common,
                ),
            )
            for day, level in ((1, 2), (4, 3))
        ),
    ]
    settings = platform.settings
    await publish_events(settings.kafka_bootstrap_servers, settings.kafka_topic_prefix, events)


def statuses(week: dict[str, Any]) -> dict[str, int]:
    return {s["status"]: s["count"] for s in week["byStatus"] if s["count"]}


async def test_the_report_gives_the_scenarios_figures_and_its_csv(platform: Platform) -> None:
    ids = await scenario(platform)
    start, today = ids["start"], ids["today"]
    period = {"program": ids["program"], "from": start.isoformat(), "to": today.isoformat()}
    found: dict[str, Any] = {}

    async def complete() -> bool:
        """Every event of the scenario has reached the read model: the last of each kind."""
        answer = (await platform.ok(*ADMIN, REPORT, **period))["programReport"]
        found.update(answer)
        if answer["__typename"] != "ProgramReport":
            return False  # progress has not read the program and its admins yet
        return bool(answer["sessionsInActiveMatches"] == 1 and answer["confidence"] == CONFIDENCE)

    await eventually(complete, timeout=30)
    assert found["__typename"] == "ProgramReport"
    assert (found["from"], found["to"]) == (start.isoformat(), today.isoformat())
    assert found["funnel"] == [
        {"stage": "REGISTERED", "count": 3, "conversion": None},
        {"stage": "PROPOSED", "count": 2, "conversion": 0.6667},
        {"stage": "ACCEPTED", "count": 1, "conversion": 0.5},
        {"stage": "ACTIVE", "count": 1, "conversion": 1.0},
        {"stage": "COMPLETED", "count": 0, "conversion": 0.0},
    ]
    assert found["timeToMatch"]["matched"] == 1
    assert 0 <= found["timeToMatch"]["medianHours"] < 1
    assert [w["weekStart"] for w in found["weeks"]] == [
        (start + timedelta(weeks=i)).isoformat() for i in range(4)
    ]
    assert [statuses(w) for w in found["weeks"]] == [
        {"ON_TRACK": 1},  # Dan, two days after his last check-in
        {"AT_RISK": 1},  # Dan, idle more than half the 14-day window
        {"STALLED": 1},  # Dan, idle more than the window
        {"ON_TRACK": 1, "STALLED": 1},  # Ada started this week
    ]
    assert found["activeMatches"] == 2  # Ada's and Dan's
    assert found["sessionsPerActiveMatch"] == 0.5
    assert found["mentors"] == [
        {
            "mentorId": ids["grace"],
            "name": "Grace",
            "capacity": 3,
            "active": 1,
            "proposed": 0,
            "load": 0.33,
        },
        {
            "mentorId": ids["alan"],
            "name": FORMULA_NAME,
            "capacity": 3,
            "active": 0,
            "proposed": 1,
            "load": 0.0,
        },
    ]

    response = await platform.http.get(
        found["csvPath"], headers={"Authorization": f"Bearer {bearer(platform, ADMIN)}"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    figures = {(r["section"], r["item"], r["measure"]): r["value"] for r in rows}
    assert figures[("funnel", "registered", "count")] == "3"
    assert figures[("funnel", "proposed", "conversion")] == "0.6667"
    assert figures[("week", (start + timedelta(weeks=2)).isoformat(), "stalled")] == "1"
    assert figures[("confidence", "Purpose and strategy (mentee)", "now")] == "3.5"
    assert figures[("sessions", "", "sessions_per_active_match")] == "0.5"
    names = {r["item"] for r in rows if r["section"] == "mentor"}
    assert names == {"Grace", f"'{FORMULA_NAME}"}  # shown as text, never run
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())

    # a French reader reads the module's title in French, in the report and in its CSV
    french = {"Authorization": f"Bearer {bearer(platform, ADMIN)}", "Accept-Language": "fr"}
    answer = await platform.http.post(
        "/graphql", json={"query": REPORT, "variables": period}, headers=french
    )
    (module,) = answer.json()["data"]["programReport"]["confidence"]
    assert (module["moduleId"], module["title"]) == ("purpose", "Sens et stratégie")
    in_french = await platform.http.get(found["csvPath"], headers=french)
    items = {r["item"] for r in csv.DictReader(io.StringIO(in_french.text))}
    assert "Sens et stratégie (mentee)" in items


async def test_who_may_see_a_programs_report(platform: Platform) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Guarded")
    program = created["createProgram"]["id"]
    await add_program_admin(platform, ADMIN, program, CO_ADMIN[0])
    await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="Elsewhere")
    skill = [{"key": "purpose", "level": 4}]
    await register(platform, GRACE, program_id=program, name="Grace", competencies=skill)
    await register(platform, ADA, program_id=program, name="Ada", goals=skill)
    today = date.today().isoformat()
    period = {"program": program, "from": today, "to": today}
    path = f"/reports/programs/{program}.csv?from={today}&to={today}"

    # progress answers for the program's admins once it has read the program's event
    async def co_admin_sees_the_report() -> bool:
        answer = await platform.gql(*CO_ADMIN, REPORT, **period)
        return (answer["data"]["programReport"] or {}).get("__typename") == "ProgramReport"

    await eventually(co_admin_sees_the_report, timeout=30)
    expected = {
        ADMIN: ("ProgramReport", 200),
        CO_ADMIN: ("ProgramReport", 200),
        OTHER_ADMIN: ("Forbidden", 403),
        GRACE: ("Forbidden", 403),
        ADA: ("Forbidden", 403),
    }
    for who, (typename, status) in expected.items():
        answer = (await platform.ok(*who, REPORT, **period))["programReport"]
        assert answer["__typename"] == typename, (who, answer)
        response = await platform.http.get(
            path, headers={"Authorization": f"Bearer {bearer(platform, who)}"}
        )
        assert response.status_code == status, (who, response.text)
    anonymous = await platform.http.post("/graphql", json={"query": REPORT, "variables": period})
    body = anonymous.json()
    assert body["data"]["programReport"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await platform.http.get(path)).status_code == 401
    forged = await platform.http.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401


async def test_hostile_arguments_are_refused_with_a_reason(platform: Platform) -> None:
    created = await platform.ok(*ADMIN, CREATE_PROGRAM, name="Hostile")
    program = created["createProgram"]["id"]
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"from": "2026-12-07", "to": "2026-12-01"}, ["from"]),
        ({"from": "0001-01-01", "to": "9999-12-31"}, ["to"]),
        ({"from": "2025-01-01", "to": "2026-12-01"}, ["to"]),
    ]
    for dates, where in cases:
        answer = (await platform.ok(*ADMIN, REPORT, program=program, **dates))["programReport"]
        assert answer["__typename"] == "ValidationError", answer
        assert answer["problems"][0]["path"] == where, answer
        response = await platform.http.get(
            f"/reports/programs/{program}.csv",
            params=dates,
            headers={"Authorization": f"Bearer {bearer(platform, ADMIN)}"},
        )
        assert response.status_code == 422, response.text
    unknown = await platform.ok(*ADMIN, REPORT, program="pg_nope", **DECEMBER)
    assert unknown["programReport"]["__typename"] == "NotFound"
    assert unknown["programReport"]["id"] == "pg_nope"
    for bad in ("a b", "x" * 129, "../programs", "a,b"):
        body = await platform.gql(*ADMIN, REPORT, program=bad, **DECEMBER)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (bad, body)
    bad_dates: list[dict[str, Any]] = [
        {"from": "2026-13-01", "to": "2026-12-02"},
        {"from": "tomorrow", "to": "2026-12-02"},
    ]
    for dates in bad_dates:
        body = await platform.gql(*ADMIN, REPORT, program=program, **dates)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (dates, body)
    auth = {"Authorization": f"Bearer {bearer(platform, ADMIN)}"}
    for query in (
        "from=2026-13-01&to=2026-12-02",
        "from=2026-12-01",
        "from=2026-12-01&from=2026-12-02&to=2026-12-03",
        "from=2026-12-01%00&to=2026-12-02",
        "from=%ED%A0%80&to=2026-12-02",
    ):
        response = await platform.http.get(f"/reports/programs/{program}.csv?{query}", headers=auth)
        assert response.status_code == 400, (query, response.text)
        assert response.json()["error"]["code"] == "BAD_USER_INPUT"
    for bad in ("a%20b", "x" * 129, "a%00b"):
        response = await platform.http.get(
            f"/reports/programs/{bad}.csv?from=2026-12-01&to=2026-12-02", headers=auth
        )
        assert response.status_code in (400, 404), (bad, response.text)
