"""A person's data from registration to erasure, through the gateway, on the real services,
Kafka and MongoDB: everything they told the platform is in the archive of their export, and
after their erasure their name, e-mail address and note are found in no collection of any
service, and in Kafka only in the events docs/architecture.md says keep them until retention.

The person (a name and e-mail made for the test, with letters outside ASCII) registers in
program A, is matched with Grace, checks in with a note and is notified; they ask for a copy of
their data; then the program's admin erases them.
"""

from __future__ import annotations

import json
from typing import Any

from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually, read_topic
from mentorship_testing.personal_data import find_strings

from .conftest import ADMIN, Platform
from .test_data_erasures import ERASE_PARTICIPANT
from .test_data_erasures import STATUS as ERASURE_STATUS
from .test_data_exports import EXPORT_MINE, complete, download, set_up, unzip

ERASURE_SECONDS = 60
# Events that carry a person's name or e-mail address, and why (docs/architecture.md, "Personal
# data in events"): notify's directory is built from them; topics keep them 7 days (30 for
# dead letters).
NAMING_EVENTS = {
    "mentoring.participant.registered",
    "mentoring.participant.updated",
}


async def _kafka_holding(bootstrap: str, prefix: str, needles: list[str]) -> dict[str, set[str]]:
    """For each needle, the types of the events (on every topic of this test) that hold it."""
    lister = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await lister.start()
    try:
        topics = sorted(t for t in await lister.topics() if t.startswith(prefix))
    finally:
        await lister.stop()
    assert topics, "the test's topics"
    holding: dict[str, set[str]] = {needle: set() for needle in needles}
    for topic in topics:
        records = await read_topic(bootstrap, topic, until=lambda _: False, timeout=2)
        for record in records:
            text = (record.value or b"").decode("utf-8", errors="replace")
            try:  # escapes (\u00e9) written as the characters they stand for
                document = json.loads(text)
                kind = str(document.get("type"))
                text = json.dumps(document, ensure_ascii=False)
            except (ValueError, AttributeError):
                kind = f"unreadable on {topic}"
            for needle in needles:
                if needle.casefold() in text.casefold():
                    holding[needle].add(kind)
    return holding


async def test_an_exported_then_erased_person_is_found_nowhere_but_where_docs_say_why(
    platform: Platform,
    kafka_bootstrap: str,
    topic_prefix: str,
    mongo_client: AsyncMongoClient[Document],
    mongo_db: AsyncDatabase[Document],
) -> None:
    scenario = await set_up(platform)
    needles = [scenario.name, scenario.email, scenario.note]
    databases = {
        service: mongo_client[f"{mongo_db.name}_{suffix}"]
        for service, suffix in (("mentoring", "m"), ("progress", "p"), ("notify", "n"))
    }
    before = {s: {f.needle for f in await find_strings(db, needles)} for s, db in databases.items()}
    assert before["mentoring"] >= {scenario.name, scenario.email}, before
    assert scenario.note in before["progress"], before
    assert scenario.name in before["notify"], before

    # the export holds what each service knows of them
    asked = (await platform.ok(*scenario.person, EXPORT_MINE, key=None))["exportMyData"]
    export = await complete(platform, scenario.person, asked["id"])
    files = unzip(await download(platform, scenario.person, export["downloadPath"]))
    assert scenario.name in files["mentoring.json"]
    assert scenario.email in files["mentoring.json"]
    assert scenario.note in files["progress.json"]
    assert all(n in files["notify.json"] for n in scenario.notification_ids)

    # the admin erases them; every service says it is done
    erased = await platform.ok(
        *ADMIN, ERASE_PARTICIPANT, id=scenario.participant, confirm=scenario.participant, key=None
    )
    erasure = erased["eraseParticipant"]
    assert erasure["__typename"] == "DataErasure", erasure
    seen: dict[str, Any] = {}

    async def complete_erasure() -> bool:
        seen.update((await platform.ok(*ADMIN, ERASURE_STATUS, id=erasure["id"]))["dataErasure"])
        return seen.get("status") == "COMPLETE"

    await eventually(complete_erasure, timeout=ERASURE_SECONDS)
    assert {d["service"] for d in seen["done"]} == {"MENTORING", "PROGRESS", "NOTIFY"}

    for service, db in databases.items():
        left = await find_strings(db, needles)
        assert left == [], (service, [str(f) for f in left])

    holding = await _kafka_holding(kafka_bootstrap, topic_prefix, needles)
    assert holding[scenario.note] == set(), holding  # what a mentee writes never travels
    for needle in (scenario.name, scenario.email):
        assert holding[needle] <= NAMING_EVENTS, (needle, holding[needle])
    assert holding[scenario.email], "registration carried the address notify needs"
