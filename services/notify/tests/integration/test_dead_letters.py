"""A poison message in notify: parked on notify's dead-letter topic with its headers after the
bounded retries while the events behind it flow on, then, once the fix is deployed, delivered
exactly once by a replay; replaying again adds nothing.

The poison is a real event that a defect in notify's rule planning cannot handle: the test
installs the defect (it raises for that one event, as a bug triggered by its data would), runs
notify with it, then "deploys the fix" by restarting notify without it on the same database and
consumer group. The replay goes through ``mentorship_cli.dead_letters``, the code behind
``mentorship dlq replay``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_cli.dead_letters import DLQ_REPLAY_OF, read_dead_letters, replay
from mentorship_contracts import Envelope, decode_event, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    ConfidenceDropped,
    ParticipantRegistered,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_contracts.headers import EVENT_ID, EVENT_TYPE, decode_headers
from mentorship_contracts.topics import Topic, dead_letter_topic, topic_name
from mentorship_runtime.consumer import (
    DLQ_ATTEMPTS,
    DLQ_CONSUMER_GROUP,
    DLQ_ERROR,
    DLQ_ERROR_TYPE,
    DLQ_FAILED_AT,
    DLQ_ORIGINAL_OFFSET,
    DLQ_ORIGINAL_PARTITION,
    DLQ_ORIGINAL_TOPIC,
)
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import eventually, read_topic
from mentorship_testing.services import publish_events, serving, settings_for
from notify.bootstrap import create_app
from notify.config import Settings
from notify.domain import rules
from notify.service_layer import handlers

ATTEMPTS = 3
GRACE = ParticipantRegistered(
    participant_id="pt-grace",
    program_id="pg-1",
    user_id="u-grace",
    roles=["mentor"],
    display_name="Grace",
    email="grace@example.org",
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


def drop(module_id: str) -> ConfidenceDropped:
    """A confidence drop of Ada's: it tells her mentor Grace (one notification each)."""
    return ConfidenceDropped(
        mentee_id="pt-ada",
        mentor_id="pt-grace",
        program_id="pg-1",
        module_id=module_id,
        previous_confidence=4,
        confidence=2,
    )


def envelope(payload: EventPayload) -> Envelope[Any]:
    return new_envelope(payload, producer="test", clock=lambda: datetime.now(UTC))


@dataclass
class Defect:
    """A bug in the rule planning that one event triggers, every time it is handled."""

    event_id: str
    tries: int = 0

    def around(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def plan(occurrence: Any, *args: Any, **kwargs: Any) -> Any:
            if occurrence.event_id == self.event_id:
                self.tries += 1
                msg = f"rule table has no entry for this {occurrence.kind} occurrence"
                raise LookupError(msg)
            return real(occurrence, *args, **kwargs)

        return plan


@dataclass
class Notify:
    settings: Settings
    db: AsyncDatabase[Document]
    bootstrap: str

    @property
    def prefix(self) -> str:
        return self.settings.kafka_topic_prefix

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with serving(create_app(self.settings), "notify"):
            yield

    async def publish(self, *events: Envelope[Any]) -> None:
        await publish_events(self.bootstrap, self.prefix, events)

    async def notified_about(self) -> list[str]:
        """The event ids notify created a notification for, one entry per notification."""
        return [d["event_id"] async for d in self.db.notifications.find({}, {"event_id": 1})]

    async def announced(self, at_least: int) -> list[Envelope[Any]]:
        """NotificationCreated events on notify.notifications, read until ``at_least`` are there
        or a few quiet seconds passed (room for a wrongful extra one to show up)."""
        topic = topic_name(Topic.NOTIFY_NOTIFICATIONS, self.prefix)
        records = await read_topic(
            self.bootstrap, topic, until=lambda rs: len(rs) >= at_least, timeout=4
        )
        return [decode_event(r.value) for r in records]


@pytest.fixture
def notify(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> Notify:
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        role="all",
        consumer_max_attempts=ATTEMPTS,
        consumer_retry_base_seconds=0.05,
    )
    return Notify(settings, mongo_db, kafka_bootstrap)


async def test_a_poison_event_is_parked_then_replayed_once_after_the_fix(
    notify: Notify, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, poison, after = (
        envelope(drop("purpose")),
        envelope(drop("rules")),
        envelope(drop("team")),
    )
    defect = Defect(str(poison.event_id))
    monkeypatch.setattr(handlers, "plan", defect.around(rules.plan))
    progress = topic_name(Topic.PROGRESS_EVENTS, notify.prefix)
    dlq = dead_letter_topic(progress, "notify")

    # ---- notify with the defect: the poison is parked, the events behind it flow on ----------
    async with notify.running():
        await notify.publish(envelope(GRACE), envelope(ADA), envelope(PROGRAM))

        async def directory_known() -> bool:
            return (
                await notify.db.people.count_documents({}) == 2
                and await notify.db.programs.count_documents({}) == 1
            )

        await eventually(directory_known)
        await notify.publish(before, poison, after)  # one key: one partition, in this order

        async def the_others_arrived() -> bool:
            return len(await notify.notified_about()) == 2

        await eventually(the_others_arrived)
        [parked] = await read_topic(notify.bootstrap, dlq, until=lambda rs: len(rs) >= 1)

    assert sorted(await notify.notified_about()) == sorted(
        [str(before.event_id), str(after.event_id)]
    )
    assert defect.tries == 1 + ATTEMPTS  # once within its batch, then alone until it gives up
    [original] = [
        r
        for r in await read_topic(notify.bootstrap, progress, until=lambda rs: len(rs) >= 3)
        if decode_headers(r.headers)[EVENT_ID] == str(poison.event_id)
    ]
    headers = decode_headers(parked.headers)
    assert parked.value == poison.to_bytes()
    assert parked.key == b"pt-ada"
    assert headers[EVENT_ID] == str(poison.event_id)
    assert headers[EVENT_TYPE] == "progress.confidence.dropped"
    assert headers[DLQ_ERROR_TYPE] == "LookupError"
    assert "rule table has no entry" in headers[DLQ_ERROR]
    assert headers[DLQ_ATTEMPTS] == str(ATTEMPTS)
    assert headers[DLQ_ORIGINAL_TOPIC] == progress
    assert headers[DLQ_ORIGINAL_PARTITION] == str(original.partition)
    assert headers[DLQ_ORIGINAL_OFFSET] == str(original.offset)
    assert headers[DLQ_CONSUMER_GROUP] == "notify"
    assert datetime.fromisoformat(headers[DLQ_FAILED_AT]).tzinfo is not None

    # ---- the fix is deployed: notify restarts without the defect -------------------------------
    monkeypatch.undo()
    async with notify.running():
        [entry] = await read_dead_letters(notify.bootstrap, prefix=notify.prefix)
        assert (entry.event_id, entry.replayed) == (str(poison.event_id), False)

        first = await replay(notify.bootstrap, [entry])

        async def delivered() -> bool:
            return str(poison.event_id) in await notify.notified_about()

        await eventually(delivered)
        second = await replay(
            notify.bootstrap, await read_dead_letters(notify.bootstrap, prefix=notify.prefix)
        )
        forced = await replay(notify.bootstrap, [entry], again=True)
        announced = await notify.announced(at_least=4)

    where = f"{dlq}/{parked.partition}/{parked.offset}"
    assert [e.coordinates for e in first.replayed] == [where]
    assert (second.replayed, [e.coordinates for e in second.skipped]) == ([], [where])
    assert [e.coordinates for e in forced.replayed] == [where]  # republished on request
    assert sorted(await notify.notified_about()) == sorted(
        str(e.event_id) for e in (before, poison, after)
    )  # ... and recognised by its event id: still one notification per event
    assert sorted(e.causation_id or "" for e in announced) == sorted(
        str(e.event_id) for e in (before, poison, after)
    )
    copies = [
        r
        for r in await read_topic(notify.bootstrap, progress, until=lambda rs: len(rs) >= 5)
        if DLQ_REPLAY_OF in decode_headers(r.headers)
    ]
    assert [decode_headers(r.headers)[DLQ_REPLAY_OF] for r in copies] == [where] * 2
    assert all(r.value == poison.to_bytes() for r in copies)
    # the replayed copies were handled: nothing was parked again
    assert len(await read_topic(notify.bootstrap, dlq, until=lambda rs: False, timeout=1)) == 1
