"""Export requests on the real Kafka broker and MongoDB server: the request announced without
personal data, mentoring's part built once however often the request arrives, and the export
completed once, whatever the order and the repeats of the three parts' reports."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

from mentoring.service_layer.data_exports import on_export_requested, on_part_ready
from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import (
    MentoringExportPartReady,
    NotifyExportPartReady,
    PersonalDataExportRequested,
    ProgressExportPartReady,
)
from mentorship_contracts.topics import Topic, topic_name
from mentorship_testing.kafka import read_topic

from .conftest import MentoringApi

NAME, EMAIL = "Zoé Unique-7f3a", "zoe.unique.7f3a@example.org"


def _ready(kind: Any, service: str, export_id: str, at: Any) -> Envelope[Any]:
    payload = kind(
        export_id=export_id,
        service=service,
        counts={"records": 1},
        ready_at=at,
        expires_at=at + timedelta(days=1),
    )
    return new_envelope(payload, producer=service)


async def test_an_export_completes_once_whatever_the_order_and_repeats_of_its_parts(
    api: MentoringApi,
) -> None:
    program = await api.program()
    mentee = await api.register(program["id"], "u-zoe", "mentee", display_name=NAME, email=EMAIL)
    asked = await api.call("POST", "/data-exports", "u-zoe", "mentee", json={})
    assert asked.status_code == 201, asked.text
    export = asked.json()
    assert (export["status"], export["scope"], export["participant_ids"]) == (
        "pending",
        "person",
        [mentee["id"]],
    )

    [requested] = await api.events(Topic.MENTORING_DATA_REQUESTS, 1)
    assert isinstance(requested.data, PersonalDataExportRequested)
    wire = requested.model_dump_json()
    assert NAME not in wire
    assert EMAIL not in wire

    await asyncio.gather(
        *(on_export_requested(requested, api.service.export_context()) for _ in range(4))
    )
    published = await api.events(Topic.MENTORING_DATA_REQUESTS, 2)
    mine = [e for e in published if isinstance(e.data, MentoringExportPartReady)]
    assert len(mine) == 1, "a redelivered request builds and announces the part once"
    assert NAME not in mine[0].model_dump_json()

    now = api.clock()
    reports = [
        *[mine[0]] * 3,
        *[_ready(ProgressExportPartReady, "progress", export["id"], now)] * 4,
        *[_ready(NotifyExportPartReady, "notify", export["id"], now)] * 4,
    ]
    random.Random(7).shuffle(reports)
    await asyncio.gather(*(on_part_ready(e, api.service.export_context()) for e in reports))
    status = await api.call("GET", f"/data-exports/{export['id']}", "u-zoe", "mentee")
    done = status.json()
    assert done["status"] == "complete", done
    assert [p["service"] for p in done["parts"]] == ["mentoring", "notify", "progress"]

    await on_part_ready(
        _ready(NotifyExportPartReady, "notify", export["id"], now), api.service.export_context()
    )
    again = (await api.call("GET", f"/data-exports/{export['id']}", "u-zoe", "mentee")).json()
    assert again["completed_at"] == done["completed_at"], "a late repeat changes nothing"


async def test_mentorings_part_is_read_by_the_person_and_their_programs_admins_alone(
    api: MentoringApi,
) -> None:
    program = await api.program()
    mentee = await api.register(program["id"], "u-zoe", "mentee", display_name=NAME, email=EMAIL)
    await api.register(program["id"], "u-max", "mentee")
    asked = await api.call(
        "POST", "/data-exports", "admin", "admin", json={"participant_id": mentee["id"]}
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["scope"] == "participation"
    [requested] = await api.events(Topic.MENTORING_DATA_REQUESTS, 1)
    await on_export_requested(requested, api.service.export_context())

    part_path = f"/data-exports/{asked.json()['id']}/part"
    for user, role, status in (
        ("u-zoe", "mentee", 200),
        ("admin", "admin", 200),
        ("u-max", "mentee", 404),
        ("admin", "mentee", 404),  # the admin role is needed as well
        ("u-other-admin", "admin", 404),
    ):
        answer = await api.call("GET", part_path, user, role)
        assert answer.status_code == status, (user, role, answer.text)
    part = (await api.call("GET", part_path, "u-zoe", "mentee")).json()
    [participation] = part["sections"]["participations"]
    assert (participation["display_name"], participation["email"]) == (NAME, EMAIL)
    assert "administered_programs" not in part["sections"], "an admin's export is one program's"

    for body, user, role, status in (
        ({"participant_id": mentee["id"]}, "u-max", "mentee", 403),
        ({"participant_id": mentee["id"]}, "u-other-admin", "admin", 403),
        ({"participant_id": "pt_nobody"}, "admin", "admin", 404),
        ({"participant_id": "../x"}, "admin", "admin", 422),
        ({"participant_id": "x" * 65}, "admin", "admin", 422),
        ({"participant_id": 7}, "admin", "admin", 422),
        ({"unknown": 1}, "admin", "admin", 422),
    ):
        answer = await api.call("POST", "/data-exports", user, role, json=body)
        assert answer.status_code == status, (body, user, answer.text)

    api.clock.advance(days=1)
    expired = await api.call("GET", f"/data-exports/{asked.json()['id']}", "u-zoe", "mentee")
    assert expired.json()["status"] == "expired"
    gone = await api.call("GET", part_path, "u-zoe", "mentee")
    assert gone.status_code == 404


async def test_a_key_used_again_answers_the_first_export_and_refuses_another_subject(
    api: MentoringApi,
) -> None:
    program = await api.program()
    zoe = await api.register(program["id"], "u-zoe", "mentee")
    max_ = await api.register(program["id"], "u-max", "mentee")
    key = {"Idempotency-Key": "export-1"}

    async def ask(participant: str) -> Any:
        return await api.call(
            "POST",
            "/data-exports",
            "admin",
            "admin",
            json={"participant_id": participant},
            headers=key,
        )

    first, again = await asyncio.gather(ask(zoe["id"]), ask(zoe["id"]))
    assert first.json()["id"] == again.json()["id"]
    other = await ask(max_["id"])
    assert other.status_code == 409, other.text
    topic = topic_name(Topic.MENTORING_DATA_REQUESTS, api.settings.kafka_topic_prefix)
    announced = await read_topic(api.bootstrap, topic, until=lambda rs: False, timeout=1.5)
    assert len(announced) == 1, "one request, announced once"
