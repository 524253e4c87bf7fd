"""An event older than the one that set a mentee's current state never rolls that state back.

A dead-lettered event replayed later (``mentorship dlq replay``), or one overtaken by events of
another topic, arrives after newer events of its mentee. Each delivery below is made twice, as
at-least-once delivery may.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    MatchEnded,
    ParticipantWithdrawn,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.services import serving, settings_for
from progress.adapters.store import ProgressStore
from progress.bootstrap import create_app
from progress.config import Settings
from progress.service_layer import handlers
from progress.service_layer.handlers import Context

from .conftest import ProgressApi
from .test_progress_flow import accepted


class Mentoring:
    """Mentoring's events, made on a clock the test moves, handed to progress's handlers."""

    def __init__(self, ctx: Context, clock: Clock, store: ProgressStore) -> None:
        self.ctx = ctx
        self.clock = clock
        self.store = store

    def event(self, payload: EventPayload) -> Envelope[Any]:
        """An event that happened now; the clock then moves on a little."""
        made = new_envelope(payload, producer="mentoring", clock=self.clock)
        self.clock.advance(seconds=1)
        return made

    async def deliver(self, event: Envelope[Any]) -> None:
        """Hand the event over twice (at least once means sometimes twice)."""
        handler = {
            "mentoring.match.accepted": handlers.on_match_accepted,
            "mentoring.match.declined": handlers.on_match_closed,
            "mentoring.match.ended": handlers.on_match_closed,
            "mentoring.participant.withdrawn": handlers.on_participant_withdrawn,
            "mentoring.program.published": handlers.on_program_published,
        }[event.type]
        await handler(event, self.ctx)
        await handler(event, self.ctx)


@pytest_asyncio.fixture(loop_scope="session")
async def mentoring(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> AsyncIterator[Mentoring]:
    """Progress's handlers on the real database, without consumers (the test delivers)."""
    clock = Clock()
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        role="api",
    )
    app = create_app(settings, clock=clock)
    async with serving(app, "progress"):
        yield Mentoring(app.state.service.context(), clock, app.state.service.store)


def ended(mentor: str, match_id: str) -> MatchEnded:
    return MatchEnded(
        match_id=match_id,
        program_id="pg-1",
        mentee_id="pt-ada",
        mentor_id=mentor,
        outcome="ended_early",
    )


async def tracking(mentoring: Mentoring) -> Document:
    document = await mentoring.store.trackings.find_one({"_id": "pt-ada"})
    assert document is not None
    return document


async def test_an_old_match_accepted_replayed_after_a_newer_one_keeps_the_newer_mentor(
    mentoring: Mentoring,
) -> None:
    with_grace = mentoring.event(accepted(mentor="pt-grace"))  # dead-lettered, replayed below
    grace_left = mentoring.event(ended("pt-grace", "m-pt-ada-pt-grace"))
    with_alan = mentoring.event(accepted(mentor="pt-alan"))
    await mentoring.deliver(grace_left)  # parked: nobody tracks Ada yet
    await mentoring.deliver(with_alan)

    await mentoring.deliver(with_grace)

    document = await tracking(mentoring)
    assert (document["state"], document["mentor_id"]) == ("active", "pt-alan")
    assert document["mentor_user_id"] == "u-pt-alan"
    assert [m["mentor_id"] for m in document["mentors"]] == ["pt-alan"]
    assert await mentoring.store.parked.count_documents({}) == 0


async def test_an_old_match_ended_replayed_after_a_rematch_with_the_same_mentor_pauses_nothing(
    mentoring: Mentoring,
) -> None:
    first = mentoring.event(accepted(mentor="pt-grace"))
    first_ended = mentoring.event(ended("pt-grace", "m-1"))  # dead-lettered, replayed below
    again = mentoring.event(accepted(mentor="pt-grace").model_copy(update={"match_id": "m-2"}))
    await mentoring.deliver(first)
    await mentoring.deliver(again)

    await mentoring.deliver(first_ended)

    document = await tracking(mentoring)
    assert (document["state"], document["mentor_id"]) == ("active", "pt-grace")
    assert document["mentor_user_id"] == "u-pt-grace"


async def test_a_match_ended_that_overtook_its_acceptance_still_pauses_when_replayed_after_it(
    mentoring: Mentoring,
) -> None:
    """The order guard compares when things happened, not when they arrived: the end of a match
    delivered before its acceptance is newer, and applies."""
    started = mentoring.event(accepted(mentor="pt-grace"))
    finished = mentoring.event(ended("pt-grace", "m-pt-ada-pt-grace"))
    await mentoring.deliver(finished)  # parked
    await mentoring.deliver(started)  # starts the tracking, then applies what was parked

    document = await tracking(mentoring)
    assert (document["state"], document["mentor_id"]) == ("paused", None)
    assert document["mentor_user_id"] is None


async def test_an_old_match_accepted_replayed_after_a_withdrawal_is_skipped_not_refused(
    mentoring: Mentoring,
) -> None:
    grace = mentoring.event(accepted(mentor="pt-grace"))
    alan = mentoring.event(accepted(mentor="pt-alan"))  # dead-lettered, replayed below
    withdrawn = mentoring.event(ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1"))
    await mentoring.deliver(grace)
    await mentoring.deliver(withdrawn)

    await mentoring.deliver(alan)  # refused as a transition of a stopped tracking, before

    document = await tracking(mentoring)
    assert (document["state"], document["mentor_id"]) == ("stopped", None)
    assert [m["mentor_id"] for m in document["mentors"]] == ["pt-grace"]


async def test_a_withdrawal_overtaken_by_newer_match_events_still_stops_the_tracking(
    mentoring: Mentoring,
) -> None:
    """Withdrawing is final in mentoring: whatever arrives after it, it applies."""
    withdrawn = mentoring.event(ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1"))
    grace = mentoring.event(accepted(mentor="pt-grace"))
    await mentoring.deliver(grace)

    await mentoring.deliver(withdrawn)

    assert (await tracking(mentoring))["state"] == "stopped"


def program(name: str, days: int) -> ProgramPublished:
    return ProgramPublished(
        program_id="pg-1",
        name=name,
        status="open",
        learning_path_id="social-business-accompaniment",
        admins=[ProgramAdmin(user_id=f"u-admin-{name}")],
        stall_window_days=days,
    )


@pytest.mark.parametrize("newer_first", [True, False])
async def test_the_newer_of_two_program_states_within_one_millisecond_is_kept(
    mentoring: Mentoring, newer_first: bool
) -> None:
    """The database keeps dates to the millisecond: two states published within one, the older
    one delivered last, must not pass for the newer."""
    mentoring.clock.now = mentoring.clock.now.replace(microsecond=1_000)
    older = new_envelope(program("old", 10), producer="mentoring", clock=mentoring.clock)
    mentoring.clock.advance(microseconds=400)
    newer = new_envelope(program("new", 20), producer="mentoring", clock=mentoring.clock)

    for event in (newer, older) if newer_first else (older, newer):
        await mentoring.deliver(event)

    stored = await mentoring.store.program("pg-1")
    assert stored is not None
    assert (stored.admin_ids, stored.stall_window) == (
        frozenset({"u-admin-new"}),
        timedelta(days=20),
    )


@pytest.mark.parametrize("last", ["one", "two"])
async def test_of_two_program_states_of_the_same_moment_the_one_handled_last_is_kept(
    mentoring: Mentoring, last: str
) -> None:
    """Event ids carry no order: at the same microsecond, arrival decides, as in order."""
    one = new_envelope(program("one", 10), producer="mentoring", clock=mentoring.clock)
    two = new_envelope(program("two", 20), producer="mentoring", clock=mentoring.clock)

    for event in (two, one) if last == "one" else (one, two):
        await mentoring.deliver(event)

    stored = await mentoring.store.program("pg-1")
    assert stored is not None
    assert stored.admin_ids == frozenset({f"u-admin-{last}"})


async def test_match_events_of_the_same_moment_delivered_in_order_all_apply(
    mentoring: Mentoring,
) -> None:
    started = new_envelope(accepted(mentor="pt-grace"), producer="m", clock=mentoring.clock)
    ended_now = new_envelope(ended("pt-grace", "m-1"), producer="m", clock=mentoring.clock)
    await mentoring.deliver(started)

    await mentoring.deliver(ended_now)

    assert (await tracking(mentoring))["state"] == "paused"


async def test_an_old_match_accepted_replayed_through_kafka_is_not_applied_after_newer_events(
    api: ProgressApi,
) -> None:
    with_grace = new_envelope(accepted(mentor="pt-grace"), producer="mentoring", clock=api.clock)
    api.clock.advance(minutes=1)
    await api.publish(ended("pt-grace", "m-pt-ada-pt-grace"))
    api.clock.advance(minutes=1)
    with_alan = await api.publish(accepted(mentor="pt-alan"))
    await api.republish(with_alan)
    await api.tracked("pt-ada")

    await api.republish(with_grace)  # the replay of a dead letter, twice
    await api.republish(with_grace)
    api.clock.advance(minutes=1)
    await api.publish(ended("pt-alan", "m-pt-ada-pt-alan"))  # same key: handled after them

    await api.tracked("pt-ada", state="paused")
    document = await api.db.trackings.find_one({"_id": "pt-ada"})
    assert document is not None
    assert [m["mentor_id"] for m in document["mentors"]] == ["pt-alan"]
