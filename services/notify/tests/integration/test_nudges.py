"""Reminders notify schedules from the events it reads, on the real Kafka broker and MongoDB
server with the test's clock: a mentor a day before an unanswered proposal lapses, a mentee who
has not checked in for the program's days, both sides of a planned session once it is over; each
once per episode, through preferences and quiet hours, with several workers at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts.events import (
    CheckInRecorded,
    MatchAccepted,
    MatchCancelled,
    MatchDeclined,
    MatchEnded,
    MatchProposed,
    ParticipantRegistered,
    SessionLogged,
    SessionPlanned,
)
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from notify.adapters.nudges import NudgeStore
from notify.service_layer import nudges
from notify.service_layer.nudges import send_due_nudges

from .conftest import NotifyApi, running
from .receivers import SmtpReceiver
from .test_delivery import MATCH, PAIR, PROGRAM, WAIT, deliveries, introduce_everyone, prefer

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the test clock's start
EXPIRES = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
EXPIRING = "match.proposal_expiring"
OVERDUE = "progress.check_in_overdue"
TO_CONFIRM = "progress.session_to_confirm"


def proposed(match_id: str, expires_at: datetime = EXPIRES, **who: Any) -> MatchProposed:
    return MatchProposed(
        **{**MATCH, **who, "match_id": match_id}, proposed_by="admin", expires_at=expires_at
    )


def checked_in(check_in_id: str, by: str = "mentee") -> CheckInRecorded:
    return CheckInRecorded(
        **PAIR, check_in_id=check_in_id, module_id="purpose", confidence=3, assessed_by=by
    )


async def of_kind(api: NotifyApi, kind: str) -> list[dict[str, Any]]:
    return [n async for n in api.db.notifications.find({"kind": kind}).sort("created_at", 1)]


async def states(api: NotifyApi) -> dict[str, str]:
    return {r["_id"]: r["status"] async for r in api.db.proposal_reminders.find({})}


async def test_a_mentor_is_reminded_a_day_before_an_unanswered_proposal_lapses_once(
    notify: NotifyApi, smtp: SmtpReceiver
) -> None:
    # 09:00 UTC is 10:00 in Paris: inside Grace's quiet hours, which end at 12:00 Paris time
    await prefer(notify, "u-grace", quiet_hours={"start": "08:00", "end": "12:00"})
    await introduce_everyone(notify)
    events = await notify.publish(
        proposed("m-1"),  # never answered: reminded
        proposed("m-2"),
        MatchAccepted(**{**MATCH, "match_id": "m-2"}),  # answered: cancelled
        MatchDeclined(**PAIR, match_id="m-3"),  # the answer overtakes its proposal
        proposed("m-3"),
        proposed("m-4", expires_at=START + timedelta(hours=20)),  # less than a day to answer
    )
    expected = {"expiring:m-1": "waiting", "expiring:m-2": "cancelled", "expiring:m-3": "cancelled"}

    async def scheduled() -> bool:
        return await states(notify) == expected

    await eventually(scheduled, timeout=WAIT)
    notify.clock.now = EXPIRES - timedelta(days=1, minutes=1)
    for event in events:  # delivered again before the reminder is due: nothing changes
        await notify.publish(again=event)
    await eventually(scheduled, timeout=WAIT)
    assert await of_kind(notify, EXPIRING) == []

    notify.clock.now = EXPIRES - timedelta(days=1)

    async def reminded() -> bool:
        return (
            len(await of_kind(notify, EXPIRING)) == 1
            and (await states(notify))["expiring:m-1"] == "sent"
        )

    await eventually(reminded, timeout=WAIT)
    [reminder] = await of_kind(notify, EXPIRING)
    assert reminder["user_id"] == "u-grace"
    assert reminder["title"] == "Rappel : la proposition d'accompagner Ada expire bientôt"
    assert "avant le lundi 9 novembre 2026 à 10:00 (Europe/Paris)" in reminder["body"]
    assert reminder["about"] == {"program_id": "pg-1", "mentee_id": "pt-ada", "match_id": "m-1"}
    # the e-mail waits for the end of Grace's quiet hours, still well before the deadline
    [email] = await deliveries(notify, notification_id=reminder["_id"], channel="email")
    assert email["next_attempt_at"] == datetime(2026, 11, 8, 11, 0, tzinfo=UTC)

    notify.clock.now = datetime(2026, 11, 8, 11, 0, tzinfo=UTC)
    await eventually(
        lambda: any("Rappel" in m["Subject"] for m in smtp.to("grace@example.org")), timeout=WAIT
    )

    for event in events:  # and after it was sent: still one
        await notify.publish(again=event)
    await notify.publish(MatchAccepted(**{**MATCH, "match_id": "m-1"}))
    await eventually(scheduled_after_answer(notify), timeout=WAIT)
    assert len(await of_kind(notify, EXPIRING)) == 1


def scheduled_after_answer(api: NotifyApi) -> Any:
    async def check() -> bool:
        return await states(api) == {
            "expiring:m-1": "sent",
            "expiring:m-2": "cancelled",
            "expiring:m-3": "cancelled",
        }

    return check


async def test_a_proposal_an_admin_cancelled_reminds_nobody(notify: NotifyApi) -> None:
    await introduce_everyone(notify)
    await notify.publish(
        proposed("m-1"),
        MatchCancelled(**{**MATCH, "match_id": "m-1"}, reason="Grace is on leave"),
        proposed("m-2"),  # still waiting: reminded, which says the worker came round
    )

    async def scheduled() -> bool:
        return await states(notify) == {"expiring:m-1": "cancelled", "expiring:m-2": "waiting"}

    await eventually(scheduled, timeout=WAIT)
    notify.clock.now = EXPIRES - timedelta(days=1)

    async def reminded() -> bool:
        return (await states(notify))["expiring:m-2"] == "sent"

    await eventually(reminded, timeout=WAIT)
    [reminder] = await of_kind(notify, EXPIRING)
    assert reminder["about"]["match_id"] == "m-2"
    assert (await states(notify))["expiring:m-1"] == "cancelled"


async def test_a_mentee_silent_for_the_programs_days_is_reminded_once_per_stretch(
    notify: NotifyApi,
) -> None:
    # Ada wants these reminders in her inbox only: no e-mail
    await prefer(notify, "u-ada", channels={OVERDUE: ["in_app"]})
    await introduce_everyone(notify)
    await notify.publish(PROGRAM.model_copy(update={"check_in_reminder_days": 3}))

    async def three_days() -> bool:
        program = await notify.db.programs.find_one({"_id": "pg-1"})
        return program is not None and program.get("check_in_reminder_days") == 3

    await eventually(three_days, timeout=WAIT)
    await notify.publish(MatchAccepted(**MATCH))  # the silence counts from the match...
    notify.clock.advance(days=1)
    await notify.publish(checked_in("c-1"))  # ...then from her own check-in
    notify.clock.advance(days=1)
    await notify.publish(checked_in("c-2", by="mentor"))  # the mentor's assessment is not hers

    async def watching(since: datetime, state: str) -> bool:
        watch = await notify.db.check_in_watches.find_one({"_id": "pt-ada"})
        return watch is not None and (watch["since"], watch["state"]) == (since, state)

    await eventually(lambda: watching(START + timedelta(days=1), "waiting"), timeout=WAIT)
    notify.clock.now = START + timedelta(days=4) - timedelta(minutes=1)
    await asyncio.sleep(0.5)
    assert await of_kind(notify, OVERDUE) == []

    notify.clock.now = START + timedelta(days=4)
    await eventually(lambda: watching(START + timedelta(days=1), "reminded"), timeout=WAIT)
    [reminder] = await of_kind(notify, OVERDUE)
    assert reminder["user_id"] == "u-ada"
    assert reminder["title"] == "Time for a check-in"
    assert "for 3 days" in reminder["body"]
    assert "Grace" in reminder["body"]
    assert reminder["about"] == {"program_id": "pg-1", "mentee_id": "pt-ada"}
    assert reminder["created_at"] == START + timedelta(days=4)
    sent = await deliveries(notify, notification_id=reminder["_id"])
    assert [d["channel"] for d in sent] == ["in_app"]

    notify.clock.advance(days=10)  # the same silence goes on: no second reminder
    await asyncio.sleep(0.5)
    assert len(await of_kind(notify, OVERDUE)) == 1

    await notify.publish(checked_in("c-3"))  # a new check-in: a new stretch, reminded in turn
    second = notify.clock.now
    notify.clock.advance(days=3)
    await eventually(lambda: watching(second, "reminded"), timeout=WAIT)
    assert len(await of_kind(notify, OVERDUE)) == 2

    await notify.publish(checked_in("c-4"))
    await notify.publish(MatchEnded(**PAIR, match_id="m-1", outcome="completed"))
    await eventually(lambda: watching(notify.clock.now, "stopped"), timeout=WAIT)
    notify.clock.advance(days=30)  # no match any more: nothing
    await asyncio.sleep(0.5)
    assert len(await of_kind(notify, OVERDUE)) == 2


def planned(planned_session_id: str, starts_at: datetime) -> SessionPlanned:
    return SessionPlanned(
        **PAIR,
        planned_session_id=planned_session_id,
        sequence=0,
        starts_at=starts_at,
        time_zone="Europe/Paris",
        duration_minutes=60,
        changed_by="mentee",
        planned_by="mentee",
    )


async def test_both_sides_are_asked_once_to_confirm_a_session_over_unless_it_was_confirmed(
    notify: NotifyApi,
) -> None:
    await introduce_everyone(notify)
    over = planned("ps-1", START - timedelta(hours=5))  # ended four hours ago: due at once
    first = await notify.publish(over, planned("ps-2", START + timedelta(hours=1)))

    async def asked(planned_session_id: str) -> list[dict[str, Any]]:
        return [
            n
            for n in await of_kind(notify, TO_CONFIRM)
            if n["about"].get("planned_session_id") == planned_session_id
        ]

    async def both_asked() -> bool:
        return len(await asked("ps-1")) == 2

    await eventually(both_asked, timeout=WAIT)
    by_user = {n["user_id"]: n for n in await asked("ps-1")}
    assert by_user["u-grace"]["title"] == "Votre séance avec Ada a-t-elle eu lieu ?"
    assert "lundi 2 novembre 2026 à 05:00 (Europe/Paris)" in by_user["u-grace"]["body"]
    assert by_user["u-ada"]["about"] == {
        "program_id": "pg-1",
        "mentee_id": "pt-ada",
        "planned_session_id": "ps-1",
    }

    confirmed = SessionLogged(
        **PAIR, session_id="ps-2", held_on=date(2026, 11, 2), duration_minutes=60
    )
    await notify.publish(confirmed)
    await notify.publish(again=first[0])  # delivered again: asks nobody again

    async def dropped() -> bool:
        reminder = await notify.db.confirmation_reminders.find_one({"_id": "confirm:ps-2"})
        return reminder is not None and reminder["status"] == "confirmed"

    await eventually(dropped, timeout=WAIT)
    notify.clock.now = START + timedelta(hours=6)  # ps-2 is over too, and confirmed
    await notify.publish(planned("ps-3", START))  # the worker came round: ps-3 is asked

    async def third_asked() -> bool:
        return len(await asked("ps-3")) == 2

    await eventually(third_asked, timeout=WAIT)
    assert await asked("ps-2") == []
    assert len(await asked("ps-1")) == 2


async def test_workers_at_once_send_each_reminder_once(
    notify: NotifyApi, smtp: SmtpReceiver
) -> None:
    mentees = 12
    await introduce_everyone(notify)
    people = [
        ParticipantRegistered(
            participant_id=f"pt-m{i}",
            program_id="pg-1",
            user_id=f"u-m{i}",
            roles=["mentee"],
            display_name=f"Mentee {i}",
            email=f"m{i}@example.org",
        )
        for i in range(mentees)
    ]
    await notify.publish(*people)
    expires = START + timedelta(days=8)
    await notify.publish(
        *(proposed(f"p-{i}", expires, mentee_id=f"pt-m{i}") for i in range(mentees)),
        *(
            MatchAccepted(**{**MATCH, "match_id": f"a-{i}", "mentee_id": f"pt-m{i}"})
            for i in range(mentees)
        ),
    )

    async def all_scheduled() -> bool:
        waiting = await notify.db.proposal_reminders.count_documents({"status": "waiting"})
        watched = await notify.db.check_in_watches.count_documents({"state": "waiting"})
        return (waiting, watched) == (mentees, mentees)

    await eventually(all_scheduled, timeout=WAIT)
    # a proposal made for mentee i and a match accepted for mentee i are different matches here:
    # the acceptance of a-i does not answer p-i
    notify.clock.now = expires - timedelta(hours=2)  # both due: a day before, seven days after
    service = notify.app.state.service
    rounds = await asyncio.gather(*(send_due_nudges(service.context()) for _ in range(8)))

    async def all_sent() -> bool:
        return (
            await notify.db.proposal_reminders.count_documents({"status": "sent"}) == mentees
            and await notify.db.check_in_watches.count_documents({"state": "reminded"}) == mentees
        )

    await eventually(all_sent, timeout=WAIT)
    assert sum(rounds) <= 2 * mentees
    assert len(await of_kind(notify, EXPIRING)) == mentees
    assert len(await of_kind(notify, OVERDUE)) == mentees

    def received() -> bool:
        grace = [m for m in smtp.to("grace@example.org") if "Rappel" in m["Subject"]]
        return len(grace) == mentees and all(
            len([m for m in smtp.to(f"m{i}@example.org") if "check-in" in m["Subject"]]) == 1
            for i in range(mentees)
        )

    await eventually(received, timeout=WAIT)
    await asyncio.sleep(0.5)
    assert received(), "no e-mail twice"
    reminders = [n["_id"] for kind in (EXPIRING, OVERDUE) for n in await of_kind(notify, kind)]
    emails = await deliveries(notify, channel="email", notification_id={"$in": reminders})
    assert len(emails) == 2 * mentees


async def test_events_read_in_batches_schedule_and_cancel_reminders_too(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> None:
    async with running(
        kafka_bootstrap, mongo_url, mongo_db, topic_prefix, consumer_batch_size=50
    ) as batched:
        await introduce_everyone(batched)
        await batched.publish(
            proposed("m-1"),
            proposed("m-2"),
            MatchAccepted(**{**MATCH, "match_id": "m-2"}),
            checked_in("c-1"),
        )

        async def scheduled() -> bool:
            watch = await batched.db.check_in_watches.find_one({"_id": "pt-ada"})
            return await states(batched) == {
                "expiring:m-1": "waiting",
                "expiring:m-2": "cancelled",
            } and (watch is not None and watch["state"] == "waiting")

        await eventually(scheduled, timeout=WAIT)


async def test_the_stored_reminder_to_confirm_moves_with_newer_plans_only(
    mongo_db: AsyncDatabase[Document],
) -> None:
    store = NudgeStore(mongo_db)
    await store.ensure_indexes()
    first = planned("ps-s1", START)
    moved = first.model_copy(update={"sequence": 1, "starts_at": START + timedelta(days=1)})
    await store.expect_confirmation(nudges.confirmation_reminder(first))
    await store.expect_confirmation(nudges.confirmation_reminder(moved))
    await store.expect_confirmation(nudges.confirmation_reminder(first))  # older, arriving late
    # a drop read before its plan: the plan then schedules nothing
    await store.confirmation_dropped("confirm:ps-s2", "ps-s2", "pt-ada", "pt-grace", "confirmed")
    await store.expect_confirmation(nudges.confirmation_reminder(planned("ps-s2", START)))

    due = await store.due_confirmations(START + timedelta(days=2), 10)
    assert [(r.planned_session_id, r.sequence, r.starts_at) for r in due] == [
        ("ps-s1", 1, START + timedelta(days=1))
    ]
    await store.confirmation_done("confirm:ps-s1", "sent")
    await store.expect_confirmation(
        nudges.confirmation_reminder(moved.model_copy(update={"sequence": 2}))
    )
    assert await store.due_confirmations(START + timedelta(days=9), 10) == []
    stored = await mongo_db.confirmation_reminders.find_one({"_id": "confirm:ps-s2"})
    assert stored is not None
    assert (stored["status"], stored["mentee_id"]) == ("confirmed", "pt-ada")
