"""The directory kept from mentoring's events, through the use cases and fakes."""

from __future__ import annotations

from datetime import timedelta

from mentorship_contracts.events import ParticipantUpdated, ParticipantWithdrawn
from notify.domain.directory import Role
from notify.domain.events import EventKind
from notify.service_layer import handlers

from .events import ADA, GRACE, PROGRAM, T0, event, knowing


async def test_a_registered_participant_becomes_a_recipient() -> None:
    world = await knowing(GRACE)

    [grace] = await world.store.recipients(["pt-grace"])

    assert (grace.display_name, grace.email, grace.user_id) == (
        "Grace",
        "grace@example.org",
        "u-grace",
    )
    assert grace.roles == frozenset({Role.MENTOR})
    assert grace.timezone == "Europe/Paris"


async def test_an_update_changes_only_the_fields_it_names() -> None:
    world = await knowing(GRACE)
    renamed = ParticipantUpdated(
        participant_id="pt-grace", program_id="pg-1", display_name="Grace Hopper"
    )

    await handlers.on_participant(event(renamed, T0 + timedelta(minutes=1)), world.context())

    [grace] = await world.store.recipients(["pt-grace"])
    assert (grace.display_name, grace.email) == ("Grace Hopper", "grace@example.org")


async def test_an_older_update_replayed_after_a_newer_one_rolls_nothing_back() -> None:
    world = await knowing(GRACE)
    ctx = world.context()
    older = ParticipantUpdated(participant_id="pt-grace", program_id="pg-1", display_name="G.")
    newer = ParticipantUpdated(participant_id="pt-grace", program_id="pg-1", display_name="GH")

    await handlers.on_participant(event(newer, T0 + timedelta(minutes=2)), ctx)
    await handlers.on_participant(event(older, T0 + timedelta(minutes=1)), ctx)

    [grace] = await world.store.recipients(["pt-grace"])
    assert grace.display_name == "GH"


async def test_a_withdrawal_marks_the_person_withdrawn_and_tells_the_programs_admins() -> None:
    world = await knowing()
    withdrawn = ParticipantWithdrawn(participant_id="pt-ada", program_id="pg-1")

    await handlers.on_participant(event(withdrawn, T0 + timedelta(hours=1)), world.context())

    [ada] = await world.store.recipients(["pt-ada"])
    assert ada.withdrawn
    told = [s for s in world.store.notifications.values() if s.user_id == "u-alan"]
    assert [s.notification.kind for s in told] == [EventKind.PARTICIPANT_WITHDRAWN]


async def test_a_published_program_keeps_its_admins_and_an_older_state_changes_nothing() -> None:
    world = await knowing(PROGRAM)
    renamed = PROGRAM.model_copy(update={"admins": []})

    await handlers.on_program(event(renamed, T0 - timedelta(days=1)), world.context())

    admins = await world.store.program_admins("pg-1")
    assert admins is not None
    assert [a.user_id for a in admins.admins] == ["u-alan"]
    assert world.store.programs["pg-1"][0].name == "Pilot"


async def test_a_newer_program_state_replaces_the_admins() -> None:
    world = await knowing(PROGRAM)

    await handlers.on_program(
        event(PROGRAM.model_copy(update={"admins": []}), T0 + timedelta(days=1)), world.context()
    )

    admins = await world.store.program_admins("pg-1")
    assert admins is not None
    assert admins.admins == ()


async def test_an_erased_persons_entry_takes_nothing_from_a_late_event() -> None:
    world = await knowing(ADA)
    world.store.people["pt-ada"]["erased"] = True

    await handlers.on_participant(event(ADA, T0 + timedelta(days=1)), world.context())

    assert world.store.people["pt-ada"]["erased"] is True
