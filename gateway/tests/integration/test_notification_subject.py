"""A notification says what it is about, and each thing it names opens as its reader may see it:
live, in the inbox, for a notification stored before these ids were kept, and for a mentor whose
match ended since."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually

from .conftest import ACCEPT, ADA, ADMIN, GRACE, Platform, set_up_match, ws_receive, ws_send

RECORD = """
mutation($mentee: ID!, $confidence: Int!, $id: ID!) {
  recordCheckIn(menteeId: $mentee, moduleId: "purpose", confidence: $confidence,
                note: "lost my footing", checkInId: $id) {
    __typename ... on MutationError { message }
  }
}"""

ABOUT = """
  about {
    opens programId menteeId matchId moduleId milestoneId checkInId sessionId learningPathId
  }
"""

SUBSCRIBE = "subscription { notifications { kind " + ABOUT + " } }"

INBOX = (
    """
query {
  notifications(first: 50) {
    notifications {
      nodes {
        kind subjectId"""
    + ABOUT
    + """
        opened: about {
          program { id } mentee { id } match { id status }
          checkIn { id confidence note assessedBy } progress { sight }
        }
      }
    }
  }
}"""
)

END = """
mutation($id: ID!) {
  endMatch(matchId: $id, outcome: ENDED_EARLY) { __typename ... on MutationError { message } }
}"""

NOTHING_ELSE = {
    "milestoneId": None,
    "sessionId": None,
    "learningPathId": None,
}


async def _inbox(platform: Platform, person: tuple[str, tuple[str, ...]]) -> dict[str, Any]:
    return await platform.gql(*person, INBOX)


def _by_kind(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["kind"]: n for n in body["data"]["notifications"]["notifications"]["nodes"]}


async def test_an_alert_names_and_opens_what_it_is_about(platform: Platform) -> None:
    ids = await set_up_match(platform)
    await platform.live()
    async with platform.websocket() as ws:
        token = platform.token(GRACE[0], *GRACE[1])
        await ws_send(
            ws, {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        assert (await ws_receive(ws))["type"] == "connection_ack"
        await ws_send(ws, {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        await eventually(lambda: platform.app.state.hub.open_for("u-grace") == 1)

        await platform.ok(*GRACE, ACCEPT, id=ids["match"])

        async def tracked() -> bool:
            body = await platform.gql(
                *ADA, "query($id: ID!) { menteeProgress(menteeId: $id) { state } }", id=ids["ada"]
            )
            return bool(body["data"] and body["data"]["menteeProgress"])

        await eventually(tracked, timeout=30)
        for confidence, check_in in ((4, "ci-high"), (2, "ci-low")):
            done = await platform.ok(
                *ADA, RECORD, mentee=ids["ada"], confidence=confidence, id=check_in
            )
            assert done["recordCheckIn"]["__typename"] == "MenteeProgress", done

        live: dict[str, Any] = {}
        while not live:
            message = await ws_receive(ws, timeout=60)
            assert message["type"] == "next", message
            notification = message["payload"]["data"]["notifications"]
            if notification["kind"] == "PROGRESS_CONFIDENCE_DROPPED":
                live = notification
        await ws_send(ws, {"id": "1", "type": "complete"})

    drop_about = {
        "opens": "CHECK_IN",
        "programId": ids["program"],
        "menteeId": ids["ada"],
        "matchId": None,
        "moduleId": "purpose",
        "checkInId": "ci-low",
        **NOTHING_ELSE,
    }
    assert live["about"] == drop_about

    async def both_in_inbox() -> bool:
        found = _by_kind(await _inbox(platform, GRACE))
        return {"MATCH_PROPOSED", "PROGRESS_CONFIDENCE_DROPPED"} <= set(found)

    await eventually(both_in_inbox, timeout=60)
    body = await _inbox(platform, GRACE)
    assert "errors" not in body, body
    found = _by_kind(body)
    drop, proposal = found["PROGRESS_CONFIDENCE_DROPPED"], found["MATCH_PROPOSED"]
    assert drop["about"] == drop_about
    assert drop["opened"] == {
        "program": {"id": ids["program"]},
        "mentee": {"id": ids["ada"]},
        "match": None,
        "checkIn": {
            "id": "ci-low",
            "confidence": 2,
            "note": "lost my footing",
            "assessedBy": "MENTEE",
        },
        "progress": {"sight": "FULL"},
    }
    assert proposal["about"] == {
        "opens": "MATCH",
        "programId": ids["program"],
        "menteeId": ids["ada"],
        "matchId": ids["match"],
        "moduleId": None,
        "checkInId": None,
        **NOTHING_ELSE,
    }
    assert proposal["opened"]["match"] == {"id": ids["match"], "status": "ACTIVE"}
    assert proposal["opened"]["checkIn"] is None

    # once the match ended, Grace keeps her alert and its ids but no longer opens Ada's check-in
    ended = await platform.ok(*ADMIN, END, id=ids["match"])
    assert ended["endMatch"]["__typename"] == "Match", ended

    async def shut_out() -> bool:
        after = await _inbox(platform, GRACE)
        return _by_kind(after)["PROGRESS_CONFIDENCE_DROPPED"]["opened"]["checkIn"] is None

    await eventually(shut_out, timeout=30)
    after = await _inbox(platform, GRACE)
    assert _by_kind(after)["PROGRESS_CONFIDENCE_DROPPED"]["about"] == drop_about
    refused = {
        tuple(e["path"][-2:]): e["extensions"]["code"]
        for e in after["errors"]
        if e["path"][-1] in ("checkIn", "progress")
    }
    assert set(refused.values()) == {"FORBIDDEN"}, after["errors"]


async def test_a_notification_stored_before_names_its_mentee_only(
    platform: Platform, mongo_client: AsyncMongoClient[Document], mongo_db: AsyncDatabase[Document]
) -> None:
    ids = await set_up_match(platform)
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])

    async def tracked() -> bool:
        body = await platform.gql(
            *GRACE, "query($id: ID!) { menteeProgress(menteeId: $id) { state } }", id=ids["ada"]
        )
        return bool(body["data"] and body["data"]["menteeProgress"])

    await eventually(tracked, timeout=30)
    notify_db = mongo_client[f"{mongo_db.name}_n"]
    await notify_db.notifications.insert_one(
        {
            "_id": "n-stored-long-ago",
            "recipient_id": ids["grace"],
            "user_id": GRACE[0],
            "kind": "progress.mentee_stalled",
            "priority": "high",
            "title": "Ada has stalled",
            "body": "Nothing for 14 days.",
            "html_body": "<p>Nothing for 14 days.</p>",
            "subject_id": ids["ada"],
            "created_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            "event_id": "ev-long-ago",
            "read_at": None,
        }
    )

    body = await _inbox(platform, GRACE)

    stalled = _by_kind(body)["PROGRESS_MENTEE_STALLED"]
    assert stalled["about"] == {
        "opens": "MENTEE",
        "programId": None,
        "menteeId": ids["ada"],
        "matchId": None,
        "moduleId": None,
        "checkInId": None,
        **NOTHING_ELSE,
    }
    assert "errors" not in body, body
    assert stalled["opened"] == {
        "program": None,
        "mentee": {"id": ids["ada"]},
        "match": None,
        "checkIn": None,
        "progress": {"sight": "FULL"},
    }
