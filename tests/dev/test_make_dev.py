"""``make dev`` as a newcomer uses it: the printed mentor token shows demo data on the GraphQL
dashboard, and a check-in made through GraphQL alerts the mentor. Then, a service killed with
SIGKILL is restarted, and nothing in flight is lost: every confidence drop recorded around the
crashes reaches the mentor's inbox exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx

from mentorship_testing.kafka import eventually

from .conftest import DevPlatform

DROPS = 12
MODULE = "knowing-the-limits"  # the demo data records no drop on it
# a notification names a module by its title in its reader's language (the demo mentor's may be
# French): the titles of the two modules these tests check in on, in English and French
TITLES = {
    "uses-for-my-job": ("Uses for my own job", "Usages pour mon métier"),
    MODULE: ("Knowing the limits", "Connaître les limites"),
}


def names(text: str, module: str) -> bool:
    """Whether ``text`` names ``module`` by one of its titles."""
    return any(title in text for title in TITLES[module])


DASHBOARD = """
query Dashboard {
  myMentees(first: 50) {
    byStatus { status count }
    mentees { nodes { menteeId status lastActivityAt unreadAlerts profile { displayName } } }
  }
}
"""
CHECK_IN = """
mutation CheckIn($mentee: ID!, $confidence: Int!) {
  recordCheckIn(menteeId: $mentee, moduleId: "uses-for-my-job", confidence: $confidence) {
    __typename
    ... on MenteeProgress { menteeId status }
    ... on ValidationError { message }
  }
}
"""
INBOX = """
query Inbox {
  notifications(unreadOnly: true, first: 50) {
    unread
    notifications { nodes { kind subjectId title } }
  }
}
"""


async def graphql(
    http: httpx.AsyncClient, url: str, token: str, query: str, **variables: Any
) -> dict[str, Any]:
    answer = await http.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert not body.get("errors"), body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def test_the_printed_tokens_show_demo_data_and_a_graphql_check_in_alerts_the_mentor(
    dev_platform: DevPlatform,
) -> None:
    demo = dev_platform.demo()
    gateway, tokens, mentee_id = demo["urls"]["gateway"], demo["tokens"], demo["mentee_id"]
    assert "/graphql" in dev_platform.output()
    assert tokens["mentor"] in dev_platform.output()
    async with httpx.AsyncClient(timeout=30) as http:
        dashboard = (await graphql(http, gateway, tokens["mentor"], DASHBOARD))["myMentees"]
        mentees = dashboard["mentees"]["nodes"]
        assert mentee_id in {m["menteeId"] for m in mentees}
        assert all(m["profile"]["displayName"] for m in mentees)
        assert sum(s["count"] for s in dashboard["byStatus"]) == len(mentees)

        for confidence in (5, 1):
            done = await graphql(
                http, gateway, tokens["mentee"], CHECK_IN, mentee=mentee_id, confidence=confidence
            )
            assert done["recordCheckIn"]["__typename"] == "MenteeProgress", done

        async def alerted() -> bool:
            # this drop's own alert: the demo data may have alerted the mentor about this mentee
            # already (another module), and that one must not end the wait early
            inbox = (await graphql(http, gateway, tokens["mentor"], INBOX))["notifications"]
            return any(
                n["kind"] == "PROGRESS_CONFIDENCE_DROPPED"
                and n["subjectId"] == mentee_id
                and names(n["title"], "uses-for-my-job")
                for n in inbox["notifications"]["nodes"]
            )

        await eventually(alerted, timeout=60)
        after = (await graphql(http, gateway, tokens["mentor"], DASHBOARD))["myMentees"]
        [mine] = [m for m in after["mentees"]["nodes"] if m["menteeId"] == mentee_id]
        assert mine["unreadAlerts"] >= 1

    # the mentor is also told by e-mail, which make dev's mail catcher keeps as a file
    mentor_address = f"{demo['users']['mentor']}@demo.example.org"

    def caught() -> bool:
        for path in (dev_platform.state / "mail").glob("*.eml"):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            to, subject = str(message["To"]), str(message["Subject"])
            if mentor_address in to and names(subject, "uses-for-my-job"):
                return True
        return False

    await eventually(caught, timeout=60)
    assert names((dev_platform.state / "logs" / "mail.log").read_text(), "uses-for-my-job")


async def _pids(platform: DevPlatform) -> dict[str, int]:
    return {name: info["pid"] for name, info in platform.running().items() if name != "supervisor"}


async def test_killed_services_restart_and_lose_nothing(dev_platform: DevPlatform) -> None:
    demo = dev_platform.demo()
    urls, tokens = demo["urls"], demo["tokens"]
    as_mentee = {"Authorization": f"Bearer {tokens['mentee']}"}
    as_mentor = {"Authorization": f"Bearer {tokens['mentor']}"}
    mentee_id = demo["mentee_id"]
    async with httpx.AsyncClient(timeout=30) as http:

        async def inbox_about_mentee() -> list[dict[str, Any]]:
            page = await http.get(
                f"{urls['notify']}/inbox", headers=as_mentor, params={"first": 100}
            )
            page.raise_for_status()
            return [  # only this test's module: an earlier alert may still be on its way
                n
                for n in page.json()["items"]
                if n["subject_id"] == mentee_id
                and n["kind"] == "progress.confidence_dropped"
                and names(n["title"], MODULE)
            ]

        before = len(await inbox_about_mentee())
        pids = await _pids(dev_platform)
        check_ins = f"{urls['progress']}/mentees/{mentee_id}/check-ins"
        for i in range(DROPS):
            for confidence in (5, 1):
                answer = await http.post(
                    check_ins,
                    headers=as_mentee,
                    json={
                        "module_id": MODULE,
                        "confidence": confidence,
                        "check_in_id": f"sup-{i}-{confidence}",
                    },
                )
                assert answer.status_code == 201, answer.text
            if i == DROPS // 2:
                os.kill(pids["notify"], signal.SIGKILL)  # in the middle of consuming the drops
        os.kill(pids["progress"], signal.SIGKILL)  # right after its last answer

        async def restarted() -> bool:
            now = await _pids(dev_platform)
            return all(now[name] != pids[name] for name in ("notify", "progress"))

        await eventually(restarted, timeout=60)

        async def all_alerts_arrived() -> bool:
            try:
                return len(await inbox_about_mentee()) >= before + DROPS
            except httpx.TransportError:  # restarted, not listening yet
                return False

        await eventually(all_alerts_arrived, timeout=120)
        await asyncio.sleep(3)  # anything redelivered after the restarts would show up by now
        alerts = await inbox_about_mentee()
        assert len(alerts) == before + DROPS
        assert len({a["id"] for a in alerts}) == len(alerts)
        view = await http.get(f"{urls['progress']}/mentees/{mentee_id}/progress", headers=as_mentor)
        assert view.status_code == 200
