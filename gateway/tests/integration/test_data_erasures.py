"""Erasures of a person's data through the gateway, on the real services, Kafka and MongoDB:
mentoring's side (the request, its audit record, mentoring's own erasure, and the count of every
service's report).

The scenario: program A (run by an admin and a co-admin) where Grace mentors a person with a
name and e-mail of their own (made for each test, with letters outside ASCII), who asked for a
copy of their data; another mentee in A; program B, run by another admin. Progress's and
notify's own reports arrive as well; reports are also published here as those services publish
them, to see each counted once whatever their order and however often they come.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.service_layer.data_erasures import on_erasure_requested
from mentorship_contracts import new_envelope
from mentorship_contracts.events import (
    NotifyErasureDone,
    PersonalDataErasureRequested,
    ProgressErasureDone,
)
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.kafka import publish_envelope
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually, publishing_as
from mentorship_testing.personal_data import find_strings

from .conftest import (
    ACCEPT,
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
from .test_governance import WITHDRAW
from .test_program_report import REPORT

CO_ADMIN = ("u-co-admin", ("admin",))
ADMIN_B = ("u-admin-b", ("admin",))
OTHER_MENTEE = ("u-other-mentee", ("mentee",))
ERASURE_SECONDS = 60

ERASURE_FIELDS = """
    __typename
    ... on DataErasure {
      id status scope participantId programIds requestedBy requestedAt completedAt
      done { service doneAt counts { section records } }
    }
    ... on ValidationError { message problems { path message } }
    ... on NotFound { message kind id }
    ... on MutationError { message }
"""
ERASE_PARTICIPANT = f"""
mutation($id: ID!, $confirm: ID!, $key: String) {{
  eraseParticipant(participantId: $id, confirm: $confirm, idempotencyKey: $key) {{
    {ERASURE_FIELDS}
  }}
}}"""
ERASE_MINE = f"""
mutation($confirm: ID!) {{ eraseMyData(confirm: $confirm) {{ {ERASURE_FIELDS} }} }}"""
STATUS = f"query($id: ID!) {{ dataErasure(id: $id) {{ {ERASURE_FIELDS} }} }}"
EXPORT_MINE = "mutation { exportMyData { __typename ... on DataExport { id } } }"
EXPORT_STATUS = "query($id: ID!) { dataExport(id: $id) { ... on DataExport { status } } }"
SELF_ERASURE = """
mutation($program: ID!, $allowed: Boolean!) {
  updateProgram(programId: $program, input: {selfErasure: $allowed}) {
    __typename ... on Program { selfErasure } ... on MutationError { message }
  }
}"""
PROPOSE_ANOTHER = """
mutation($mentee: ID!, $mentor: ID!) {
  proposeMatch(menteeId: $mentee, mentorId: $mentor) {
    __typename ... on Match { id } ... on MutationError { message }
  }
}"""
LOG_SESSION = """
mutation($mentee: ID!, $on: Date!) {
  logSession(menteeId: $mentee, input: {heldOn: $on, durationMinutes: 40}) { __typename }
}"""
AUDIT_LOG = """
query($program: ID!) {
  auditLog(programId: $program, first: 50) {
    ... on AuditLog { nodes { actorId action objectKind objectId after } }
  }
}"""


@dataclass(frozen=True)
class Scenario:
    person: tuple[str, tuple[str, ...]]
    name: str
    email: str
    program_a: str
    program_b: str
    participant: str
    grace: str
    match: str
    other_mentee: str


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
    program_a = await _program(platform, ADMIN, "Erasure A")
    await add_program_admin(platform, ADMIN, program_a, CO_ADMIN[0])
    program_b = await _program(platform, ADMIN_B, "Erasure B")
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
        profile(
            program_a,
            name,
            email=email,
            managerId=f"u-manager-{suffix}",
            goals=[{"key": "purpose", "level": 3}],
        ),
    )
    other_mentee = await _register(platform, OTHER_MENTEE, False, profile(program_a, "Otto"))
    proposed = (await platform.ok(*ADMIN, PROPOSE, mentee=participant, mentor=grace))[
        "proposeMatch"
    ]
    accepted = (await platform.ok(*GRACE, ACCEPT, id=proposed["id"]))["acceptMatch"]
    assert accepted["__typename"] == "Match", accepted
    exported = (await platform.ok(*person, EXPORT_MINE))["exportMyData"]

    async def exported_complete() -> bool:
        seen = await platform.ok(*person, EXPORT_STATUS, id=exported["id"])
        return bool(seen["dataExport"]["status"] == "COMPLETE")

    await eventually(exported_complete, timeout=ERASURE_SECONDS)
    return Scenario(
        person,
        name,
        email,
        program_a,
        program_b,
        participant,
        grace,
        str(proposed["id"]),
        other_mentee,
    )


def mentoring_db(client: AsyncMongoClient[Document], db: AsyncDatabase[Document]) -> Any:
    return client[f"{db.name}_m"]


async def found_in(database: Any, *needles: str) -> list[tuple[str, Any, str]]:
    """Every (collection, document id, needle) where a document of any collection holds one of
    ``needles`` anywhere in it, case ignored."""
    return [(f.collection, f.document_id, f.needle) for f in await find_strings(database, needles)]


async def mentoring_done(
    platform: Platform, who: tuple[str, tuple[str, ...]], erasure_id: str
) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def done() -> bool:
        seen.update((await platform.ok(*who, STATUS, id=erasure_id))["dataErasure"])
        return "MENTORING" in {d["service"] for d in seen.get("done", [])}

    await eventually(done, timeout=ERASURE_SECONDS)
    return seen


def mentorings_report(erasure: dict[str, Any]) -> dict[str, Any]:
    """Mentoring's report among those an erasure shows (progress's and notify's come too)."""
    return next(d for d in erasure["done"] if d["service"] == "MENTORING")


async def erased_records(
    platform: Platform,
    program: str,
    action: str = "DATA_ERASED",
    reader: tuple[str, tuple[str, ...]] = ADMIN,
) -> list[dict[str, Any]]:
    trail = (await platform.ok(*reader, AUDIT_LOG, program=program))["auditLog"]
    return [n for n in trail["nodes"] if n["action"] == action]


async def test_an_erased_participant_is_found_nowhere_in_mentoring_and_the_erasure_completes(
    platform: Platform,
    kafka_bootstrap: str,
    topic_prefix: str,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    scenario = await set_up(platform)
    database = mentoring_db(mongo_client, mongo_db)
    assert {n for _, _, n in await found_in(database, scenario.name, scenario.email)} == {
        scenario.name,
        scenario.email,
    }, "the search finds the person before the erasure"

    asked = (
        await platform.ok(
            *ADMIN, ERASE_PARTICIPANT, id=scenario.participant, confirm=scenario.participant
        )
    )["eraseParticipant"]
    assert asked["__typename"] == "DataErasure", asked
    assert (asked["status"], asked["scope"], asked["participantId"], asked["requestedBy"]) == (
        "PENDING",
        "PARTICIPATION",
        scenario.participant,
        ADMIN[0],
    )
    erasure = await mentoring_done(platform, ADMIN, asked["id"])
    [mentoring] = [d for d in erasure["done"] if d["service"] == "MENTORING"]
    counts = {c["section"]: c["records"] for c in mentoring["counts"]}
    assert counts == {
        "participations": 1,
        "withdrawals": 1,
        "matches": 1,
        "provisioned_accounts": 0,
        "data_exports": 1,
    }

    manager = "u-manager-" + scenario.person[0].removeprefix("u-person-")
    assert await found_in(database, scenario.name, scenario.email, manager) == []
    kept = await database["participants"].find_one({"_id": scenario.participant})
    assert (kept["display_name"], kept["email"], kept["status"], kept["manager_id"]) == (
        "Former participant",
        "",
        "withdrawn",
        None,
    )
    match = await database["matches"].find_one({"_id": scenario.match})
    assert (match["status"], match["mentee"]["name"], match["mentee_id"], match["reason"]) == (
        "ended_early",
        "Former participant",
        scenario.participant,
        None,
    )
    mentor = await database["participants"].find_one({"_id": scenario.grace})
    assert mentor["open_matches"] == [], "the mentor's place is free"

    async def recorded() -> bool:
        return bool(await erased_records(platform, scenario.program_a))

    await eventually(recorded, timeout=30)
    [withdrawal] = await erased_records(platform, scenario.program_a, "PARTICIPANT_WITHDRAWN")
    assert (withdrawal["actorId"], withdrawal["objectId"]) == (ADMIN[0], scenario.participant)
    [record] = await erased_records(platform, scenario.program_a)
    assert (record["actorId"], record["objectKind"], record["objectId"]) == (
        ADMIN[0],
        "DATA_ERASURE",
        asked["id"],
    )
    assert record["after"] == {
        "scope": "participation",
        "user_id": scenario.person[0],
        "participant_id": scenario.participant,
    }

    # the other services' reports (their own, and the same again here, in either order and twice
    # each) complete it once, each service counted once
    async with publishing_as(kafka_bootstrap, topic_prefix, "notify", "test-erasure") as broker:
        now = datetime.now(UTC)
        reports = [
            (Topic.NOTIFY_DATA_REQUESTS, NotifyErasureDone, "notify", {"notifications": 2}),
            (Topic.PROGRESS_DATA_REQUESTS, ProgressErasureDone, "progress", {"check_ins": 1}),
        ]
        for topic, kind, service, reported in [*reports, *reversed(reports)]:
            event = kind(erasure_id=asked["id"], service=service, counts=reported, done_at=now)
            envelope = new_envelope(event, producer=service)
            await publish_envelope(broker, topic_name(topic, topic_prefix), envelope)

    async def complete() -> bool:
        seen = (await platform.ok(*CO_ADMIN, STATUS, id=asked["id"]))["dataErasure"]
        erasure.update(seen)
        return bool(seen["status"] == "COMPLETE")

    await eventually(complete, timeout=ERASURE_SECONDS)
    assert erasure["completedAt"] is not None
    assert sorted(d["service"] for d in erasure["done"]) == ["MENTORING", "NOTIFY", "PROGRESS"]
    assert len(mentorings_report(erasure)["counts"]) == 5

    # asked again (the person is erased already): nothing more to do, and still done
    again = (
        await platform.ok(
            *CO_ADMIN, ERASE_PARTICIPANT, id=scenario.participant, confirm=scenario.participant
        )
    )["eraseParticipant"]
    assert again["__typename"] == "DataErasure", again
    repeated = await mentoring_done(platform, CO_ADMIN, again["id"])
    [again_mentoring] = [d for d in repeated["done"] if d["service"] == "MENTORING"]
    assert {c["section"]: c["records"] for c in again_mentoring["counts"]} == {
        "participations": 0,
        "withdrawals": 0,
        "matches": 0,
        "provisioned_accounts": 0,
        "data_exports": 0,
    }


async def test_only_admins_of_the_program_erase_a_participant_and_the_person_their_own(
    platform: Platform,
) -> None:
    scenario = await set_up(platform)
    refused = {}
    for name, who in {
        "person": scenario.person,
        "admin of B": ADMIN_B,
        "mentor": GRACE,
        "other mentee": OTHER_MENTEE,
    }.items():
        answer = await platform.ok(
            *who, ERASE_PARTICIPANT, id=scenario.participant, confirm=scenario.participant
        )
        refused[name] = answer["eraseParticipant"]["__typename"]
    assert set(refused.values()) == {"Forbidden"}, refused
    anonymous = await platform.http.post(
        "/graphql",
        json={
            "query": ERASE_PARTICIPANT,
            "variables": {"id": scenario.participant, "confirm": scenario.participant},
        },
    )
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # the person may not erase their own data while their program does not allow it
    mine = (await platform.ok(*scenario.person, ERASE_MINE, confirm=scenario.person[0]))[
        "eraseMyData"
    ]
    assert mine["__typename"] == "Forbidden", mine
    allowed = await platform.ok(*CO_ADMIN, SELF_ERASURE, program=scenario.program_a, allowed=True)
    assert allowed["updateProgram"] == {"__typename": "Program", "selfErasure": True}
    not_theirs = await platform.ok(
        *ADMIN_B, SELF_ERASURE, program=scenario.program_a, allowed=False
    )
    assert not_theirs["updateProgram"]["__typename"] == "Forbidden"
    idle = ("u-idle-admin", ("admin",))
    nothing = (await platform.ok(*idle, ERASE_MINE, confirm=idle[0]))["eraseMyData"]
    assert nothing["__typename"] == "NotFound", "an admin in no program, running none"
    slip = (await platform.ok(*scenario.person, ERASE_MINE, confirm=GRACE[0]))["eraseMyData"]
    assert slip["__typename"] == "ValidationError", slip
    assert slip["problems"][0]["path"] == ["confirm"]
    own = (await platform.ok(*scenario.person, ERASE_MINE, confirm=scenario.person[0]))[
        "eraseMyData"
    ]
    assert (own["__typename"], own["scope"], own["programIds"]) == (
        "DataErasure",
        "PERSON",
        [scenario.program_a],
    )
    by_co_admin = (
        await platform.ok(
            *CO_ADMIN, ERASE_PARTICIPANT, id=scenario.participant, confirm=scenario.participant
        )
    )["eraseParticipant"]
    assert by_co_admin["__typename"] == "DataErasure", by_co_admin
    await mentoring_done(platform, CO_ADMIN, by_co_admin["id"])

    for erasure_id in (own["id"], by_co_admin["id"]):
        seen = {}
        for name, who in {
            "person": scenario.person,
            "admin": ADMIN,
            "co-admin": CO_ADMIN,
            "admin of B": ADMIN_B,
            "mentor": GRACE,
            "other mentee": OTHER_MENTEE,
        }.items():
            seen[name] = (await platform.ok(*who, STATUS, id=erasure_id))["dataErasure"][
                "__typename"
            ]
        assert seen == {
            "person": "DataErasure",
            "admin": "DataErasure",
            "co-admin": "DataErasure",
            "admin of B": "NotFound",
            "mentor": "NotFound",
            "other mentee": "NotFound",
        }, (erasure_id, seen)
    anonymous = await platform.http.post(
        "/graphql", json={"query": STATUS, "variables": {"id": own["id"]}}
    )
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    async def both_recorded() -> bool:
        return len(await erased_records(platform, scenario.program_a)) == 2

    await eventually(both_recorded, timeout=30)
    actors = sorted(r["actorId"] for r in await erased_records(platform, scenario.program_a))
    assert actors == sorted([CO_ADMIN[0], scenario.person[0]])
    assert await erased_records(platform, scenario.program_b, reader=ADMIN_B) == []
    [withdrawal] = await erased_records(platform, scenario.program_a, "PARTICIPANT_WITHDRAWN")
    assert withdrawal["actorId"] in (CO_ADMIN[0], scenario.person[0])


async def test_a_confirmation_that_does_not_repeat_the_id_erases_nothing(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    scenario = await set_up(platform)
    for confirm in (scenario.grace, scenario.person[0], scenario.participant.upper(), "x"):
        slip = (
            await platform.ok(*ADMIN, ERASE_PARTICIPANT, id=scenario.participant, confirm=confirm)
        )["eraseParticipant"]
        assert slip["__typename"] == "ValidationError", slip
        assert slip["problems"][0]["path"] == ["confirm"]
    database = mentoring_db(mongo_client, mongo_db)
    assert await database["data_erasures"].count_documents({}) == 0
    kept = await database["participants"].find_one({"_id": scenario.participant})
    assert (kept["display_name"], kept["status"]) == (scenario.name, "active")


async def test_concurrent_erasures_of_one_person_each_complete_mentorings_part_once(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    scenario = await set_up(platform)

    def erase(who: tuple[str, tuple[str, ...]], key: str | None) -> Any:
        return platform.ok(
            *who, ERASE_PARTICIPANT, id=scenario.participant, confirm=scenario.participant, key=key
        )

    asked = await asyncio.gather(
        *(erase(ADMIN, "one-erasure") for _ in range(6)),
        *(erase(ADMIN, None) for _ in range(4)),
        *(erase(CO_ADMIN, None) for _ in range(4)),
    )
    erasures = [a["eraseParticipant"] for a in asked]
    assert all(e["__typename"] == "DataErasure" for e in erasures), erasures
    assert len({e["id"] for e in erasures[:6]}) == 1, "one key makes one erasure"
    ids = {e["id"] for e in erasures}
    assert len(ids) == 1 + 4 + 4
    done = await asyncio.gather(*(mentoring_done(platform, ADMIN, i) for i in ids))
    totals: dict[str, int] = {}
    for erasure in done:
        for count in mentorings_report(erasure)["counts"]:
            totals[count["section"]] = totals.get(count["section"], 0) + count["records"]
    assert totals["withdrawals"] == 1, "one erasure withdrew the participant, the others found it"
    database = mentoring_db(mongo_client, mongo_db)
    assert await database["erasures_done"].count_documents({}) == len(ids)
    assert await found_in(database, scenario.name, scenario.email) == []
    withdrawn = await database["participants"].find_one({"_id": scenario.participant})
    assert withdrawn["status"] == "withdrawn"

    async def all_recorded() -> bool:
        return len(await erased_records(platform, scenario.program_a)) == len(ids)

    await eventually(all_recorded, timeout=30)
    ended = await erased_records(platform, scenario.program_a, "PARTICIPANT_WITHDRAWN")
    assert len(ended) == 1, ended


HOSTILE_IDS = ["../../etc", "a" * 200, "x\u0000y", "pt_ unknown", "é", ".", "a/b"]


async def test_hostile_ids_are_refused_with_a_code(platform: Platform) -> None:
    scenario = await set_up(platform)
    token = {"Authorization": f"Bearer {platform.token(ADMIN[0], *ADMIN[1])}"}
    attempts: list[tuple[str, dict[str, Any], str]] = []
    for bad in HOSTILE_IDS:
        attempts += [
            (STATUS, {"id": bad}, "dataErasure"),
            (ERASE_PARTICIPANT, {"id": bad, "confirm": bad}, "eraseParticipant"),
            (ERASE_PARTICIPANT, {"id": scenario.participant, "confirm": bad}, "eraseParticipant"),
            (ERASE_MINE, {"confirm": bad}, "eraseMyData"),
        ]
    for query, variables, field in attempts:
        response = await platform.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=token
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
    missing = await platform.ok(*ADMIN, STATUS, id="de_unknown")
    assert missing["dataErasure"]["__typename"] == "NotFound"
    unknown = await platform.ok(*ADMIN, ERASE_PARTICIPANT, id="pt_unknown", confirm="pt_unknown")
    assert unknown["eraseParticipant"]["__typename"] == "NotFound"
    lone = await platform.http.post(
        "/graphql",
        content=b'{"query": "mutation($c: ID!) { eraseMyData(confirm: $c) { __typename } }", '
        b'"variables": {"c": "\\ud800"}}',
        headers={**token, "Content-Type": "application/json"},
    )
    assert lone.status_code == 400
    assert "BAD_REQUEST" in lone.text


async def test_a_redelivered_request_erases_nothing_more_and_is_announced_once(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    """Mentoring's handler run again on the same request (a redelivery, several at once, as
    after a rebalance) finds nothing to change and writes its report once."""
    scenario = await set_up(platform)
    asked = (
        await platform.ok(
            *ADMIN, ERASE_PARTICIPANT, id=scenario.participant, confirm=scenario.participant
        )
    )["eraseParticipant"]
    first = await mentoring_done(platform, ADMIN, asked["id"])
    database = mentoring_db(mongo_client, mongo_db)
    kept = await database["erasures_done"].find_one({"_id": asked["id"]})

    transport = platform.transports["mentoring"].inner
    assert isinstance(transport, httpx.ASGITransport)
    context = transport.app.state.data_erasures  # type: ignore[attr-defined]
    request = new_envelope(
        PersonalDataErasureRequested(
            erasure_id=asked["id"],
            subject_user_id=scenario.person[0],
            participant_ids=[scenario.participant],
            program_ids=[scenario.program_a],
            scope="participation",
            requested_by=ADMIN[0],
            requested_at=datetime.fromisoformat(asked["requestedAt"]),
        ),
        producer="mentoring",
    )
    await asyncio.gather(*(on_erasure_requested(request, context(None)) for _ in range(4)))

    assert await database["erasures_done"].count_documents({"_id": asked["id"]}) == 1
    again = await database["erasures_done"].find_one({"_id": asked["id"]})
    reported = {c["section"]: c["records"] for c in mentorings_report(first)["counts"]}
    assert again["counts"] == kept["counts"] == reported
    assert (reported["participations"], reported["withdrawals"]) == (1, 1)
    assert await found_in(database, scenario.name, scenario.email) == []
    participant = await database["participants"].find_one({"_id": scenario.participant})
    assert participant["status"] == "withdrawn"


async def test_a_person_who_runs_a_program_keeps_running_it_under_their_account_alone(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    scenario = await set_up(platform)
    person = scenario.person[0]
    admins = await add_program_admin(
        platform, ADMIN_B, scenario.program_b, person, name=scenario.name, email=scenario.email
    )
    assert person in admins
    allowed = await platform.ok(*ADMIN, SELF_ERASURE, program=scenario.program_a, allowed=True)
    assert allowed["updateProgram"]["selfErasure"] is True

    own = (await platform.ok(*scenario.person, ERASE_MINE, confirm=person))["eraseMyData"]
    assert (own["__typename"], own["scope"]) == ("DataErasure", "PERSON"), own
    done = await mentoring_done(platform, ADMIN, own["id"])

    counts = {
        c["section"]: c["records"]
        for d in done["done"]
        if d["service"] == "MENTORING"
        for c in d["counts"]
    }
    assert counts["admin_entries"] == 1
    database = mentoring_db(mongo_client, mongo_db)
    program = await database["programs"].find_one({"_id": scenario.program_b})
    assert program is not None
    [entry] = [a for a in program["admins"] if a["user_id"] == person]
    assert "display_name" not in entry or entry["display_name"] is None
    assert "email" not in entry or entry["email"] is None
    assert await found_in(database, scenario.name, scenario.email) == []


async def test_an_admin_in_no_program_erases_their_name_from_the_programs_they_run(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    suffix = uuid.uuid4().hex[:10]
    runner = (f"u-runner-{suffix}", ("admin",))
    name, email = f"Renée Ørsted-{suffix}", f"renee.{suffix}@example.org"
    program = await _program(platform, ADMIN_B, "Erasure of an admin")
    await add_program_admin(platform, ADMIN_B, program, runner[0], name=name, email=email)

    own = (await platform.ok(*runner, ERASE_MINE, confirm=runner[0]))["eraseMyData"]
    assert (own["__typename"], own["scope"], own["programIds"]) == (
        "DataErasure",
        "PERSON",
        [program],
    ), own

    async def complete() -> bool:
        seen = (await platform.ok(*runner, STATUS, id=own["id"]))["dataErasure"]
        own.update(seen)
        return bool(seen["status"] == "COMPLETE")

    await eventually(complete, timeout=ERASURE_SECONDS)
    counts = {c["section"]: c["records"] for c in mentorings_report(own)["counts"]}
    assert (counts["participations"], counts["admin_entries"]) == (0, 1)
    database = mentoring_db(mongo_client, mongo_db)
    assert await found_in(database, name, email) == []
    stored = await database["programs"].find_one({"_id": program})
    assert stored is not None
    assert runner[0] in stored["admin_ids"], "they still run it"

    async def recorded() -> bool:
        return bool(await erased_records(platform, program, reader=ADMIN_B))

    await eventually(recorded, timeout=30)
    [record] = await erased_records(platform, program, reader=ADMIN_B)
    assert (record["actorId"], record["after"]) == (
        runner[0],
        {"scope": "person", "user_id": runner[0]},
    )


async def test_an_erasure_changes_no_figure_of_the_report_and_no_earlier_audit_record(
    platform: Platform,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    """The person checked in and met Grace, then withdrew (their match ended early); Otto is
    Grace's mentee now. Erasing the person afterwards leaves every figure as it was: the funnel,
    time to match, mentors' load, weekly counts, confidence and sessions per active match; and
    the audit records written before it, which name people by id only."""
    scenario = await set_up(platform)
    person, otto = scenario.participant, scenario.other_mentee
    today = datetime.now(UTC).date().isoformat()
    for who, mentee in ((scenario.person, person), (OTHER_MENTEE, otto)):
        if mentee == otto:
            proposed = (
                await platform.ok(*ADMIN, PROPOSE_ANOTHER, mentee=otto, mentor=scenario.grace)
            )["proposeMatch"]
            accepted = (await platform.ok(*GRACE, ACCEPT, id=proposed["id"]))["acceptMatch"]
            assert accepted["status"] == "ACTIVE", accepted
        checked = await platform.ok(*who, CHECK_IN, mentee=mentee, confidence=3)
        assert checked["recordCheckIn"]["__typename"] == "MenteeProgress", checked
        logged = await platform.ok(*GRACE, LOG_SESSION, mentee=mentee, on=today)
        assert logged["logSession"]["__typename"] == "MenteeProgress", logged
        if mentee == person:
            left = await platform.ok(*scenario.person, WITHDRAW, participant=person)
            assert left["withdrawParticipant"]["status"] == "WITHDRAWN", left

    period: dict[str, Any] = {
        "program": scenario.program_a,
        "from": (datetime.now(UTC).date() - timedelta(days=7)).isoformat(),
        "to": today,
    }
    marks = mongo_client[f"{mongo_db.name}_p"]["report_weeks"]
    before: dict[str, Any] = {}

    async def settled() -> bool:
        """Progress has read all of it: the person's stop, check-in and session, Otto's."""
        theirs = await marks.find_one({"_id": f"{scenario.program_a}|{person}"})
        weeks = (theirs or {}).get("weeks", {}).values()
        stopped = any(w.get("state") == "~stopped" and w.get("sessions") for w in weeks)
        report = (await platform.ok(*ADMIN, REPORT, **period))["programReport"]
        before.clear()
        before.update(report)
        return stopped and report["sessionsInActiveMatches"] == 1 and report["activeMatches"] == 1

    await eventually(settled, timeout=ERASURE_SECONDS)
    assert [s["count"] for s in before["funnel"]] == [2, 2, 2, 1, 0]
    assert before["timeToMatch"]["matched"] == 2
    assert [(m["mentorId"], m["active"]) for m in before["mentors"]] == [(scenario.grace, 1)]
    assert before["confidence"][0]["mentees"] == 2
    assert sum(s["count"] for s in before["weeks"][-1]["byStatus"]) == 2, "both, this week"

    trail = mentoring_db(mongo_client, mongo_db)["audit_log"]

    async def withdrawal_recorded() -> bool:
        return bool(await erased_records(platform, scenario.program_a, "PARTICIPANT_WITHDRAWN"))

    await eventually(withdrawal_recorded, timeout=30)
    recorded = {d["_id"]: d async for d in trail.find({"program_id": scenario.program_a})}
    assert "participant_withdrawn" in {d["action"] for d in recorded.values()}
    assert scenario.name not in repr(recorded)
    assert scenario.email not in repr(recorded)

    asked = (await platform.ok(*ADMIN, ERASE_PARTICIPANT, id=person, confirm=person))[
        "eraseParticipant"
    ]
    assert asked["__typename"] == "DataErasure", asked

    async def complete() -> bool:
        seen = (await platform.ok(*ADMIN, STATUS, id=asked["id"]))["dataErasure"]
        return bool(seen["status"] == "COMPLETE") and bool(
            await erased_records(platform, scenario.program_a)
        )

    await eventually(complete, timeout=ERASURE_SECONDS)
    after = (await platform.ok(*ADMIN, REPORT, **period))["programReport"]
    assert {k: v for k, v in after.items() if k != "csvPath"} == {
        k: v for k, v in before.items() if k != "csvPath"
    }
    # the audit trail held ids only: the erasure added its record and changed none before it
    now = {d["_id"]: d async for d in trail.find({"program_id": scenario.program_a})}
    assert {i: d for i, d in now.items() if i in recorded} == recorded
    assert [d["action"] for i, d in now.items() if i not in recorded] == ["data_erased"]
