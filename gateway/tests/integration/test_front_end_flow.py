"""As a front end would use it, GraphQL only: from a new program to a mentor's live alert and
dashboard, on the real services, Kafka and MongoDB."""

from __future__ import annotations

from typing import Any

from mentorship_testing.kafka import eventually

from .conftest import (
    ACCEPT,
    ADA,
    ADMIN,
    ALAN,
    CHECK_IN,
    CREATE_PROGRAM,
    GRACE,
    REGISTER,
    Platform,
    profile,
    set_up_match,
    ws_receive,
    ws_send,
)

DASHBOARD = """
{
  myMentees(first: 50) {
    byStatus { status count }
    mentees {
      nodes {
        menteeId status confidenceTrend lastActivityAt unreadAlerts
        profile { displayName }
      }
    }
  }
}"""

SUBSCRIBE = "subscription { notifications { id kind title subjectId } }"


RUN_MATCHING = """
mutation($program: ID!) {
  runMatching(programId: $program, objective: MOST_MATCHED) {
    __typename
    ... on MatchingRun { matchedCount proposalIds unmatched { menteeId reason } }
    ... on MutationError { message }
  }
}"""

MY_PROPOSALS = """
{ matches(status: PROPOSED, first: 10) {
    nodes { id score reasons mentee { participantId name } mentor { participantId } } } }"""


async def set_up_by_matching(platform: Platform) -> dict[str, str]:
    """A program, Grace (mentor) and Ada (mentee), and a matching run that proposes Grace."""
    created = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]
    program = created["id"]
    grace = await platform.ok(
        *GRACE,
        REGISTER,
        mentor=True,
        input=profile(program, "Grace", competencies=[{"key": "purpose", "level": 4}]),
    )
    ada = await platform.ok(
        *ADA,
        REGISTER,
        mentor=False,
        input=profile(program, "Ada", goals=[{"key": "purpose", "level": 3}]),
    )
    run = (await platform.ok(*ADMIN, RUN_MATCHING, program=program))["runMatching"]
    assert run["__typename"] == "MatchingRun", run
    assert run["matchedCount"] == 1
    [proposal] = (await platform.ok(*GRACE, MY_PROPOSALS))["matches"]["nodes"]
    assert proposal["id"] == run["proposalIds"][0]
    assert proposal["mentee"] == {"participantId": ada["mentee"]["id"], "name": "Ada"}
    assert proposal["mentor"]["participantId"] == grace["mentor"]["id"]
    assert proposal["reasons"]
    return {
        "program": program,
        "grace": grace["mentor"]["id"],
        "ada": ada["mentee"]["id"],
        "match": proposal["id"],
    }


async def test_a_mentor_sees_a_confidence_drop_live_and_on_the_dashboard(
    platform: Platform,
) -> None:
    ids = await set_up_by_matching(platform)
    await platform.live()

    async with platform.websocket() as ws:
        await ws_send(
            ws,
            {
                "type": "connection_init",
                "payload": {"Authorization": f"Bearer {platform.token(GRACE[0], *GRACE[1])}"},
            },
        )
        assert (await ws_receive(ws))["type"] == "connection_ack"
        await ws_send(ws, {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        await eventually(lambda: platform.app.state.hub.open_for("u-grace") == 1)

        accepted = (await platform.ok(*GRACE, ACCEPT, id=ids["match"]))["acceptMatch"]
        assert accepted["status"] == "ACTIVE", accepted
        again = (await platform.ok(*GRACE, ACCEPT, id=ids["match"]))["acceptMatch"]
        assert again["status"] == "ACTIVE"  # a retried accept finds the match accepted

        async def tracked() -> bool:
            body = await platform.gql(
                *ADA, "query($id: ID!) { menteeProgress(menteeId: $id) { state } }", id=ids["ada"]
            )
            return bool(body["data"] and body["data"]["menteeProgress"])

        await eventually(tracked, timeout=30)

        first = await platform.ok(*ADA, CHECK_IN, mentee=ids["ada"], confidence=4, key="ci-1")
        assert first["recordCheckIn"]["__typename"] == "MenteeProgress", first
        low = await platform.ok(*ADA, CHECK_IN, mentee=ids["ada"], confidence=2, key="ci-2")
        assert low["recordCheckIn"]["confidenceTrend"] == "FALLING"

        alert: dict[str, Any] = {}
        while not alert:
            message = await ws_receive(ws, timeout=60)
            assert message["type"] == "next", message
            notification = message["payload"]["data"]["notifications"]
            if notification["kind"] == "PROGRESS_CONFIDENCE_DROPPED":
                alert = notification
        assert alert["subjectId"] == ids["ada"]
        await ws_send(ws, {"id": "1", "type": "complete"})

    body = await platform.gql(*GRACE, DASHBOARD)
    assert "errors" not in body, body
    [mentee] = body["data"]["myMentees"]["mentees"]["nodes"]
    assert mentee["menteeId"] == ids["ada"]
    assert mentee["profile"] == {"displayName": "Ada"}
    assert mentee["confidenceTrend"] == "FALLING"
    assert mentee["lastActivityAt"] is not None
    assert mentee["unreadAlerts"] >= 1
    # one call per service: the mentees (progress), their profiles, their unread alerts
    assert body["extensions"]["internalCalls"] == {"mentoring": 1, "progress": 1, "notify": 1}

    # reading the alert in the inbox clears it from the dashboard
    inbox = await platform.ok(
        *GRACE, "{ notifications(unreadOnly: true) { unread notifications { nodes { id } } } }"
    )
    ids_to_read = [n["id"] for n in inbox["notifications"]["notifications"]["nodes"]]
    assert alert["id"] in ids_to_read
    marked = await platform.ok(
        *GRACE,
        """mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) {
             __typename ... on NotificationsMarked { marked unread } } }""",
        ids=ids_to_read,
    )
    assert marked["markNotificationsRead"] == {
        "__typename": "NotificationsMarked",
        "marked": len(ids_to_read),
        "unread": 0,
    }
    after = await platform.ok(*GRACE, DASHBOARD)
    assert after["myMentees"]["mentees"]["nodes"][0]["unreadAlerts"] == 0


PREFERENCES = """
mutation($input: NotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    __typename
    ... on NotificationPreferences {
      channels { kind channels } quietHours { start end } digest digestHour timezone
    }
    ... on ValidationError { problems { path message } }
  }
}"""


async def test_notification_preferences_round_trip_and_refuse_bad_values(
    platform: Platform,
) -> None:
    saved = await platform.ok(
        *GRACE,
        PREFERENCES,
        input={
            "channels": [{"kind": "PROGRESS_CONFIDENCE_DROPPED", "channels": ["IN_APP", "EMAIL"]}],
            "quietHours": {"start": "22:00", "end": "07:00"},
            "digest": "DAILY",
            "digestHour": 7,
            "timezone": "Europe/Paris",
        },
    )
    preferences = saved["updateNotificationPreferences"]
    assert preferences["__typename"] == "NotificationPreferences", preferences
    assert preferences["quietHours"] == {"start": "22:00", "end": "07:00"}
    assert preferences["digest"] == "DAILY"
    [chosen] = preferences["channels"]
    assert chosen["kind"] == "PROGRESS_CONFIDENCE_DROPPED"
    assert sorted(chosen["channels"]) == ["EMAIL", "IN_APP"]

    read = await platform.ok(
        *GRACE, "{ notificationPreferences { digestHour timezone quietHours { start } } }"
    )
    assert read["notificationPreferences"] == {
        "digestHour": 7,
        "timezone": "Europe/Paris",
        "quietHours": {"start": "22:00"},
    }

    refused = await platform.ok(
        *GRACE, PREFERENCES, input={"webhookUrl": "http://169.254.169.254/latest/meta-data"}
    )
    answer = refused["updateNotificationPreferences"]
    assert answer["__typename"] == "ValidationError", answer
    assert answer["problems"][0]["path"] == ["input", "webhookUrl"]
    unchanged = await platform.ok(*GRACE, "{ notificationPreferences { digest } }")
    assert unchanged["notificationPreferences"] == {"digest": "DAILY"}


async def test_a_mentor_cannot_read_another_mentors_mentee(platform: Platform) -> None:
    ids = await set_up_match(platform)
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])

    body = await platform.gql(
        *ALAN,
        """query($id: ID!, $match: ID!) {
             me { userId }
             mentee(id: $id) { displayName }
             menteeProgress(menteeId: $id) { percent }
             match(id: $match) { id }
           }""",
        id=ids["ada"],
        match=ids["match"],
    )

    assert body["data"]["me"] == {"userId": "u-alan"}
    assert body["data"]["mentee"] is None
    assert body["data"]["match"] is None
    assert {e["path"][0]: e["extensions"]["code"] for e in body["errors"]} == {
        "mentee": "FORBIDDEN",
        "menteeProgress": "FORBIDDEN",
        "match": "FORBIDDEN",
    }


async def test_a_mentor_sees_their_own_mentee_and_through_nested_fields(
    platform: Platform,
) -> None:
    ids = await set_up_match(platform)
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])

    body = await platform.ok(
        *GRACE,
        """query($match: ID!) {
             match(id: $match) { status mentee { name profile { displayName goals { key } } } }
           }""",
        match=ids["match"],
    )
    assert body["match"]["mentee"]["profile"] == {
        "displayName": "Ada",
        "goals": [{"key": "purpose"}],
    }
    alan = await platform.gql(
        *ALAN,
        """query($match: ID!) { matches(first: 5) { nodes { id } } match(id: $match) { id } }""",
        match=ids["match"],
    )
    assert alan["data"]["matches"] == {"nodes": []}
    assert [e["extensions"]["code"] for e in alan["errors"]] == ["FORBIDDEN"]


async def test_refused_mutations_say_why_as_typed_errors(platform: Platform) -> None:
    ids = await set_up_match(platform)

    invalid = await platform.ok(*ADA, CHECK_IN, mentee=ids["ada"], confidence=9)
    assert invalid["recordCheckIn"]["__typename"] == "ValidationError"
    assert invalid["recordCheckIn"]["problems"][0]["path"] == ["confidence"]

    by_mentee = (await platform.ok(*ADA, ACCEPT, id=ids["match"]))["acceptMatch"]
    assert by_mentee["__typename"] in ("Forbidden", "NotFound"), by_mentee

    missing = (await platform.ok(*GRACE, ACCEPT, id="m-nope"))["acceptMatch"]
    assert missing["__typename"] == "NotFound"

    await platform.ok(*GRACE, ACCEPT, id=ids["match"])
    decline = await platform.ok(
        *GRACE,
        """mutation($id: ID!) { declineMatch(matchId: $id) {
             __typename ... on Conflict { currentState } } }""",
        id=ids["match"],
    )
    assert decline["declineMatch"] == {"__typename": "Conflict", "currentState": "ACTIVE"}

    bad_name = (await platform.ok(*ADMIN, CREATE_PROGRAM, name=""))["createProgram"]
    assert bad_name["__typename"] == "ValidationError"


REQUEST = """
mutation($mentee: ID!, $mentor: ID!) {
  requestMentor(menteeId: $mentee, mentorId: $mentor) {
    __typename
    ... on Match { id status proposedBy mentor { name } }
    ... on MutationError { message }
  }
}"""


async def test_a_mentee_asks_a_mentor_herself_and_only_for_herself(platform: Platform) -> None:
    created = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="Pilot"))["createProgram"]
    program = created["id"]
    grace = await platform.ok(*GRACE, REGISTER, mentor=True, input=profile(program, "Grace"))
    ada = await platform.ok(*ADA, REGISTER, mentor=False, input=profile(program, "Ada"))
    bob = await platform.ok(
        "u-bob", ("mentee",), REGISTER, mentor=False, input=profile(program, "Bob")
    )
    grace_id, ada_id = grace["mentor"]["id"], ada["mentee"]["id"]

    for_bob = await platform.ok("u-bob", ("mentee",), REQUEST, mentee=ada_id, mentor=grace_id)
    assert for_bob["requestMentor"]["__typename"] == "Forbidden"

    mine = (await platform.ok(*ADA, REQUEST, mentee=ada_id, mentor=grace_id))["requestMentor"]
    assert mine["__typename"] == "Match", mine
    assert mine["status"] == "PROPOSED"
    assert mine["proposedBy"] == "MENTEE"
    assert mine["mentor"] == {"name": "Grace"}
    assert bob["mentee"]["__typename"] == "Participant"
