"""Upserts by external id, finished imports, and the release of stale places, on the fakes."""

from __future__ import annotations

from typing import Any

import pytest

from mentoring.domain.errors import Forbidden
from mentoring.domain.matches import MatchStatus
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import handlers, upserts
from mentoring.service_layer.commands import (
    ExternalProfile,
    ImportDone,
    ParticipantUpsert,
    UpsertParticipants,
)
from mentoring.service_layer.imports import record_import
from mentoring.service_layer.reconciliation import release_stale_places
from mentoring.service_layer.upserts import Outcome
from services.mentoring.tests.unit.fakes import Fakes
from services.mentoring.tests.unit.service_layer.world import (
    ADMIN,
    OTHER_ADMIN,
    pair,
    program,
    proposal,
)

NEW: dict[str, Any] = {"display_name": "Hedy", "email": "hedy@example.org", "roles": {"mentor"}}


def upsert(
    program_id: str, *rows: tuple[str, dict[str, Any]], **options: Any
) -> UpsertParticipants:
    return UpsertParticipants(
        ADMIN,
        program_id,
        tuple(ParticipantUpsert(e, ExternalProfile(**v)) for e, v in rows),
        **options,
    )


async def test_an_upsert_creates_updates_or_leaves_a_person_named_by_external_id() -> None:
    fakes = Fakes()
    made = await program(fakes)

    (created,) = await upserts.upsert_participants(upsert(made.id, ("e-1", NEW)), fakes.context())
    (same,) = await upserts.upsert_participants(upsert(made.id, ("e-1", NEW)), fakes.context())
    (updated,) = await upserts.upsert_participants(
        upsert(made.id, ("e-1", {"department": "R&D"})), fakes.context()
    )

    assert (created.outcome, same.outcome, updated.outcome) == (
        Outcome.CREATED,
        Outcome.UNCHANGED,
        Outcome.UPDATED,
    )
    stored = fakes.store.participants[created.participant_id or ""]
    assert created.participant_id == upserts.participant_id_for(made.id, "e-1")
    assert (stored.external_id, stored.department, stored.version) == ("e-1", "R&D", 1)
    assert fakes.kinds().count("ParticipantRegistered") == 1


async def test_an_announced_change_is_published_and_a_quiet_one_is_not() -> None:
    fakes = Fakes()
    made = await program(fakes)
    await upserts.upsert_participants(upsert(made.id, ("e-1", NEW)), fakes.context())

    await upserts.upsert_participants(
        upsert(made.id, ("e-1", {"competencies": {"python": 2}})), fakes.context()
    )
    await upserts.upsert_participants(
        upsert(made.id, ("e-1", {"display_name": "Hedy L."})), fakes.context()
    )

    assert fakes.kinds().count("ParticipantUpdated") == 1


async def test_a_dry_run_answers_the_outcomes_and_writes_nothing() -> None:
    fakes = Fakes()
    made = await program(fakes)
    published = len(fakes.published)

    (planned,) = await upserts.upsert_participants(
        upsert(made.id, ("e-1", NEW), dry_run=True), fakes.context()
    )

    assert planned.outcome is Outcome.CREATED
    assert fakes.store.participants == {}
    assert len(fakes.published) == published


async def test_a_row_naming_an_unknown_manager_is_deferred_until_the_final_pass_refuses_it() -> (
    None
):
    fakes = Fakes()
    made = await program(fakes)
    row = ("e-1", {**NEW, "manager": "e-boss"})

    (deferred,) = await upserts.upsert_participants(
        upsert(made.id, row, final=False), fakes.context()
    )
    (refused,) = await upserts.upsert_participants(upsert(made.id, row), fakes.context())

    assert deferred.outcome is Outcome.DEFERRED
    assert (refused.outcome, refused.field) == (Outcome.REFUSED, "manager")
    assert fakes.store.participants == {}


async def test_a_new_person_without_a_name_is_refused_and_the_other_rows_go_on() -> None:
    fakes = Fakes()
    made = await program(fakes)

    refused, created = await upserts.upsert_participants(
        upsert(made.id, ("e-1", {"email": "x@example.org"}), ("e-2", NEW)), fakes.context()
    )

    assert (refused.outcome, refused.field) == (Outcome.REFUSED, "display_name")
    assert created.outcome is Outcome.CREATED


async def test_a_person_who_registered_themselves_is_linked_to_their_external_id() -> None:
    fakes = Fakes()
    made, mentee, _ = await pair(fakes)

    (linked,) = await upserts.upsert_participants(
        upsert(made.id, ("e-ada", {"user_id": "u-ada"})), fakes.context()
    )

    assert (linked.outcome, linked.participant_id) == (Outcome.UPDATED, mentee.id)
    assert fakes.store.participants[mentee.id].external_id == "e-ada"


async def test_an_audited_upsert_records_each_write() -> None:
    fakes = Fakes()
    made = await program(fakes)

    await upserts.upsert_participants(upsert(made.id, ("e-1", NEW), audited=True), fakes.context())

    assert fakes.kinds()[-2:] == ["ParticipantRegistered", "AdminActionRecorded"]


async def test_only_the_programs_admins_upsert_its_people() -> None:
    fakes = Fakes()
    made = await program(fakes)

    with pytest.raises(Forbidden):
        await upserts.upsert_participants(
            UpsertParticipants(
                OTHER_ADMIN, made.id, (ParticipantUpsert("e-1", ExternalProfile(**NEW)),)
            ),
            fakes.context(),
        )


async def test_a_finished_import_is_recorded_once_with_its_counts_and_audit_record() -> None:
    fakes = Fakes()
    made = await program(fakes)

    import_id = await record_import(
        ImportDone(ADMIN, made.id, "people.csv", 3, 1, 1, 0, 1), fakes.context()
    )

    (record,) = fakes.imports.records
    assert (record.id, record.program_id, record.by) == (import_id, made.id, ADMIN.user_id)
    assert (record.rows, record.created, record.updated, record.refused) == (3, 1, 1, 1)
    assert fakes.kinds()[-1] == "AdminActionRecorded"
    assert fakes.published[-1].data.after["rows"] == 3


async def test_only_the_programs_admins_record_an_import() -> None:
    fakes = Fakes()
    made = await program(fakes)

    with pytest.raises(Forbidden):
        await record_import(
            ImportDone(OTHER_ADMIN, made.id, "people.csv", 1, 1, 0, 0, 0), fakes.context()
        )


async def test_a_place_held_for_a_closed_match_is_released() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    # a crash between closing the match and releasing its places
    fakes.store.matches[match.id] = match.cancel(now=fakes.clock(), reason="gone")
    assert fakes.store.matches[match.id].status is MatchStatus.CANCELLED

    released = await release_stale_places(fakes.context())

    assert released == 2
    assert fakes.store.participants[mentee.id].open_matches == ()
    assert await release_stale_places(fakes.context()) == 0


async def test_a_place_held_for_an_open_match_stays() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)

    assert await release_stale_places(fakes.context()) == 0
    assert fakes.store.participants[mentee.id].open_matches == (match.id,)


async def test_a_place_held_for_a_match_never_written_is_released_when_seen_missing_twice() -> None:
    fakes = Fakes()
    _, mentee, _ = await pair(fakes)
    await fakes.store.claim_place(mentee.id, "m-never-written", 1)

    assert await release_stale_places(fakes.context()) == 0  # maybe being written right now
    assert await release_stale_places(fakes.context()) == 1
    assert fakes.store.participants[mentee.id].open_matches == ()


async def test_a_place_held_for_a_match_pairing_other_people_is_released() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    match = await proposal(fakes, made.id, mentee, mentor)
    await handlers.register_participant(
        cmd.RegisterParticipant(
            ADMIN, made.id, "u-bob", frozenset({"mentor"}), "Bob", "b@example.org"
        ),
        fakes.context(),
    )
    (bob,) = [p for p in fakes.store.participants.values() if p.user_id == "u-bob"]
    await fakes.store.claim_place(bob.id, match.id, 3)

    assert await release_stale_places(fakes.context()) == 1
    assert fakes.store.participants[bob.id].open_matches == ()
    assert fakes.store.participants[mentee.id].open_matches == (match.id,)
