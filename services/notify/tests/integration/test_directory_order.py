"""An old directory event replayed after newer ones never rolls the directory back.

A dead letter replayed later (``mentorship dlq replay``) arrives after newer events of the same
person or program. Each field of a person keeps the event that last set it, so an old update
still brings what no newer event changed. Every event is delivered twice.
"""

from __future__ import annotations

from typing import Any

import pytest

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    ParticipantUpdated,
    ParticipantWithdrawn,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_testing.kafka import eventually
from notify.domain.directory import Language, Recipient
from notify.service_layer import handlers
from notify.service_layer.context import Context

from .conftest import NotifyApi
from .test_inbox import ADA, PROGRAM


def made(api: NotifyApi, payload: EventPayload) -> Envelope[Any]:
    """An event that happened now; the clock then moves on a little."""
    event = new_envelope(payload, producer="mentoring", clock=api.clock)
    api.clock.advance(seconds=1)
    return event


async def deliver(ctx: Context, *events: Envelope[Any]) -> None:
    for event in events:
        for _ in range(2):
            if event.type == "mentoring.program.published":
                await handlers.on_program(event, ctx)
            else:
                await handlers.on_participant(event, ctx)


async def ada(ctx: Context) -> Recipient:
    [found] = await ctx.store.recipients(["pt-ada"])
    return found


def update(**fields: Any) -> ParticipantUpdated:
    return ParticipantUpdated(participant_id="pt-ada", program_id="pg-1", **fields)


async def test_an_old_profile_update_replayed_after_a_newer_one_keeps_the_newer_values(
    http_only: NotifyApi,
) -> None:
    ctx: Context = http_only.app.state.service.context()
    registered = made(http_only, ADA)
    renamed = made(http_only, update(display_name="Ada L.", email="ada.l@example.org"))
    renamed_again = made(http_only, update(display_name="Ada Lovelace", language="fr"))
    await deliver(ctx, registered, renamed_again)

    await deliver(ctx, renamed)  # the dead letter, replayed

    found = await ada(ctx)
    assert (found.display_name, found.language) == ("Ada Lovelace", Language.FR)
    assert found.email == "ada.l@example.org"  # changed by no newer event: taken


async def test_a_registration_replayed_after_the_withdrawal_leaves_the_person_withdrawn(
    http_only: NotifyApi,
) -> None:
    ctx: Context = http_only.app.state.service.context()
    registered = made(http_only, ADA)
    withdrawn = made(http_only, ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1"))
    await deliver(ctx, withdrawn)  # its registration was dead-lettered: a name is still missing

    await deliver(ctx, registered)

    found = await ada(ctx)
    assert (found.display_name, found.withdrawn) == ("Ada", True)


@pytest.mark.parametrize("last", ["One", "Two"])
async def test_of_two_profile_updates_of_the_same_moment_the_one_handled_last_is_kept(
    http_only: NotifyApi, last: str
) -> None:
    """Event ids carry no order: at the same microsecond, arrival decides, as in order."""
    ctx: Context = http_only.app.state.service.context()
    registered = made(http_only, ADA)
    one = new_envelope(update(display_name="One"), producer="mentoring", clock=http_only.clock)
    two = new_envelope(update(display_name="Two"), producer="mentoring", clock=http_only.clock)

    await deliver(ctx, registered, *((two, one) if last == "One" else (one, two)))

    assert (await ada(ctx)).display_name == last


def program(*admins: str) -> ProgramPublished:
    return PROGRAM.model_copy(
        update={"admins": [ProgramAdmin(user_id=a, display_name=a) for a in admins]}
    )


async def test_an_old_program_state_replayed_after_a_newer_one_keeps_the_newer_admins(
    http_only: NotifyApi,
) -> None:
    ctx: Context = http_only.app.state.service.context()
    first = made(http_only, program("u-old-admin"))
    http_only.clock.now = http_only.clock.now.replace(microsecond=1_000)
    within_a_millisecond = made(http_only, program("u-admin", "u-second"))
    http_only.clock.now = within_a_millisecond.occurred_at.replace(microsecond=1_400)
    latest = made(http_only, program("u-admin"))
    await deliver(ctx, latest)

    await deliver(ctx, first, within_a_millisecond)

    admins = await ctx.store.program_admins("pg-1")
    assert admins is not None
    assert [a.user_id for a in admins.admins] == ["u-admin"]


async def test_an_old_profile_update_replayed_through_kafka_changes_nothing(
    api: NotifyApi,
) -> None:
    renamed = new_envelope(update(display_name="Ada L."), producer="mentoring", clock=api.clock)
    api.clock.advance(minutes=1)
    await api.publish(ADA)
    api.clock.advance(seconds=1)
    await api.publish(update(display_name="Ada Lovelace"))
    for _ in range(2):
        await api.publish(again=renamed)  # the dead letter, replayed twice
    api.clock.advance(seconds=1)
    await api.publish(update(timezone="Europe/London"))  # same key: handled after them

    async def moved() -> bool:
        person = await api.db.people.find_one({"_id": "pt-ada"})
        return person is not None and person.get("timezone") == "Europe/London"

    await eventually(moved, timeout=30)
    person = await api.db.people.find_one({"_id": "pt-ada"})
    assert person is not None
    assert person["display_name"] == "Ada Lovelace"
