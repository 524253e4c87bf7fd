"""A person's erasure in notify, over the real broker and database: their name and e-mail
address are found nowhere afterwards (a walk of every collection), the notifications others keep
name "a former participant" in the reader's language, the done event is published once whatever
the deliveries, an erasure that comes before the person leaves nothing to come back, and one
published while notify is down is done when it comes back."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import decode_event, new_envelope
from mentorship_contracts.events import (
    ConfidenceDropped,
    MatchAccepted,
    MatchProposed,
    ParticipantRegistered,
    PersonalDataErasureRequested,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually, read_topic
from mentorship_testing.personal_data import find_strings
from mentorship_testing.services import publish_events
from notify.service_layer import handlers
from notify.service_layer.context import Context
from notify.service_layer.erasures import on_erasure_requested

from .conftest import NotifyApi, running

PROGRAM_ID = "pg-er"
GRACE = ParticipantRegistered(
    participant_id="pt-grace-er",
    program_id=PROGRAM_ID,
    user_id="u-grace-er",
    roles=["mentor"],
    display_name="Grace",
    email="grace@example.org",
    language="fr",
    timezone="Europe/Paris",
)
PAIR: dict[str, Any] = {"mentee_id": "pt-zep", "mentor_id": "pt-grace-er", "program_id": PROGRAM_ID}


def person(name: str, email: str, participant_id: str = "pt-zep") -> ParticipantRegistered:
    return ParticipantRegistered(
        participant_id=participant_id,
        program_id=PROGRAM_ID,
        user_id=f"u-{participant_id}",
        roles=["mentee"],
        display_name=name,
        email=email,
    )


def program(name: str, email: str) -> ProgramPublished:
    return ProgramPublished(
        program_id=PROGRAM_ID,
        name="Pilot",
        status="open",
        learning_path_id="p",
        admins=[
            ProgramAdmin(user_id="u-admin-er", display_name="Admin"),
            ProgramAdmin(user_id="u-pt-zep", display_name=name, email=email),
        ],
    )


def erasure(erasure_id: str, participant_id: str = "pt-zep") -> PersonalDataErasureRequested:
    return PersonalDataErasureRequested(
        erasure_id=erasure_id,
        subject_user_id=f"u-{participant_id}",
        participant_ids=[participant_id],
        program_ids=[PROGRAM_ID],
        scope="person",
        requested_by="u-admin-er",
        requested_at=datetime(2026, 11, 3, tzinfo=UTC),
    )


def context(api: NotifyApi) -> Context:
    ctx: Context = api.app.state.service.context()
    return ctx


async def erased(api: NotifyApi, erasure_id: str) -> None:
    async def recorded() -> bool:
        return await api.db.erasures.find_one({"_id": erasure_id}) is not None

    await eventually(recorded, timeout=120)


async def done_events(api: NotifyApi, erasure_id: str, settle: float = 2.0) -> list[Any]:
    topic = topic_name(Topic.NOTIFY_DATA_REQUESTS, api.settings.kafka_topic_prefix)
    records = await read_topic(api.bootstrap, topic, until=lambda rs: False, timeout=settle)
    events = [decode_event(r.value) for r in records]
    return [
        e
        for e in events
        if e.type == "notify.personal_data.erasure_done" and e.data.erasure_id == erasure_id
    ]


async def count(api: NotifyApi, collection: str, query: dict[str, Any], at_least: int) -> None:
    async def enough() -> bool:
        return await api.db[collection].count_documents(query) >= at_least

    await eventually(enough, timeout=60)


async def test_an_erasure_leaves_neither_name_nor_address_and_rewords_what_others_keep(
    api: NotifyApi,
) -> None:
    mark = secrets.token_hex(4)
    name, email = f"Zéphyrine Q{mark}", f"zephyrine.{mark}@example.org"
    saved = await api.call(
        "PUT",
        "/preferences",
        "u-pt-zep",
        json={
            "channels": {"match.accepted": ["in_app", "webhook"]},
            "webhook_url": f"https://hooks.example.org/{mark}",
            "email": email,
        },
    )
    assert saved.status_code == 200, saved.text
    await api.publish(GRACE, person(name, email), program(name, email))
    await count(api, "people", {"_id": {"$in": ["pt-zep", "pt-grace-er"]}}, 2)
    await count(api, "programs", {"_id": PROGRAM_ID}, 1)
    expires = datetime(2026, 11, 20, tzinfo=UTC)
    await api.publish(
        MatchProposed(**PAIR, match_id="m-er", proposed_by="admin", expires_at=expires),
        MatchAccepted(**PAIR, match_id="m-er"),
        ConfidenceDropped(**PAIR, module_id="purpose", previous_confidence=4, confidence=2),
    )
    await count(api, "notifications", {"user_id": "u-grace-er"}, 2)
    await count(api, "notifications", {"user_id": "u-pt-zep"}, 1)
    await count(api, "weekly_digest_matches", {"mentee_id": "pt-zep"}, 1)
    before = await find_strings(api.db, [name, email])
    assert {f.collection for f in before} >= {"people", "programs", "notifications", "preferences"}
    others = await api.db.notifications.find({"user_id": "u-grace-er"}).to_list()

    await api.publish(erasure(f"er-{mark}"))
    await erased(api, f"er-{mark}")

    left = await find_strings(api.db, [name, email, f"hooks.example.org/{mark}"])
    assert left == [], "\n".join(map(str, left))
    kept = await api.db.notifications.find({"user_id": "u-grace-er"}).to_list()
    assert len(kept) == len(others)
    named = [n for n in others if name in n["body"] or name in n["title"]]
    assert named, "Grace's notifications did not name the person"
    assert all(
        "un ancien participant" in (n["title"] + n["body"]).lower()
        for n in kept
        if n["_id"] in {o["_id"] for o in named}
    )
    assert await api.db.notifications.count_documents({"user_id": "u-pt-zep"}) == 0
    assert await api.db.preferences.find_one({"_id": "u-pt-zep"}) is None
    entry = await api.db.people.find_one({"_id": "pt-zep"}, {"_id": 0, "version": 0, "_rev": 0})
    assert entry == {
        "program_id": PROGRAM_ID,
        "roles": ["mentee"],
        "erased": True,
        "withdrawn": True,
    }
    admins = (await api.db.programs.find_one({"_id": PROGRAM_ID}))["admins"]  # type: ignore[index]
    assert {"user_id": "u-pt-zep"} in admins
    [done] = await done_events(api, f"er-{mark}")
    assert done.data.counts["directory_entries"] == 1
    assert done.data.counts["preferences"] == 1
    assert done.data.counts["notifications"] >= 1
    assert done.data.counts["notifications_reworded"] == len(named)

    # a late registration of the person brings no name or address back
    await handlers.on_participant(new_envelope(person(name, email), producer="test"), context(api))
    assert await find_strings(api.db, [name, email]) == []


async def test_redelivered_and_concurrent_requests_publish_one_done_event(
    api: NotifyApi,
) -> None:
    await api.publish(person("Twice", "twice@example.org", "pt-twice"))
    await count(api, "people", {"_id": "pt-twice"}, 1)
    [event] = await api.publish(erasure("er-twice", "pt-twice"))
    await api.publish(again=event)
    await asyncio.gather(
        *(on_erasure_requested(event, api.app.state.service.erasure_context()) for _ in range(8))
    )
    await api.publish(again=event)
    await erased(api, "er-twice")

    assert len(await done_events(api, "er-twice", settle=3.0)) == 1
    assert await find_strings(api.db, ["twice@example.org"]) == []


async def test_an_erasure_before_the_person_is_known_leaves_nothing_to_come_back(
    api: NotifyApi,
) -> None:
    await api.publish(erasure("er-first", "pt-late"))
    await erased(api, "er-first")
    late = person("Latecomer Name", "late@example.org", "pt-late")
    await handlers.on_participant(new_envelope(late, producer="test"), context(api))

    entry = await api.db.people.find_one({"_id": "pt-late"})
    assert entry is not None
    assert entry["erased"] is True
    assert await find_strings(api.db, ["Latecomer Name", "late@example.org"]) == []


async def test_an_erasure_published_while_notify_is_down_is_done_when_it_comes_back(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> None:
    async with running(kafka_bootstrap, mongo_url, mongo_db, topic_prefix) as api:
        await api.publish(person("Outage Person", "outage@example.org", "pt-down"))
        await count(api, "people", {"_id": "pt-down"}, 1)
    # notify is down: the request waits in its topic
    await publish_events(
        kafka_bootstrap,
        topic_prefix,
        [new_envelope(erasure("er-down", "pt-down"), producer="mentoring")],
    )
    assert await mongo_db.erasures.find_one({"_id": "er-down"}) is None

    async with running(kafka_bootstrap, mongo_url, mongo_db, topic_prefix) as api:
        await erased(api, "er-down")
        assert len(await done_events(api, "er-down")) == 1

    assert await find_strings(mongo_db, ["Outage Person", "outage@example.org"]) == []
