"""Creating and changing programs, registering and changing participants, on the fakes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError

from mentoring.domain.errors import AlreadyRegistered, Conflict, Forbidden, Invalid, NotFound
from mentoring.domain.participants import ParticipantStatus
from mentoring.domain.programs import Program, ProgramStatus
from mentoring.entrypoints.schemas import ParticipantPatch
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import handlers
from mentorship_runtime.request_keys import KeyReused
from services.mentoring.tests.unit.fakes import Fakes
from services.mentoring.tests.unit.service_layer.world import (
    ADMIN,
    OTHER_ADMIN,
    STRANGER,
    pair,
    person,
    program,
    register,
)


async def test_an_admin_creates_a_program_they_administer_and_it_is_published() -> None:
    fakes = Fakes()

    made = await program(fakes, proposal_expiry_days=5)

    assert fakes.store.programs[made.id] == made
    assert made.admin_ids == ("u-admin",)
    assert made.settings.proposal_expiry_days == 5
    assert made.admins[0].language == "en"  # no registration anywhere: English
    assert fakes.kinds() == ["ProgramPublished", "AdminActionRecorded"]


async def test_a_programs_creator_is_written_to_in_the_language_of_their_latest_registration() -> (
    None
):
    fakes = Fakes()
    first = await program(fakes)
    await register(fakes, first.id, "u-admin", "mentor", language="fr")

    second = await program(fakes)

    assert second.admins[0].language == "fr"


async def test_only_admins_create_programs() -> None:
    with pytest.raises(Forbidden):
        await handlers.create_program(
            cmd.CreateProgram(STRANGER, "Mine", "", "lp-1"), Fakes().context()
        )


async def test_a_program_created_again_with_its_key_is_the_same_and_published_once() -> None:
    fakes = Fakes()
    asked = cmd.CreateProgram(ADMIN, "Keyed", "", "lp-1", idempotency_key="k-1")

    first = await handlers.create_program(asked, fakes.context())
    again = await handlers.create_program(asked, fakes.context())

    assert again == first
    assert fakes.kinds().count("ProgramPublished") == 1


async def test_a_key_reused_for_another_program_is_refused() -> None:
    fakes = Fakes()
    await handlers.create_program(
        cmd.CreateProgram(ADMIN, "Keyed", "", "lp-1", idempotency_key="k-1"), fakes.context()
    )

    with pytest.raises(KeyReused):
        await handlers.create_program(
            cmd.CreateProgram(ADMIN, "Another", "", "lp-1", idempotency_key="k-1"),
            fakes.context(),
        )


async def test_an_admin_of_the_program_changes_it_at_a_new_version() -> None:
    fakes = Fakes()
    made = await program(fakes)

    changed = await handlers.update_program(
        cmd.UpdateProgram(ADMIN, made.id, name="Renamed", mutual_acceptance=True), fakes.context()
    )

    assert (changed.name, changed.settings.mutual_acceptance) == ("Renamed", True)
    assert fakes.store.programs[made.id].version == made.version + 1
    assert fakes.kinds()[-2:] == ["ProgramPublished", "AdminActionRecorded"]


async def test_a_program_changed_to_what_it_is_publishes_nothing() -> None:
    fakes = Fakes()
    made = await program(fakes)
    before = len(fakes.published)

    same = await handlers.update_program(
        cmd.UpdateProgram(ADMIN, made.id, name=made.name), fakes.context()
    )

    assert same == made
    assert len(fakes.published) == before


async def test_an_admin_of_another_program_cannot_change_this_one() -> None:
    fakes = Fakes()
    made = await program(fakes)

    with pytest.raises(Forbidden):
        await handlers.update_program(
            cmd.UpdateProgram(OTHER_ADMIN, made.id, name="Mine"), fakes.context()
        )


async def test_changing_a_program_that_does_not_exist_is_not_found() -> None:
    with pytest.raises(NotFound):
        await handlers.update_program(
            cmd.UpdateProgram(ADMIN, "pg-none", name="x"), Fakes().context()
        )


async def test_a_person_registers_themselves_with_a_role_of_their_token() -> None:
    fakes = Fakes()
    made = await program(fakes)

    mentee = await register(fakes, made.id, "u-ada", "mentee")

    assert fakes.store.participants[mentee.id] == mentee
    assert mentee.status is ParticipantStatus.ACTIVE
    assert mentee.capacity == made.settings.default_mentor_capacity
    assert fakes.kinds()[-1] == "ParticipantRegistered"


async def test_a_person_cannot_take_a_role_their_token_does_not_grant() -> None:
    fakes = Fakes()
    made = await program(fakes)

    with pytest.raises(Forbidden):
        await handlers.register_participant(
            cmd.RegisterParticipant(
                person("u-ada", "mentee"),
                made.id,
                "u-ada",
                frozenset({"mentor"}),
                "Ada",
                "a@example.org",
            ),
            fakes.context(),
        )


async def test_only_an_admin_of_the_program_registers_someone_else() -> None:
    fakes = Fakes()
    made = await program(fakes)
    someone_else = cmd.RegisterParticipant(
        STRANGER, made.id, "u-bob", frozenset({"mentee"}), "Bob", "b@example.org"
    )

    with pytest.raises(Forbidden):
        await handlers.register_participant(someone_else, fakes.context())
    by_admin = await handlers.register_participant(
        cmd.RegisterParticipant(
            ADMIN, made.id, "u-bob", frozenset({"mentee"}), "Bob", "b@example.org"
        ),
        fakes.context(),
    )
    assert by_admin.user_id == "u-bob"


async def test_a_person_registered_already_is_told_their_participant_id() -> None:
    fakes = Fakes()
    made = await program(fakes)
    mentee = await register(fakes, made.id, "u-ada", "mentee")

    with pytest.raises(AlreadyRegistered) as refused:
        await register(fakes, made.id, "u-ada", "mentee")

    assert refused.value.participant_id == mentee.id


async def test_a_registration_sent_again_with_its_key_answers_the_same_participant() -> None:
    fakes = Fakes()
    made = await program(fakes)

    first = await register(fakes, made.id, "u-ada", "mentee", idempotency_key="k-reg")
    again = await register(fakes, made.id, "u-ada", "mentee", idempotency_key="k-reg")

    assert again == first
    assert fakes.kinds().count("ParticipantRegistered") == 1


async def test_a_registration_key_reused_for_another_person_is_refused() -> None:
    fakes = Fakes()
    made = await program(fakes)
    await handlers.register_participant(
        cmd.RegisterParticipant(
            ADMIN,
            made.id,
            "u-bob",
            frozenset({"mentee"}),
            "Bob",
            "b@example.org",
            idempotency_key="k",
        ),
        fakes.context(),
    )

    with pytest.raises(KeyReused):
        await handlers.register_participant(
            cmd.RegisterParticipant(
                ADMIN,
                made.id,
                "u-eve",
                frozenset({"mentee"}),
                "Eve",
                "e@example.org",
                idempotency_key="k",
            ),
            fakes.context(),
        )


async def test_a_closed_program_takes_no_one_new() -> None:
    fakes = Fakes()
    made = await program(fakes)
    await handlers.update_program(
        cmd.UpdateProgram(ADMIN, made.id, status=ProgramStatus.CLOSED), fakes.context()
    )

    with pytest.raises(Conflict):
        await register(fakes, made.id, "u-ada", "mentee")


async def test_a_ranked_mentor_must_be_a_mentor_of_the_program() -> None:
    fakes = Fakes()
    made, mentee, _ = await pair(fakes)

    with pytest.raises(Invalid, match=r"ranked_mentors\.0"):
        await register(fakes, made.id, "u-bob", "mentee", ranked_mentors=(mentee.id,))


async def test_a_participant_changes_their_profile_and_announced_fields_are_published() -> None:
    fakes = Fakes()
    _, mentee, _ = await pair(fakes)
    ada = person("u-ada", "mentee")

    quiet = await handlers.update_participant(
        cmd.UpdateParticipant(ada, mentee.id, cmd.ParticipantChanges(goals={"python": 2})),
        fakes.context(),
    )
    announced = await handlers.update_participant(
        cmd.UpdateParticipant(ada, mentee.id, cmd.ParticipantChanges(display_name="Ada L.")),
        fakes.context(),
    )

    assert quiet.goals == {"python": 2}
    assert announced.display_name == "Ada L."
    assert fakes.store.participants[mentee.id].version == mentee.version + 2
    assert fakes.kinds().count("ParticipantUpdated") == 1


def test_a_field_that_cannot_change_is_refused() -> None:
    """The command has no such field; the request naming one is refused before it is made."""
    with pytest.raises(ValidationError, match="program_id"):
        ParticipantPatch.model_validate({"program_id": "x"})


async def test_nobody_else_changes_a_participants_profile() -> None:
    fakes = Fakes()
    _, mentee, _ = await pair(fakes)

    with pytest.raises(Forbidden):
        await handlers.update_participant(
            cmd.UpdateParticipant(STRANGER, mentee.id, cmd.ParticipantChanges(display_name="X")),
            fakes.context(),
        )


async def test_a_withdrawn_participant_changes_nothing_more() -> None:
    fakes = Fakes()
    _, mentee, _ = await pair(fakes)
    ada = person("u-ada", "mentee")
    await handlers.withdraw_participant(cmd.WithdrawParticipant(ada, mentee.id), fakes.context())

    with pytest.raises(Conflict):
        await handlers.update_participant(
            cmd.UpdateParticipant(ada, mentee.id, cmd.ParticipantChanges(display_name="X")),
            fakes.context(),
        )


async def test_a_participant_withdraws_once() -> None:
    fakes = Fakes()
    _, mentee, _ = await pair(fakes)
    withdraw = cmd.WithdrawParticipant(person("u-ada", "mentee"), mentee.id, "moving on")

    withdrawn = await handlers.withdraw_participant(withdraw, fakes.context())
    again = await handlers.withdraw_participant(withdraw, fakes.context())

    assert withdrawn.status is again.status is ParticipantStatus.WITHDRAWN
    assert fakes.kinds().count("ParticipantWithdrawn") == 1


async def test_a_participant_withdrawn_by_a_stranger_is_refused() -> None:
    fakes = Fakes()
    _, mentee, _ = await pair(fakes)

    with pytest.raises(Forbidden):
        await handlers.withdraw_participant(
            cmd.WithdrawParticipant(STRANGER, mentee.id), fakes.context()
        )


async def test_a_change_that_lost_to_a_concurrent_one_is_made_again_on_the_new_version() -> None:
    fakes = Fakes()
    made = await program(fakes)
    read = fakes.store.program

    async def read_then_overtaken(program_id: str) -> Program:
        found = await read(program_id)
        if found.version == made.version:  # another request writes in between, once
            fakes.store.programs[program_id] = replace(found, version=found.version + 1)
        return found

    fakes.store.program = read_then_overtaken  # type: ignore[method-assign]

    changed = await handlers.update_program(
        cmd.UpdateProgram(ADMIN, made.id, name="Renamed"), fakes.context()
    )

    assert changed.name == "Renamed"
    assert fakes.store.programs[made.id].version == made.version + 2
