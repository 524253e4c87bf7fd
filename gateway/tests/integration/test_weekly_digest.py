"""A mentor's weekly digest through the gateway: its kind chosen in the preferences and read
back (the enum both ways, an empty list turning it off), and the digest of a mentee's drop in
confidence in the mentor's inbox, about the program and no single mentee, seen by the mentor
alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from notify.service_layer.weekly_digests import send_due_weekly_digests

from .conftest import ACCEPT, ADA, ADMIN, GRACE, Platform, set_up_match

PREFER = """
mutation($channels: [NotificationChannel!]!) {
  updateNotificationPreferences(input: {channels: [{kind: MENTOR_WEEKLY_DIGEST,
                                                    channels: $channels}]}) {
    __typename
    ... on NotificationPreferences { channels { kind channels } }
    ... on ValidationError { problems { path message } }
  }
}"""

PREFERENCES = "query { notificationPreferences { channels { kind channels } } }"

RECORD = """
mutation($mentee: ID!, $confidence: Int!, $id: ID!) {
  recordCheckIn(menteeId: $mentee, moduleId: "purpose", confidence: $confidence, checkInId: $id) {
    __typename ... on MutationError { message }
  }
}"""

INBOX = """
query {
  notifications(first: 50) {
    notifications {
      nodes { kind title body subjectId about { opens programId menteeId } }
    }
  }
}"""


def digest_channels(preferences: dict[str, Any]) -> list[str] | None:
    chosen = {c["kind"]: c["channels"] for c in preferences["channels"]}
    return chosen.get("MENTOR_WEEKLY_DIGEST")


async def test_the_weekly_digest_kind_is_chosen_read_back_and_turned_off(
    platform: Platform,
) -> None:
    email = await platform.ok(*GRACE, PREFER, channels=["EMAIL"])
    assert digest_channels(email["updateNotificationPreferences"]) == ["EMAIL", "IN_APP"]
    read = await platform.ok(*GRACE, PREFERENCES)
    assert digest_channels(read["notificationPreferences"]) == ["EMAIL", "IN_APP"]

    off = await platform.ok(*GRACE, PREFER, channels=[])
    assert digest_channels(off["updateNotificationPreferences"]) == []
    read = await platform.ok(*GRACE, PREFERENCES)
    assert digest_channels(read["notificationPreferences"]) == []

    unknown = await platform.gql(
        *GRACE,
        PREFER.replace("MENTOR_WEEKLY_DIGEST", "MENTOR_MONTHLY_DIGEST"),
        channels=["EMAIL"],
    )
    assert unknown["data"] is None
    assert unknown["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_mentor_finds_the_digest_of_their_mentees_week_in_the_inbox(
    platform: Platform, mongo_db: AsyncDatabase[Document]
) -> None:
    ids = await set_up_match(platform)
    await platform.ok(*GRACE, ACCEPT, id=ids["match"])

    async def tracked() -> bool:
        body = await platform.gql(
            *ADA, "query($id: ID!) { menteeProgress(menteeId: $id) { state } }", id=ids["ada"]
        )
        return bool(body["data"] and body["data"]["menteeProgress"])

    await eventually(tracked, timeout=60)
    for confidence, check_in in ((4, "ci-high"), (2, "ci-low")):
        done = await platform.ok(
            *ADA, RECORD, mentee=ids["ada"], confidence=confidence, id=check_in
        )
        assert done["recordCheckIn"]["__typename"] == "MenteeProgress", done
    changes = mongo_db.client[f"{mongo_db.name}_n"]["weekly_digest_changes"]

    async def recorded() -> bool:
        found = await changes.find_one({"mentor_id": ids["grace"]})
        return found is not None and found["change"] == "confidence_dropped"

    await eventually(recorded, timeout=120)
    # the services run on the real clock: the week is made to have ended a week ago
    await changes.update_many({}, {"$set": {"due_at": (await _due(changes)) - timedelta(days=8)}})
    notify = platform.transports["notify"].inner
    assert isinstance(notify, httpx.ASGITransport)
    context = notify.app.state.service.context  # type: ignore[attr-defined]
    await send_due_weekly_digests(context())  # or the worker's own round, whichever is first

    async def in_inbox(who: tuple[str, tuple[str, ...]]) -> list[dict[str, Any]]:
        found = await platform.ok(*who, INBOX)
        nodes: list[dict[str, Any]] = found["notifications"]["notifications"]["nodes"]
        return [n for n in nodes if n["kind"] == "MENTOR_WEEKLY_DIGEST"]

    await eventually(lambda: in_inbox(GRACE), timeout=60)
    [digest] = await in_inbox(GRACE)
    assert digest["title"] == "Your week with your mentees: news of 1 mentee"
    assert "confidence dropped in module Purpose and strategy (4 to 2 out of 5)" in digest["body"]
    assert "\nAda\nStatus at the end of the week: on track\n" in digest["body"]
    assert digest["subjectId"] is None
    assert digest["about"] == {"opens": "DASHBOARD", "programId": ids["program"], "menteeId": None}
    assert await in_inbox(ADA) == []
    assert await in_inbox(ADMIN) == []
    assert await send_due_weekly_digests(context()) == 0


async def _due(changes: Any) -> Any:
    found = await changes.find_one({})
    assert found is not None
    return found["due_at"]
