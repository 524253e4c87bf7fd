"""Planned sessions through the gateway, on the real services, Kafka and MongoDB server: who may
plan, reschedule and cancel, what is refused, and the invitations both sides receive by e-mail
(read from a real SMTP server that notify's delivery worker sends to)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest_asyncio
from icalendar import Calendar
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from services.notify.tests.integration.receivers import SmtpReceiver

from .conftest import (
    ACCEPT,
    ADA,
    ADMIN,
    ALAN,
    CREATE_PROGRAM,
    GRACE,
    Platform,
    add_program_admin,
    running_platform,
    set_up_match,
)
from .test_governance import CO_ADMIN

OTHER_ADMIN = ("u-other-admin", ("admin",))
PARIS = ZoneInfo("Europe/Paris")

PLAN = """
mutation($mentee: ID!, $input: SessionScheduleInput!, $key: String) {
  planSession(menteeId: $mentee, input: $input, idempotencyKey: $key) {
    __typename
    ... on PlannedSession { id status sequence startsAt endsAt timeZone localStart location videoUrl
                            plannedBy unconfirmed }
    ... on ValidationError { message problems { path message } }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""

RESCHEDULE = """
mutation($id: ID!, $input: SessionScheduleInput!) {
  reschedulePlannedSession(plannedSessionId: $id, input: $input) {
    __typename
    ... on PlannedSession { id status sequence startsAt }
    ... on ValidationError { message problems { path message } }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""

CANCEL = """
mutation($id: ID!, $reason: String) {
  cancelPlannedSession(plannedSessionId: $id, reason: $reason) {
    __typename
    ... on PlannedSession { id status sequence cancelReason }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""

CONFIRM = """
mutation($id: ID!) {
  confirmPlannedSession(plannedSessionId: $id) {
    __typename
    ... on PlannedSession { status }
    ... on Conflict { message currentState }
    ... on MutationError { message }
  }
}"""


class Clock:
    """Progress's clock: now, or as far ahead as a test moves it."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@pytest_asyncio.fixture(loop_scope="session")
async def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture(loop_scope="session")
async def smtp() -> AsyncIterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    receiver.up()
    yield receiver
    receiver.down()


@pytest_asyncio.fixture(loop_scope="session")
async def mail_platform(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
    smtp: SmtpReceiver,
    clock: Clock,
) -> AsyncIterator[Platform]:
    """The platform, with notify sending its e-mails to ``smtp`` and looking for due ones often,
    and progress on ``clock``."""
    async with running_platform(
        kafka_bootstrap,
        mongo_url,
        mongo_client,
        mongo_db,
        topic_prefix,
        progress_clock=clock,
        notify_settings={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "delivery_poll_seconds": 0.2,
        },
    ) as running:
        yield running


async def matched(platform: Platform) -> dict[str, str]:
    ids = await set_up_match(platform)
    accepted = (await platform.ok(*GRACE, ACCEPT, id=ids["match"]))["acceptMatch"]
    assert accepted["status"] == "ACTIVE", accepted

    # sessions are planned on the mentee's tracking, which progress starts from MatchAccepted
    async def tracked() -> bool:
        body = await platform.gql(
            *ADA, "query($id: ID!) { menteeProgress(menteeId: $id) { state } }", id=ids["ada"]
        )
        return bool(body["data"] and body["data"]["menteeProgress"])

    await eventually(tracked, timeout=30)
    return ids


def schedule(days: int = 3, hour: int = 14, **extra: Any) -> dict[str, Any]:
    day = (datetime.now(PARIS) + timedelta(days=days)).date()
    return {
        "localStart": f"{day.isoformat()}T{hour:02d}:30",
        "timeZone": "Europe/Paris",
        "durationMinutes": 60,
        "location": "Café de la Gare",
        "videoUrl": "https://meet.example.org/ada-grace",
        **extra,
    }


def instant(given: dict[str, Any]) -> datetime:
    local = datetime.fromisoformat(given["localStart"]).replace(tzinfo=PARIS)
    return local.astimezone(UTC)


def calendars(message: EmailMessage) -> list[tuple[str, Any]]:
    """(method parameter, the VEVENT) of each text/calendar part of a message."""
    found = []
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            events: list[Any] = Calendar.from_ical(payload).walk("VEVENT")
            assert len(events) == 1
            found.append((str(part.get_param("method")), events[0]))
    return found


async def invitation(smtp: SmtpReceiver, to: str, sequence: int) -> tuple[str, Any]:
    """The invitation with that SEQUENCE that reached ``to``, once it has."""
    found: list[tuple[str, Any]] = []

    def arrived() -> bool:
        found[:] = [
            c for m in smtp.to(to) for c in calendars(m) if int(c[1]["SEQUENCE"]) == sequence
        ]
        return bool(found)

    await eventually(arrived, timeout=30)
    return found[0]


async def test_both_sides_get_an_invitation_and_a_reschedule_updates_the_same_event(
    mail_platform: Platform, smtp: SmtpReceiver
) -> None:
    platform = mail_platform
    ids = await matched(platform)
    planned_for = schedule()

    planned = (await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=planned_for))["planSession"]

    assert planned["__typename"] == "PlannedSession", planned
    assert planned["status"] == "SCHEDULED"
    assert planned["sequence"] == 0
    assert planned["plannedBy"] == "MENTEE"
    assert planned["localStart"] == planned_for["localStart"]
    assert datetime.fromisoformat(planned["startsAt"]) == instant(planned_for)
    for address in ("ada@example.org", "grace@example.org"):
        method, event = await invitation(smtp, address, 0)
        assert method == "REQUEST"
        assert event.decoded("DTSTART") == instant(planned_for)
        assert event.decoded("DTEND") == instant(planned_for) + timedelta(minutes=60)
        assert str(event["UID"]) == f"{planned['id']}@sessions.mentorship"
        assert str(event["ORGANIZER"]) == "mailto:ada@example.org"
        assert str(event["LOCATION"]) == "Café de la Gare"
        assert str(event["URL"]) == "https://meet.example.org/ada-grace"
    first_uid = str((await invitation(smtp, "grace@example.org", 0))[1]["UID"])

    moved_to = schedule(days=4, hour=9)
    moved = (await platform.ok(*GRACE, RESCHEDULE, id=planned["id"], input=moved_to))[
        "reschedulePlannedSession"
    ]

    assert (moved["__typename"], moved["sequence"]) == ("PlannedSession", 1), moved
    method, event = await invitation(smtp, "ada@example.org", 1)
    assert method == "REQUEST"
    assert str(event["UID"]) == first_uid
    assert event.decoded("DTSTART") == instant(moved_to)

    cancelled = (await platform.ok(*ADA, CANCEL, id=planned["id"], reason="ill"))[
        "cancelPlannedSession"
    ]

    assert (cancelled["status"], cancelled["sequence"]) == ("CANCELLED", 2), cancelled
    method, event = await invitation(smtp, "grace@example.org", 2)
    assert method == "CANCEL"
    assert str(event["UID"]) == first_uid
    assert str(event["STATUS"]) == "CANCELLED"
    again = (await platform.ok(*GRACE, RESCHEDULE, id=planned["id"], input=moved_to))[
        "reschedulePlannedSession"
    ]
    assert (again["__typename"], again["currentState"]) == ("Conflict", "CANCELLED")


async def test_who_may_plan_reschedule_and_cancel(mail_platform: Platform) -> None:
    platform = mail_platform
    ids = await matched(platform)
    other = (await platform.ok(*OTHER_ADMIN, CREATE_PROGRAM, name="Elsewhere"))["createProgram"]
    assert other["__typename"] == "Program"
    await add_program_admin(platform, ADMIN, ids["program"], CO_ADMIN[0])
    outcomes: dict[str, str] = {}
    for who, person in {
        "mentee": ADA,
        "her mentor": GRACE,
        "another mentor": ALAN,
        "the program's admin": ADMIN,
        "its co-admin": CO_ADMIN,
        "an admin of another program": OTHER_ADMIN,
    }.items():
        answer = await platform.ok(*person, PLAN, mentee=ids["ada"], input=schedule())
        outcomes[who] = answer["planSession"]["__typename"]
    assert outcomes == {
        "mentee": "PlannedSession",
        "her mentor": "PlannedSession",
        "another mentor": "Forbidden",
        "the program's admin": "Forbidden",
        "its co-admin": "Forbidden",
        "an admin of another program": "Forbidden",
    }
    planned = (await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=schedule()))["planSession"]
    for person in (ALAN, ADMIN, CO_ADMIN, OTHER_ADMIN):
        moved = await platform.ok(*person, RESCHEDULE, id=planned["id"], input=schedule(days=5))
        assert moved["reschedulePlannedSession"]["__typename"] == "Forbidden"
        refused = await platform.ok(*person, CANCEL, id=planned["id"])
        assert refused["cancelPlannedSession"]["__typename"] == "Forbidden"
    for person in (ADA, GRACE):
        seen = (await platform.ok(*person, LIST, mentee=ids["ada"]))["plannedSessions"]
        assert planned["id"] in {p["id"] for p in seen["nodes"]}
    for person in (ALAN, ADMIN, CO_ADMIN, OTHER_ADMIN):
        hidden = await platform.gql(*person, LIST, mentee=ids["ada"])
        assert hidden["data"]["plannedSessions"] is None
        assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = await platform.ok(*ADA, CANCEL, id="ps_unknown")
    assert unknown["cancelPlannedSession"]["__typename"] == "NotFound"
    early = (await platform.ok(*GRACE, CONFIRM, id=planned["id"]))["confirmPlannedSession"]
    assert early["__typename"] == "Conflict", early
    for query, variables in (
        (PLAN, {"mentee": ids["ada"], "input": schedule()}),
        (RESCHEDULE, {"id": planned["id"], "input": schedule()}),
        (CANCEL, {"id": planned["id"]}),
        (LIST, {"mentee": ids["ada"]}),
    ):
        anonymous = await platform.http.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    still = (await platform.ok(*GRACE, CANCEL, id=planned["id"]))["cancelPlannedSession"]
    assert (still["status"], still["sequence"]) == ("CANCELLED", 1)


async def test_hostile_schedules_are_refused_naming_the_field(mail_platform: Platform) -> None:
    platform = mail_platform
    ids = await matched(platform)
    yesterday = (datetime.now(PARIS) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused: dict[str, tuple[dict[str, Any], str]] = {
        "a date in the past": ({"localStart": yesterday}, "localStart"),
        "no date at all": ({"localStart": "next tuesday"}, "localStart"),
        "years ahead": ({"localStart": "2207-01-12T14:30"}, "localStart"),
        "an absurd duration": ({"durationMinutes": 100_000}, "durationMinutes"),
        "a negative duration": ({"durationMinutes": -5}, "durationMinutes"),
        "an unknown zone": ({"timeZone": "Mars/Olympus_Mons"}, "timeZone"),
        "a path as zone": ({"timeZone": "../../../etc/passwd"}, "timeZone"),
        "a script link": ({"videoUrl": "javascript:alert(document.cookie)"}, "videoUrl"),
        "a data link": ({"videoUrl": "data:text/html,<script>x</script>"}, "videoUrl"),
        "a huge link": ({"videoUrl": "https://meet.example.org/" + "a" * 5000}, "videoUrl"),
        "no place nor link": ({"location": None, "videoUrl": None}, "location"),
        "a line break in the place": ({"location": "a\r\nATTENDEE:x"}, "location"),
    }
    for case, (change, field) in refused.items():
        answer = await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=schedule(**change))
        result = answer["planSession"]
        assert result["__typename"] == "ValidationError", (case, result)
        assert [p["path"] for p in result["problems"]] == [["input", field]], (case, result)
    nul = await platform.http.post(
        "/graphql",
        json={
            "query": PLAN,
            "variables": {"mentee": ids["ada"], "input": schedule(location="Café\u0000Gare")},
        },
        headers={"Authorization": f"Bearer {platform.token(ADA[0], *ADA[1])}"},
    )
    assert nul.status_code == 400
    assert nul.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    unknown_module = await platform.ok(
        *ADA, PLAN, mentee=ids["ada"], input=schedule(moduleIds=["no-such-module"])
    )
    assert unknown_module["planSession"]["__typename"] == "NotFound"


LIST = """
query($mentee: ID!, $when: PlannedSessionsWhen, $first: Int, $after: String) {
  plannedSessions(menteeId: $mentee, when: $when, first: $first, after: $after) {
    nodes { id status sequence startsAt timeZone localStart }
    pageInfo { hasNextPage endCursor }
  }
}"""
PROGRESS = "query($id: ID!) { menteeProgress(menteeId: $id) { sessionsCount } }"


async def test_a_planned_session_confirmed_after_its_start_is_logged_once(
    mail_platform: Platform, clock: Clock
) -> None:
    platform = mail_platform
    ids = await matched(platform)
    planned = (await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=schedule()))["planSession"]
    before = await platform.ok(*ADA, PROGRESS, id=ids["ada"])

    clock.ahead = timedelta(days=3, hours=12)  # the session's start has passed
    for person in (GRACE, ADA, GRACE):  # confirmed, then again by either side: once
        held = (await platform.ok(*person, CONFIRM, id=planned["id"]))["confirmPlannedSession"]
        assert held == {"__typename": "PlannedSession", "status": "HELD"}

    after = await platform.ok(*ADA, PROGRESS, id=ids["ada"])
    assert after["menteeProgress"]["sessionsCount"] == before["menteeProgress"]["sessionsCount"] + 1
    late = (await platform.ok(*ADA, CANCEL, id=planned["id"]))["cancelPlannedSession"]
    assert (late["__typename"], late["currentState"]) == ("Conflict", "HELD")
    other = (await platform.ok(*ALAN, CONFIRM, id=planned["id"]))["confirmPlannedSession"]
    assert other["__typename"] == "Forbidden"
    past = (await platform.ok(*GRACE, LIST, mentee=ids["ada"], when="PAST"))["plannedSessions"]
    assert [(p["id"], p["status"]) for p in past["nodes"]] == [(planned["id"], "HELD")]
    upcoming = (await platform.ok(*GRACE, LIST, mentee=ids["ada"]))["plannedSessions"]
    assert upcoming["nodes"] == []


async def test_many_reschedules_at_once_each_count_once(mail_platform: Platform) -> None:
    platform = mail_platform
    ids = await matched(platform)
    planned = (await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=schedule()))["planSession"]
    writers = 8

    answers = await asyncio.gather(
        *(
            platform.ok(
                *(ADA if n % 2 else GRACE),
                RESCHEDULE,
                id=planned["id"],
                input=schedule(days=4 + n, hour=10),
            )
            for n in range(writers)
        )
    )

    # each change is applied once or refused as a Conflict to retry: none is lost or doubled
    results = [a["reschedulePlannedSession"] for a in answers]
    moved = [m for m in results if m["__typename"] == "PlannedSession"]
    assert {m["__typename"] for m in results} <= {"PlannedSession", "Conflict"}, results
    assert moved, results
    assert sorted(m["sequence"] for m in moved) == list(range(1, len(moved) + 1))
    last = max(moved, key=lambda m: m["sequence"])
    final = (await platform.ok(*ADA, CANCEL, id=planned["id"]))["cancelPlannedSession"]
    assert final["sequence"] == len(moved) + 1
    listed = (await platform.ok(*GRACE, LIST, mentee=ids["ada"]))["plannedSessions"]["nodes"]
    assert [(p["id"], p["startsAt"]) for p in listed] == [(planned["id"], last["startsAt"])]


async def test_a_plan_retried_with_its_key_is_planned_once(mail_platform: Platform) -> None:
    platform = mail_platform
    ids = await matched(platform)
    given = schedule()

    first = await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=given, key="k-1")
    again = await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=given, key="k-1")
    other = await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=schedule(days=5), key="k-1")

    assert first["planSession"]["id"] == again["planSession"]["id"]
    assert other["planSession"]["__typename"] == "Conflict"
    listed = (await platform.ok(*ADA, LIST, mentee=ids["ada"]))["plannedSessions"]["nodes"]
    assert [p["id"] for p in listed] == [first["planSession"]["id"]]

    # more sessions than a page: each is listed once, the earliest first, page after page
    for ahead in (6, 4, 5, 2):
        more = await platform.ok(*GRACE, PLAN, mentee=ids["ada"], input=schedule(days=ahead))
        assert more["planSession"]["__typename"] == "PlannedSession", more
    pages: list[list[str]] = []
    after = None
    while True:
        page = (await platform.ok(*GRACE, LIST, mentee=ids["ada"], first=2, after=after))[
            "plannedSessions"
        ]
        pages.append([p["localStart"][:10] for p in page["nodes"]])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    days = [schedule(days=d)["localStart"][:10] for d in (2, 3, 4, 5, 6)]
    assert pages == [days[:2], days[2:4], days[4:]]
    past = (await platform.ok(*GRACE, LIST, mentee=ids["ada"], when="PAST"))["plannedSessions"]
    assert (past["nodes"], past["pageInfo"]["hasNextPage"]) == ([], False)

    refusals: dict[str, dict[str, Any]] = {
        "not a cursor": {"after": "garbage"},
        "the upcoming list's cursor for the past": {"when": "PAST", "after": after},
        "an empty page": {"first": 0},
        "a page too large": {"first": 101},
    }
    for why, arguments in refusals.items():
        refused = await platform.gql(*ADA, LIST, mentee=ids["ada"], **arguments)
        assert refused["data"]["plannedSessions"] is None, why
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (why, refused)


END = """
mutation($id: ID!) {
  endMatch(matchId: $id, outcome: ENDED_EARLY) { __typename ... on MutationError { message } }
}"""


async def test_a_match_that_ends_cancels_its_sessions_ahead_in_both_calendars(
    mail_platform: Platform, smtp: SmtpReceiver
) -> None:
    platform = mail_platform
    ids = await matched(platform)
    planned = (await platform.ok(*GRACE, PLAN, mentee=ids["ada"], input=schedule()))["planSession"]
    await invitation(smtp, "ada@example.org", 0)

    ended = await platform.ok(*ADMIN, END, id=ids["match"])

    assert ended["endMatch"]["__typename"] == "Match", ended
    for address in ("ada@example.org", "grace@example.org"):
        method, event = await invitation(smtp, address, 1)
        assert method == "CANCEL"
        assert str(event["UID"]) == f"{planned['id']}@sessions.mentorship"
    listed = (await platform.ok(*ADA, LIST, mentee=ids["ada"]))["plannedSessions"]["nodes"]
    assert [(p["status"], p["sequence"]) for p in listed] == [("CANCELLED", 1)]
    refused = await platform.ok(*ADA, PLAN, mentee=ids["ada"], input=schedule(days=6))
    assert refused["planSession"]["__typename"] == "Conflict"
    assert refused["planSession"]["currentState"] == "PAUSED"

    # each side's notifications of it name it; it opens for Ada, not for her former mentor
    mine = await platform.gql(*ADA, PLANNED_NOTIFICATIONS)
    assert "errors" not in mine, mine
    about = {"opens": "PLANNED_SESSION", "plannedSessionId": planned["id"]}
    assert _planned_notifications(mine) == {
        "PROGRESS_SESSION_PLANNED": {**about, "plannedSession": {"id": planned["id"]}},
        "PROGRESS_SESSION_CANCELLED": {**about, "plannedSession": {"id": planned["id"]}},
    }
    former = await platform.gql(*GRACE, PLANNED_NOTIFICATIONS)
    assert _planned_notifications(former) == {
        "PROGRESS_SESSION_PLANNED": {**about, "plannedSession": None},
        "PROGRESS_SESSION_CANCELLED": {**about, "plannedSession": None},
    }
    assert {e["path"][-1] for e in former["errors"]} == {"plannedSession"}
    assert {e["extensions"]["code"] for e in former["errors"]} == {"FORBIDDEN"}


PLANNED_NOTIFICATIONS = """
query {
  notifications(first: 50) {
    notifications {
      nodes { kind about { opens plannedSessionId plannedSession { id } } }
    }
  }
}"""


def _planned_notifications(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    nodes = body["data"]["notifications"]["notifications"]["nodes"]
    return {n["kind"]: n["about"] for n in nodes if n["kind"].startswith("PROGRESS_SESSION_")}
