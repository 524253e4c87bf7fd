"""The mentors' weekly digest on the real Kafka broker and MongoDB server with the test's clock:
events in, one digest per mentor and week at Monday 08:00 on the mentor's clock, in their
language, through preferences; redelivered events and concurrent writers and workers count and
send everything once."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import (
    ConfidenceDropped,
    MatchAccepted,
    MatchEnded,
    MenteeBackOnTrack,
    MenteeStalled,
    ModuleCompleted,
    ParticipantRegistered,
    PathCompleted,
)
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually
from notify.service_layer import handlers, weekly_digests
from notify.service_layer.weekly_digests import send_due_weekly_digests

from .conftest import NotifyApi, running
from .receivers import SmtpReceiver
from .test_delivery import (
    ADA,
    DROPPED,
    GRACE,
    MATCH,
    PAIR,
    PROGRAM,
    STALLED,
    WAIT,
    deliveries,
    introduce_everyone,
    prefer,
)

DIGEST = "mentor.weekly_digest"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the test clock's start: Monday of 2026-W45
DUE = datetime(2026, 11, 9, 7, 0, tzinfo=UTC)  # Monday 9 November, 08:00 in Paris
BOB = ParticipantRegistered(
    participant_id="pt-bob",
    program_id="pg-1",
    user_id="u-bob",
    roles=["mentee"],
    display_name="Bob <i>&</i> co",
    email="bob@example.org",
)
BOB_PAIR: dict[str, Any] = {**PAIR, "mentee_id": "pt-bob"}


async def digests(api: NotifyApi) -> list[dict[str, Any]]:
    return [n async for n in api.db.notifications.find({"kind": DIGEST})]


async def changes(api: NotifyApi, **query: Any) -> list[dict[str, Any]]:
    return [c async for c in api.db.weekly_digest_changes.find(query)]


async def test_a_mentor_gets_one_digest_of_their_mentees_week_in_their_language(
    notify: NotifyApi, smtp: SmtpReceiver
) -> None:
    # Grace, the mentor, reads French on Paris's clock, and wants no e-mail before 09:00
    await prefer(notify, "u-grace", quiet_hours={"start": "22:00", "end": "09:00"})
    await introduce_everyone(notify)
    await notify.publish(BOB)
    accepted = await notify.publish(
        MatchAccepted(**MATCH), MatchAccepted(**{**MATCH, **BOB_PAIR, "match_id": "m-2"})
    )
    week = list(await notify.publish(STALLED))
    notify.clock.advance(days=1)
    week += await notify.publish(MenteeBackOnTrack(**PAIR, resumed_at=notify.clock.now), DROPPED)
    notify.clock.now = datetime(2026, 11, 8, 22, 30, tzinfo=UTC)  # Sunday 23:30 in Paris
    week += await notify.publish(ModuleCompleted(**BOB_PAIR, module_id="purpose"))
    notify.clock.now = datetime(2026, 11, 8, 23, 30, tzinfo=UTC)  # Monday 00:30: next week
    following = await notify.publish(PathCompleted(**PAIR, learning_path_id="p"))
    for event in [*accepted, *week]:  # delivered again: counted once
        await notify.publish(again=event)

    async def recorded() -> bool:
        found = await changes(notify)
        return sorted((c["week"], c["mentee_id"]) for c in found) == [
            ("2026-W45", "pt-ada"),
            ("2026-W45", "pt-ada"),
            ("2026-W45", "pt-ada"),
            ("2026-W45", "pt-bob"),
            ("2026-W46", "pt-ada"),
        ]

    await eventually(recorded, timeout=WAIT)
    notify.clock.now = DUE - timedelta(minutes=1)
    await asyncio.sleep(0.5)
    assert await digests(notify) == []

    notify.clock.now = DUE

    async def one_sent() -> bool:
        return len(await digests(notify)) == 1 and len(await changes(notify)) == 1

    await eventually(one_sent, timeout=WAIT)
    [digest] = await digests(notify)
    assert digest["user_id"] == "u-grace"
    assert digest["recipient_id"] == "pt-grace"
    assert digest["title"] == "Votre semaine de mentorat : du nouveau pour 2 personnes"
    assert digest["about"] == {"program_id": "pg-1"}
    assert digest["subject_id"] is None
    assert digest["created_at"] == DUE
    body = digest["body"]
    assert "semaine du lundi 2 novembre 2026 au dimanche 8 novembre 2026" in body
    assert "Programme : Pilot" in body
    assert "\nAda\nSituation en fin de semaine : en bonne voie\n" in body
    assert "- lundi 2 novembre 2026 : à l'arrêt : aucune activité récente" in body
    assert "- mardi 3 novembre 2026 : a repris son parcours" in body
    assert "confiance en baisse sur le module purpose (4 à 2 sur 5)" in body
    assert "\nBob <i>&</i> co\n" in body
    assert "- dimanche 8 novembre 2026 : module purpose terminé" in body
    assert "parcours terminé" not in body  # the path was completed the week after
    assert body.count("à l'arrêt : aucune") == 1  # each event once, though delivered twice
    assert [c["event_id"] for c in await changes(notify)] == [str(following[0].event_id)]

    def mailed() -> list[Any]:
        return [m for m in smtp.to("grace@example.org") if m["Subject"] == digest["title"]]

    # the e-mail waits for the end of Grace's quiet hours: 09:00 in Paris
    [queued] = await deliveries(notify, notification_id=digest["_id"], channel="email")
    assert queued["next_attempt_at"] == DUE + timedelta(hours=1)
    await asyncio.sleep(0.5)
    assert mailed() == []
    notify.clock.now = DUE + timedelta(hours=1)
    await eventually(lambda: len(mailed()) == 1, timeout=WAIT)
    [email] = mailed()
    markup = email.get_body(preferencelist=("html",)).get_content()
    assert "<h2>Bob &lt;i&gt;&amp;&lt;/i&gt; co</h2>" in markup
    assert "<i>" not in markup

    # the week's events delivered once more after the digest went out: nothing more is sent,
    # and what they recorded again is dropped
    for event in week:
        await notify.publish(again=event)
    await notify.publish(MenteeStalled(**PAIR, last_activity_at=START, stall_window_days=14))

    async def handled_again() -> bool:
        weeks = sorted(c["week"] for c in await changes(notify))
        return weeks == ["2026-W46", "2026-W46"]

    await eventually(handled_again, timeout=WAIT)
    await asyncio.sleep(0.5)
    assert len(await digests(notify)) == 1
    assert len(mailed()) == 1


async def test_no_digest_for_a_mentor_who_turned_it_off_nor_of_a_mentee_no_longer_theirs(
    notify: NotifyApi,
) -> None:
    await prefer(notify, "u-grace", channels={DIGEST: []})
    alan = ParticipantRegistered(
        participant_id="pt-alan",
        program_id="pg-1",
        user_id="u-alan2",
        roles=["mentor"],
        display_name="Alan",
        email="alan2@example.org",
        timezone="UTC",
    )
    await introduce_everyone(notify)
    await notify.publish(alan, BOB)
    alan_pair = {**BOB_PAIR, "mentor_id": "pt-alan"}
    await notify.publish(
        MatchAccepted(**MATCH),
        STALLED,  # Grace's mentee, but Grace turned the digest off
        MatchAccepted(**{**MATCH, **alan_pair, "match_id": "m-3", "mentor_name": "Alan"}),
        MenteeStalled(**alan_pair, last_activity_at=START, stall_window_days=14),
    )
    notify.clock.advance(days=2)
    await notify.publish(MatchEnded(**alan_pair, match_id="m-3", outcome="ended_early"))

    async def recorded() -> bool:
        ended = await notify.db.weekly_digest_matches.find_one({"_id": "m-3"})
        return len(await changes(notify)) == 2 and bool(ended and ended.get("ended_at"))

    await eventually(recorded, timeout=WAIT)
    notify.clock.now = DUE + timedelta(hours=1)  # due for both (Alan's clock is UTC)

    async def handled() -> bool:
        return (
            await changes(notify) == [] and await notify.db.weekly_digest_weeks.find_one({}) is None
        )

    await eventually(handled, timeout=WAIT)
    assert await digests(notify) == []
    # the alerts themselves still came, each on its own
    assert await notify.db.notifications.count_documents({"kind": "progress.mentee_stalled"}) == 2


def _event(payload: Any, at: datetime) -> Envelope[Any]:
    return new_envelope(payload, producer="test", clock=lambda: at)


async def test_concurrent_writers_and_workers_record_each_change_and_send_one_digest_once(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> None:
    mentees = 10
    async with running(kafka_bootstrap, mongo_url, mongo_db, topic_prefix, role="api") as api:
        service = api.app.state.service
        ctx = service.context()
        people = [
            GRACE,
            ADA,
            *(
                ParticipantRegistered(
                    participant_id=f"pt-m{i}",
                    program_id="pg-1",
                    user_id=f"u-m{i}",
                    roles=["mentee"],
                    display_name=f"Mentee {i:02d}",
                    email=f"m{i}@example.org",
                )
                for i in range(mentees)
            ),
        ]
        for person in people:
            await handlers.on_participant(_event(person, START), ctx)
        await handlers.on_program(_event(PROGRAM, START), ctx)
        events = []
        for i in range(mentees):
            pair = {**PAIR, "mentee_id": f"pt-m{i}"}
            moment = START + timedelta(hours=i)
            events += [
                _event(MenteeStalled(**pair, last_activity_at=START, stall_window_days=14), moment),
                _event(MenteeBackOnTrack(**pair, resumed_at=moment), moment + timedelta(hours=1)),
                _event(
                    ConfidenceDropped(**pair, module_id="m", previous_confidence=3, confidence=1),
                    moment + timedelta(hours=2),
                ),
            ]
        writes = events * 3  # each delivered three times, by writers at once, in any order
        random.Random(7).shuffle(writes)
        await asyncio.gather(
            *(weekly_digests.on_event(event, service.context()) for event in writes)
        )
        assert len(await changes(api)) == 3 * mentees
        assert {c["digest"] for c in await changes(api)} == {"pt-grace:2026-W45"}

        api.clock.now = DUE
        rounds = await asyncio.gather(
            *(send_due_weekly_digests(service.context()) for _ in range(8))
        )

        assert sum(rounds) == 1
        [digest] = await digests(api)
        assert digest["title"] == "Votre semaine de mentorat : du nouveau pour 10 personnes"
        for i in range(mentees):
            assert (
                f"\nMentee {i:02d}\nSituation en fin de semaine : en bonne voie\n"
                in (digest["body"])
            )
        assert digest["body"].count("confiance en baisse") == mentees
        assert await changes(api) == []
        emails = await deliveries(api, notification_id=digest["_id"], channel="email")
        assert len(emails) == 1
        # a restarted worker finds nothing more to send
        assert await send_due_weekly_digests(service.context()) == 0


async def test_events_read_in_batches_are_recorded_once_too(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> None:
    async with running(
        kafka_bootstrap, mongo_url, mongo_db, topic_prefix, consumer_batch_size=50
    ) as batched:
        await introduce_everyone(batched)
        events = await batched.publish(MatchAccepted(**MATCH), STALLED, DROPPED)
        for event in events:
            await batched.publish(again=event)

        async def recorded() -> bool:
            found = sorted(c["change"] for c in await changes(batched))
            accepted = await batched.db.weekly_digest_matches.find_one({"_id": "m-1"})
            return found == ["confidence_dropped", "stalled"] and accepted is not None

        await eventually(recorded, timeout=WAIT)
