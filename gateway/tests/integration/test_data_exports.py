"""Exports of a person's data through the gateway, on the real services, Kafka and MongoDB.

The scenario: program A (run by an admin and a co-admin) where Grace mentors a person with a
name and e-mail of their own (made for each test, with letters outside ASCII), who checks in
with a note and is notified of the match; another mentee in A; program B, run by another admin.
Mentoring records each export request and announces it; each service builds its part from its
own data, and the export completes when the three parts are in; the archive is downloaded
from the gateway.
"""

from __future__ import annotations

import asyncio
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from mentorship_testing.services import settings_for
from notify.bootstrap import create_app as notify_app
from notify.config import Settings as NotifySettings

from .conftest import (
    ACCEPT,
    ADMIN,
    CREATE_PROGRAM,
    GRACE,
    PROPOSE,
    REGISTER,
    Platform,
    add_program_admin,
    profile,
    running_platform,
)

CO_ADMIN = ("u-co-admin", ("admin",))
ADMIN_B = ("u-admin-b", ("admin",))
OTHER_MENTEE = ("u-other-mentee", ("mentee",))
EXPORT_SECONDS = 60

EXPORT_FIELDS = """
    __typename
    ... on DataExport {
      id status scope participantId programIds requestedAt completedAt expiresAt downloadPath
      parts { service readyAt counts { section records } }
    }
    ... on NotFound { message kind id }
    ... on MutationError { message }
"""
EXPORT_MINE = (
    f"mutation($key: String) {{ exportMyData(idempotencyKey: $key) {{ {EXPORT_FIELDS} }} }}"
)
EXPORT_PARTICIPANT = f"""
mutation($id: ID!) {{ exportParticipantData(participantId: $id) {{ {EXPORT_FIELDS} }} }}"""
STATUS = f"query($id: ID!) {{ dataExport(id: $id) {{ {EXPORT_FIELDS} }} }}"
AUDIT_LOG = """
query($program: ID!) {
  auditLog(programId: $program, first: 50) {
    ... on AuditLog { nodes { actorId action objectKind objectId after } }
  }
}"""
CHECK_IN_WITH_NOTE = """
mutation($mentee: ID!, $note: String!) {
  recordCheckIn(menteeId: $mentee, moduleId: "purpose", confidence: 2, note: $note) {
    __typename ... on MutationError { message }
  }
}"""
INBOX = "{ notifications { notifications { nodes { id title } } } }"
COMPLETE_MILESTONE = """
mutation($mentee: ID!, $evidence: String!) {
  completeMilestone(menteeId: $mentee, milestoneId: "explain-the-why", evidence: $evidence) {
    __typename ... on MutationError { message }
  }
}"""
LOG_SESSION = """
mutation($mentee: ID!, $input: SessionInput!) {
  logSession(menteeId: $mentee, input: $input) { __typename ... on MutationError { message } }
}"""
PLAN_SESSION = """
mutation($mentee: ID!, $input: SessionScheduleInput!) {
  planSession(menteeId: $mentee, input: $input) {
    __typename ... on PlannedSession { id } ... on MutationError { message }
  }
}"""
PREFER = """
mutation($input: NotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    __typename ... on MutationError { message }
  }
}"""


@dataclass(frozen=True)
class Scenario:
    person: tuple[str, tuple[str, ...]]
    name: str
    email: str
    note: str
    program_a: str
    program_b: str
    participant: str
    notification_ids: list[str]


async def _program(platform: Platform, by: tuple[str, tuple[str, ...]], name: str) -> str:
    created = (await platform.ok(*by, CREATE_PROGRAM, name=name))["createProgram"]
    assert created["__typename"] == "Program", created
    return str(created["id"])


async def _register(
    platform: Platform, who: tuple[str, tuple[str, ...]], mentor: bool, fields: dict[str, Any]
) -> str:
    answer = await platform.ok(*who, REGISTER, mentor=mentor, input=fields)
    registered = answer["mentor" if mentor else "mentee"]
    assert registered["__typename"] == "Participant", registered
    return str(registered["id"])


async def set_up(platform: Platform) -> Scenario:
    suffix = uuid.uuid4().hex[:10]
    person = (f"u-person-{suffix}", ("mentee",))
    name, email = f"Zoé Łukasz-{suffix}", f"zoe.{suffix}@example.org"
    note = f"Prendre la parole en réunion, sans trac ({suffix})"
    program_a = await _program(platform, ADMIN, "Export A")
    await add_program_admin(platform, ADMIN, program_a, CO_ADMIN[0])
    program_b = await _program(platform, ADMIN_B, "Export B")
    grace = await _register(
        platform,
        GRACE,
        True,
        profile(program_a, "Grace", competencies=[{"key": "purpose", "level": 4}]),
    )
    participant = await _register(
        platform,
        person,
        False,
        profile(program_a, name, email=email, goals=[{"key": "purpose", "level": 3}]),
    )
    await _register(platform, OTHER_MENTEE, False, profile(program_a, "Otto"))
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=participant, mentor=grace))[
        "proposeMatch"
    ]
    accepted = (await platform.ok(*GRACE, ACCEPT, id=proposed["id"]))["acceptMatch"]
    assert accepted["__typename"] == "Match", accepted
    checked = await platform.ok(*person, CHECK_IN_WITH_NOTE, mentee=participant, note=note)
    assert checked["recordCheckIn"]["__typename"] == "MenteeProgress", checked
    inbox: list[str] = []

    async def notified() -> bool:
        found = await platform.ok(*person, INBOX)
        inbox[:] = [n["id"] for n in found["notifications"]["notifications"]["nodes"]]
        return bool(inbox)

    await eventually(notified, timeout=30)
    return Scenario(person, name, email, note, program_a, program_b, participant, inbox)


async def complete(
    platform: Platform, who: tuple[str, tuple[str, ...]], export_id: str
) -> dict[str, Any]:
    """The export once COMPLETE, read as ``who`` (within a minute)."""
    seen: dict[str, Any] = {}

    async def done() -> bool:
        seen.update((await platform.ok(*who, STATUS, id=export_id))["dataExport"])
        return seen.get("status") == "COMPLETE"

    await eventually(done, timeout=EXPORT_SECONDS)
    return seen


async def download(
    platform: Platform, who: tuple[str, tuple[str, ...]], path: str
) -> httpx.Response:
    return await platform.http.get(
        path, headers={"Authorization": f"Bearer {platform.token(who[0], *who[1])}"}
    )


async def downloads(platform: Platform, who: tuple[str, tuple[str, ...]], path: str) -> bool:
    return (await download(platform, who, path)).status_code == 200


def unzip(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


async def test_a_person_finds_each_of_their_data_in_the_archive_of_their_export(
    platform: Platform,
) -> None:
    scenario = await set_up(platform)
    mentee, suffix = scenario.participant, uuid.uuid4().hex[:8]
    evidence, notes = f"https://slides.example.org/{suffix}", f"On a répété le pitch {suffix}"
    place, link = f"Salle Ada {suffix}", f"https://meet.example.org/{suffix}"
    today = datetime.now(UTC).date()
    steps: list[tuple[str, dict[str, Any], str]] = [
        (COMPLETE_MILESTONE, {"evidence": evidence}, "completeMilestone"),
        (
            LOG_SESSION,
            {
                "input": {
                    "heldOn": str(today - timedelta(days=1)),
                    "durationMinutes": 30,
                    "notes": notes,
                }
            },
            "logSession",
        ),
        (
            PLAN_SESSION,
            {
                "input": {
                    "localStart": f"{today + timedelta(days=3)}T14:30",
                    "timeZone": "Europe/Paris",
                    "durationMinutes": 45,
                    "location": place,
                    "videoUrl": link,
                }
            },
            "planSession",
        ),
    ]
    for mutation, variables, field in steps:
        done = (await platform.ok(*scenario.person, mutation, mentee=mentee, **variables))[field]
        assert done["__typename"] in ("MenteeProgress", "PlannedSession"), (field, done)
    preferred = await platform.ok(
        *scenario.person, PREFER, input={"quietHours": {"start": "21:00", "end": "07:30"}}
    )
    assert preferred["updateNotificationPreferences"]["__typename"] == "NotificationPreferences"
    asked = (await platform.ok(*scenario.person, EXPORT_MINE, key=None))["exportMyData"]
    assert asked["__typename"] == "DataExport", asked
    assert (asked["status"], asked["scope"], asked["downloadPath"]) == ("PENDING", "PERSON", None)
    assert asked["programIds"] == [scenario.program_a]

    export = await complete(platform, scenario.person, asked["id"])
    assert {p["service"] for p in export["parts"]} == {"MENTORING", "PROGRESS", "NOTIFY"}
    assert export["completedAt"] is not None
    files = unzip(await download(platform, scenario.person, export["downloadPath"]))

    assert set(files) == {"README.md", "mentoring.json", "progress.json", "notify.json"}
    mentoring, progress, notify = (
        json.loads(files[f"{s}.json"]) for s in ("mentoring", "progress", "notify")
    )
    assert scenario.name in files["mentoring.json"]  # UTF-8, not escaped
    [participation] = mentoring["sections"]["participations"]
    assert (participation["id"], participation["display_name"], participation["email"]) == (
        scenario.participant,
        scenario.name,
        scenario.email,
    )
    [match] = mentoring["sections"]["matches"]
    assert match["status"] == "active", match
    assert {"score", "reasons"} <= match.keys(), "the match's explanation is in the archive"
    [tracking] = progress["sections"]["trackings"]
    assert [c["note"] for c in tracking["check_ins"]] == [scenario.note]
    assert [m["evidence"] for m in tracking["milestones"]] == [evidence]
    assert [s["notes"] for s in tracking["sessions"]] == [notes]
    [planned] = progress["sections"]["planned_sessions"]
    assert (planned["location"], planned["video_url"]) == (place, link)
    [preferences] = notify["sections"]["preferences"]
    assert preferences["quiet_hours"] == {"start": "21:00", "end": "07:30"}
    assert "webhook_secret" not in preferences
    assert {n["id"] for n in notify["sections"]["notifications"]} >= set(scenario.notification_ids)
    assert [p["email"] for p in notify["sections"]["directory"]] == [scenario.email]
    assert notify["sections"]["deliveries"], "each notification's delivery is in the archive"
    for part, service in ((mentoring, "mentoring"), (progress, "progress"), (notify, "notify")):
        assert (part["service"], part["export_id"]) == (service, asked["id"])
        assert part["subject"]["user_id"] == scenario.person[0]
        assert part["counts"] == {k: len(v) for k, v in part["sections"].items()}
        assert f"## {service}.json" in files["README.md"]
    counted = {
        p["service"]: {c["section"]: c["records"] for c in p["counts"]} for p in export["parts"]
    }
    assert counted["PROGRESS"] == progress["counts"]
    assert "_outbox" not in files["mentoring.json"] + files["progress.json"] + files["notify.json"]


async def test_only_the_person_and_the_admins_of_their_program_see_and_download_an_export(
    platform: Platform,
) -> None:
    scenario = await set_up(platform)
    everyone = {
        "person": scenario.person,
        "admin": ADMIN,
        "co-admin": CO_ADMIN,
        "admin of B": ADMIN_B,
        "mentor": GRACE,
        "other mentee": OTHER_MENTEE,
    }
    by_admin = await platform.ok(*ADMIN, EXPORT_PARTICIPANT, id=scenario.participant)
    export = by_admin["exportParticipantData"]
    assert (export["__typename"], export["scope"], export["participantId"]) == (
        "DataExport",
        "PARTICIPATION",
        scenario.participant,
    )
    mine = (await platform.ok(*scenario.person, EXPORT_MINE, key=None))["exportMyData"]
    complete_export = await complete(platform, ADMIN, export["id"])
    await complete(platform, scenario.person, mine["id"])

    refused = {}
    for name, who in everyone.items():
        answer = await platform.ok(*who, EXPORT_PARTICIPANT, id=scenario.participant)
        refused[name] = answer["exportParticipantData"]["__typename"]
    assert refused == {
        "person": "Forbidden",
        "admin": "DataExport",
        "co-admin": "DataExport",
        "admin of B": "Forbidden",
        "mentor": "Forbidden",
        "other mentee": "Forbidden",
    }

    allowed = {"person", "admin", "co-admin"}
    for export_id in (export["id"], mine["id"]):
        for name, who in everyone.items():
            seen = (await platform.ok(*who, STATUS, id=export_id))["dataExport"]
            expected = "DataExport" if name in allowed else "NotFound"
            assert seen["__typename"] == expected, (name, seen)
            path = complete_export["downloadPath"].replace(export["id"], export_id)
            if name in allowed:  # each service knows the program's admins from its events
                await eventually(partial(downloads, platform, who, path), timeout=30)
            response = await download(platform, who, path)
            assert response.status_code == (200 if name in allowed else 404), (name, response.text)
            if name not in allowed:
                assert response.json()["error"]["code"] == "NOT_FOUND"

    files = unzip(await download(platform, CO_ADMIN, complete_export["downloadPath"]))
    assert scenario.note in files["progress.json"]
    notify = json.loads(files["notify.json"])
    assert "preferences" not in notify["sections"], "an admin's export keeps to the program"

    anonymous = await platform.http.post(
        "/graphql", json={"query": STATUS, "variables": {"id": export["id"]}}
    )
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    asked = await platform.http.post(
        "/graphql", json={"query": EXPORT_PARTICIPANT, "variables": {"id": scenario.participant}}
    )
    assert asked.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unsigned = await platform.http.get(complete_export["downloadPath"])
    assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (401, "UNAUTHENTICATED")

    # every export asked is in the program's audit trail (the admin's and co-admin's second
    # ones too); the refused ones are not
    async def recorded() -> list[dict[str, Any]]:
        trail = (await platform.ok(*ADMIN, AUDIT_LOG, program=scenario.program_a))["auditLog"]
        return [n for n in trail["nodes"] if n["action"] == "DATA_EXPORTED"]

    async def all_recorded() -> bool:
        return len(await recorded()) >= 4

    await eventually(all_recorded, timeout=30)
    person_id = scenario.person[0]
    participation = {
        "scope": "participation",
        "user_id": person_id,
        "participant_id": scenario.participant,
    }
    records = await recorded()
    assert len(records) == 4
    assert {r["objectKind"] for r in records} == {"DATA_EXPORT"}
    by_export = {r["objectId"]: (r["actorId"], r["after"]) for r in records}
    assert by_export[export["id"]] == (ADMIN[0], participation)
    assert by_export[mine["id"]] == (person_id, {"scope": "person", "user_id": person_id})
    seen = (export["id"], mine["id"])
    others = sorted(
        actor
        for key, (actor, after) in by_export.items()
        if key not in seen and after == participation
    )
    assert others == sorted([ADMIN[0], CO_ADMIN[0]])


async def test_concurrent_export_requests_each_complete_and_a_repeated_key_makes_one(
    platform: Platform,
) -> None:
    scenario = await set_up(platform)
    asked = await asyncio.gather(
        *(platform.ok(*scenario.person, EXPORT_MINE, key=None) for _ in range(8)),
        *(platform.ok(*scenario.person, EXPORT_MINE, key="one-export") for _ in range(6)),
        *(platform.ok(*ADMIN, EXPORT_PARTICIPANT, id=scenario.participant) for _ in range(4)),
    )
    exports = [next(iter(a.values())) for a in asked]
    assert all(e["__typename"] == "DataExport" for e in exports), exports
    keyed = {e["id"] for e in exports[8:14]}
    assert len(keyed) == 1
    assert len({e["id"] for e in exports}) == 8 + 1 + 4
    done = await asyncio.gather(
        *(
            complete(platform, ADMIN if e["scope"] == "PARTICIPATION" else scenario.person, e["id"])
            for e in {e["id"]: e for e in exports}.values()
        )
    )
    for export in done:
        assert len(export["parts"]) == 3, export
        owner = ADMIN if export["scope"] == "PARTICIPATION" else scenario.person
        files = unzip(await download(platform, owner, export["downloadPath"]))
        assert json.loads(files["progress.json"])["export_id"] == export["id"]


HOSTILE_IDS = ["../../etc", "a" * 200, "x\u0000y", "pt_ unknown", "é", ".", "a/b"]


async def test_hostile_ids_are_refused_with_a_code(platform: Platform) -> None:
    scenario = await set_up(platform)
    for bad in HOSTILE_IDS:
        for query, field in ((STATUS, "dataExport"), (EXPORT_PARTICIPANT, "exportParticipantData")):
            response = await platform.http.post(
                "/graphql",
                json={"query": query, "variables": {"id": bad}},
                headers={"Authorization": f"Bearer {platform.token(ADMIN[0], *ADMIN[1])}"},
            )
            body = response.json()
            if response.status_code == 400:  # refused before the operation runs (NUL)
                assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST", body
                continue
            assert response.status_code == 200, response.text
            if body.get("errors"):
                assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
            else:
                assert body["data"][field]["__typename"] in ("NotFound", "ValidationError"), body
    unknown = await platform.ok(*ADMIN, EXPORT_PARTICIPANT, id="pt_unknown")
    assert unknown["exportParticipantData"]["__typename"] == "NotFound"
    missing = await platform.ok(*ADMIN, STATUS, id="dx_unknown")
    assert missing["dataExport"]["__typename"] == "NotFound"
    lone = await platform.http.post(
        "/graphql",
        content=b'{"query": "query($id: ID!) { dataExport(id: $id) { __typename } }", '
        b'"variables": {"id": "\\ud800"}}',
        headers={
            "Authorization": f"Bearer {platform.token(scenario.person[0], *scenario.person[1])}",
            "Content-Type": "application/json",
        },
    )
    assert lone.status_code == 400
    assert "BAD_REQUEST" in lone.text
    token = {"Authorization": f"Bearer {platform.token(scenario.person[0], *scenario.person[1])}"}
    for path in (
        "/data-exports/%2e%2e.zip",
        f"/data-exports/{'a' * 300}.zip",
        "/data-exports/x%00y.zip",
        "/data-exports/%C3%A9.zip",
        "/data-exports/dx_unknown.zip",
    ):
        response = await platform.http.get(path, headers=token)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert response.json()["error"]["code"] in ("BAD_USER_INPUT", "NOT_FOUND"), path


async def test_an_export_asked_while_notify_is_down_completes_when_it_comes_back(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
    topic_prefix: str,
) -> None:
    """Notify's API runs, its worker does not: the export waits with two parts; a notify
    worker started afterwards reads the request from its topic and the export completes."""
    async with running_platform(
        kafka_bootstrap,
        mongo_url,
        mongo_client,
        mongo_db,
        topic_prefix,
        notify_settings={"role": "api"},
    ) as platform:
        suffix = uuid.uuid4().hex[:10]
        person = (f"u-person-{suffix}", ("mentee",))
        email = f"back.{suffix}@example.org"
        program = await _program(platform, ADMIN, "Export while notify is down")
        await _register(platform, person, False, profile(program, f"Back {suffix}", email=email))
        asked = (await platform.ok(*person, EXPORT_MINE, key=None))["exportMyData"]

        async def two_parts_in() -> bool:
            seen = (await platform.ok(*person, STATUS, id=asked["id"]))["dataExport"]
            return {p["service"] for p in seen["parts"]} == {"MENTORING", "PROGRESS"}

        await eventually(two_parts_in, timeout=EXPORT_SECONDS)
        pending = (await platform.ok(*person, STATUS, id=asked["id"]))["dataExport"]
        assert (pending["status"], pending["downloadPath"]) == ("PENDING", None)

        worker = notify_app(
            settings_for(
                NotifySettings,
                kafka=kafka_bootstrap,
                mongo_url=mongo_url,
                database=f"{mongo_db.name}_n",
                topic_prefix=topic_prefix,
                role="worker",
                consumer_retry_base_seconds=0.05,
            )
        )
        async with worker.router.lifespan_context(worker):
            export = await complete(platform, person, asked["id"])
        files = unzip(await download(platform, person, export["downloadPath"]))
        notify = json.loads(files["notify.json"])
        # what notify holds once back depends on how far its other consumers caught up
        assert (notify["service"], notify["export_id"]) == ("notify", asked["id"])
        assert set(notify["sections"]) == {
            "directory",
            "notifications",
            "deliveries",
            "preferences",
        }
        assert email in files["mentoring.json"]
