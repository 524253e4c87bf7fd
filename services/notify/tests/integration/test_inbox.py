"""Events become notifications in the right inboxes, once, and reading them is announced."""

from __future__ import annotations

from typing import Any

import pytest

from mentorship_contracts import new_envelope
from mentorship_contracts.events import (
    ConfidenceDropped,
    ParticipantRegistered,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_testing.kafka import eventually
from notify.service_layer import handlers

from .conftest import NotifyApi

GRACE = ParticipantRegistered(
    participant_id="pt-grace",
    program_id="pg-1",
    user_id="u-grace",
    roles=["mentor"],
    display_name="Grace",
    email="grace@example.org",
    language="fr",
    timezone="Europe/Paris",
)
ADA = ParticipantRegistered(
    participant_id="pt-ada",
    program_id="pg-1",
    user_id="u-ada",
    roles=["mentee"],
    display_name="Ada",
    email="ada@example.org",
)
PROGRAM = ProgramPublished(
    program_id="pg-1",
    name="Pilot",
    status="open",
    learning_path_id="p",
    admins=[ProgramAdmin(user_id="u-admin", display_name="Admin")],
)
DROP = ConfidenceDropped(
    mentee_id="pt-ada",
    mentor_id="pt-grace",
    program_id="pg-1",
    module_id="purpose",
    previous_confidence=4,
    confidence=2,
)


async def introduce_everyone(api: NotifyApi) -> None:
    """Publish the directory events and wait until notify knows them: they travel on other
    topics than the alerts, so without waiting an alert may be planned before a name is known."""
    await api.publish(GRACE, ADA, PROGRAM)

    async def known() -> bool:
        people = await api.db.people.count_documents({})
        return people == 2 and await api.db.programs.count_documents({}) == 1

    await eventually(known, timeout=30)


async def inbox(api: NotifyApi, user: str, expected: int) -> dict[str, Any]:
    page: dict[str, Any] = {}

    async def arrived() -> bool:
        page.update((await api.call("GET", "/inbox", user)).json())
        return len(page["items"]) >= expected

    await eventually(arrived, timeout=30)
    return page


async def test_a_confidence_drop_reaches_the_mentors_inbox_in_their_language(
    api: NotifyApi,
) -> None:
    await introduce_everyone(api)
    [drop] = await api.publish(DROP)

    page = await inbox(api, "u-grace", 1)

    [note] = page["items"]
    assert note["priority"] == "high"
    assert note["subject_id"] == "pt-ada"
    assert "Ada" in note["body"]
    assert page["unread"] == 1
    assert (await api.call("GET", "/inbox", "u-ada")).json()["items"] == []
    [announced] = await api.announced()
    assert announced.type == "notify.notification.created"
    assert announced.key == "u-grace"
    assert announced.causation_id == str(drop.event_id)
    # the announcement names the notification; its texts, which name Ada, stay in notify
    assert announced.data.notification_id == note["id"]
    assert "Ada" not in announced.model_dump_json()
    one = await api.call("GET", f"/inbox/notifications/{note['id']}", "u-grace")
    assert one.status_code == 200, one.text
    assert one.json() == note
    assert (await api.call("GET", f"/inbox/notifications/{note['id']}", "u-ada")).status_code == 404
    assert (await api.call("GET", "/inbox/notifications/n-none", "u-grace")).status_code == 404
    hostile = await api.call("GET", "/inbox/notifications/a%00b", "u-grace")
    assert hostile.status_code == 422


async def test_an_event_delivered_twice_notifies_once(api: NotifyApi) -> None:
    await introduce_everyone(api)
    [drop] = await api.publish(DROP)
    await inbox(api, "u-grace", 1)

    await api.publish(again=drop)
    await api.publish(again=drop)

    assert len(await api.announced(settle=3)) == 1
    assert await api.db.notifications.count_documents({}) == 1


async def test_an_alert_about_someone_not_yet_known_waits_for_them(api: NotifyApi) -> None:
    await api.publish(DROP)
    await api.publish(PROGRAM, ADA)
    await api.publish(GRACE)

    page = await inbox(api, "u-grace", 1)

    assert page["items"][0]["subject_id"] == "pt-ada"
    assert "Ada" in page["items"][0]["title"]

    async def nothing_parked() -> bool:  # a replay may still be letting go of a parking
        return await api.db.parked_events.count_documents({}) == 0

    await eventually(nothing_parked, timeout=30)


async def test_reading_a_notification_is_announced_and_only_for_its_owner(api: NotifyApi) -> None:
    await introduce_everyone(api)
    await api.publish(DROP)
    [note] = (await inbox(api, "u-grace", 1))["items"]

    by_stranger = await api.call(
        "POST", "/inbox/read", "u-eve", json={"notification_ids": [note["id"]]}
    )
    by_owner = await api.call(
        "POST", "/inbox/read", "u-grace", json={"notification_ids": [note["id"]]}
    )
    again = await api.call(
        "POST", "/inbox/read", "u-grace", json={"notification_ids": [note["id"]]}
    )

    assert by_stranger.json()["marked"] == 0
    assert by_owner.json() == {"marked": 1, "unread": 0}
    assert again.json()["marked"] == 0
    kinds = [e.type for e in await api.announced()]
    assert kinds == ["notify.notification.created", "notify.notification.read"]


async def test_unread_counts_per_subject_are_the_callers_own(api: NotifyApi) -> None:
    await introduce_everyone(api)
    await api.publish(DROP, DROP.model_copy(update={"module_id": "rules"}))
    [first, _] = (await inbox(api, "u-grace", 2))["items"]

    async def announced() -> bool:
        return await api.db.notifications.count_documents({"_outbox_pending": True}) == 0

    await eventually(announced, timeout=30)

    def by_subject(user: str, *ids: str) -> Any:
        return api.call(
            "GET", "/inbox/unread-count/by-subject", user, params=[("subject_id", i) for i in ids]
        )

    before = await by_subject("u-grace", "pt-ada", "pt-nobody")
    await api.call("POST", "/inbox/read", "u-grace", json={"notification_ids": [first["id"]]})
    after = await by_subject("u-grace", "pt-ada")
    stranger = await by_subject("u-eve", "pt-ada")

    assert before.json() == {"counts": {"pt-ada": 2, "pt-nobody": 0}}
    assert after.json() == {"counts": {"pt-ada": 1}}
    assert stranger.json() == {"counts": {"pt-ada": 0}}


async def test_unread_counts_per_subject_refuse_bad_ids_and_too_many(api: NotifyApi) -> None:
    path = "/inbox/unread-count/by-subject"
    none = await api.call("GET", path, "u-grace")
    bad = await api.call("GET", path, "u-grace", params={"subject_id": "a b"})
    many = await api.call(
        "GET", path, "u-grace", params=[("subject_id", f"p{i}") for i in range(201)]
    )
    enough = await api.call(
        "GET", path, "u-grace", params=[("subject_id", f"p{i}") for i in range(200)]
    )

    assert none.status_code == bad.status_code == many.status_code == 422
    assert "subject_id" in bad.text
    assert enough.status_code == 200
    assert len(enough.json()["counts"]) == 200


async def test_a_recipient_arriving_while_their_alert_is_being_parked_still_gets_it(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mentor's registration is handled between the alert's directory lookup and its
    parking (the two travel on different topics and are handled at once): the registration finds
    nothing parked yet, so the alert itself must notice the mentor has arrived."""
    ctx = http_only.app.state.service.context()
    await handlers.on_program(new_envelope(PROGRAM, producer="test"), ctx)
    await handlers.on_participant(new_envelope(ADA, producer="test"), ctx)
    park = ctx.store.park

    async def park_once_grace_is_known(*args: Any, **kwargs: Any) -> None:
        await handlers.on_participant(new_envelope(GRACE, producer="test"), ctx)
        await park(*args, **kwargs)

    monkeypatch.setattr(ctx.store, "park", park_once_grace_is_known)

    await handlers.on_occurrence(new_envelope(DROP, producer="test"), ctx)

    [alert] = await http_only.db.notifications.find({"user_id": "u-grace"}).to_list()
    assert "Ada" in alert["title"] + alert["body"]
    assert await http_only.db.parked_events.count_documents({}) == 0


async def test_a_crash_while_replaying_a_parked_alert_leaves_it_parked_for_the_redelivery(
    http_only: NotifyApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = http_only.app.state.service.context()
    await handlers.on_program(new_envelope(PROGRAM, producer="test"), ctx)
    await handlers.on_participant(new_envelope(ADA, producer="test"), ctx)
    await handlers.on_occurrence(new_envelope(DROP, producer="test"), ctx)  # Grace unknown yet
    assert await http_only.db.parked_events.count_documents({}) == 1
    grace_arrives = new_envelope(GRACE, producer="test")
    add_all = ctx.store.add_all

    async def crash(*args: Any) -> int:
        raise RuntimeError("the process dies here")

    monkeypatch.setattr(ctx.store, "add_all", crash)
    with pytest.raises(RuntimeError):
        await handlers.on_participant(grace_arrives, ctx)
    assert await http_only.db.parked_events.count_documents({}) == 1

    monkeypatch.setattr(ctx.store, "add_all", add_all)
    await handlers.on_participant(grace_arrives, ctx)  # the registration is delivered again

    assert await http_only.db.notifications.count_documents({"user_id": "u-grace"}) == 1
    assert await http_only.db.parked_events.count_documents({}) == 0
