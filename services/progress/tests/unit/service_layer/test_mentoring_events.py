"""Mentoring's events start, pause and stop a mentee's tracking, at least once and in any order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from progress.domain.errors import InvalidTransition
from progress.domain.seed import DEFAULT_PATH, DEFAULT_PATH_ID
from progress.domain.tracking import TrackingState
from progress.service_layer import handlers
from progress.service_layer.ports import PersonalRecords
from services.progress.tests.unit.builders import PATH

from .world import ADMIN, MENTEE, MENTEE_ID, MENTOR, OTHER_MENTOR, OTHER_MENTOR_ID, PROGRAM, World


async def test_an_accepted_match_starts_tracking_the_mentee_on_the_programs_path() -> None:
    world = World()
    await handlers.on_program_published(world.published(), world.ctx)

    await handlers.on_match_accepted(world.accepted(), world.ctx)

    stored = await world.store.get(MENTEE_ID)
    assert stored.tracking.state is TrackingState.ACTIVE
    assert (stored.tracking.path_id, stored.tracking.path_version) == (PATH.id, PATH.version)
    assert (stored.mentee_user_id, stored.mentor_user_id) == (MENTEE.user_id, MENTOR.user_id)
    assert world.outbox.events == []


async def test_a_match_accepted_twice_starts_one_tracking() -> None:
    world = World()
    event = world.accepted(learning_path_id=PATH.id)

    await handlers.on_match_accepted(event, world.ctx)
    await handlers.on_match_accepted(event, world.ctx)

    assert list(world.store.trackings) == [MENTEE_ID]
    assert (await world.store.get(MENTEE_ID)).version == 0


async def test_a_path_progress_does_not_know_falls_back_to_the_default_path() -> None:
    world = World()
    world.add_path(DEFAULT_PATH)

    await handlers.on_match_accepted(world.accepted(learning_path_id="unknown-path"), world.ctx)

    assert (await world.store.get(MENTEE_ID)).tracking.path_id == DEFAULT_PATH_ID


async def test_a_match_of_an_erased_participation_starts_no_tracking() -> None:
    world = World()
    await world.erasures.record("er-1", [MENTEE_ID], {}, world.clock(), [])

    await handlers.on_match_accepted(world.accepted(learning_path_id=PATH.id), world.ctx)

    assert world.store.trackings == {}


async def test_a_new_mentor_takes_over_and_the_former_one_loses_access() -> None:
    world = World()
    await world.tracked()

    await handlers.on_match_accepted(
        world.accepted(mentor_id=OTHER_MENTOR_ID, mentor=OTHER_MENTOR), world.ctx
    )

    stored = await world.store.get(MENTEE_ID)
    assert stored.tracking.mentor_id == OTHER_MENTOR_ID
    assert stored.mentor_user_id == OTHER_MENTOR.user_id


async def test_an_ended_match_pauses_the_tracking_and_detaches_the_mentor() -> None:
    world = World()
    await world.tracked()

    await handlers.on_match_closed(world.ended(), world.ctx)

    stored = await world.store.get(MENTEE_ID)
    assert stored.tracking.state is TrackingState.PAUSED
    assert stored.mentor_user_id is None


async def test_a_declined_match_of_someone_never_tracked_changes_nothing() -> None:
    world = World()

    await handlers.on_match_closed(world.declined(), world.ctx)

    assert world.store.trackings == {}
    assert world.store.parked == {}


async def test_an_old_match_ended_replayed_after_a_rematch_pauses_nothing() -> None:
    world = World()
    await world.tracked()
    old_end = world.ended()
    await handlers.on_match_accepted(world.accepted(), world.ctx)

    await handlers.on_match_closed(old_end, world.ctx)

    assert (await world.store.get(MENTEE_ID)).tracking.state is TrackingState.ACTIVE


async def test_a_withdrawal_stops_the_tracking_and_an_older_match_replayed_changes_nothing() -> (
    None
):
    world = World()
    await world.tracked()
    older = world.accepted(mentor_id=OTHER_MENTOR_ID, mentor=OTHER_MENTOR)

    await handlers.on_participant_withdrawn(world.withdrawn(), world.ctx)
    await handlers.on_match_accepted(older, world.ctx)

    stored = await world.store.get(MENTEE_ID)
    assert stored.tracking.state is TrackingState.STOPPED
    assert stored.tracking.mentor_id != OTHER_MENTOR_ID


async def test_a_newer_match_of_a_withdrawn_mentee_is_refused() -> None:
    world = World()
    await world.tracked()
    await handlers.on_participant_withdrawn(world.withdrawn(), world.ctx)

    with pytest.raises(InvalidTransition):
        await handlers.on_match_accepted(world.accepted(), world.ctx)


async def test_events_about_an_untracked_mentee_are_parked_and_replayed_with_their_match() -> None:
    world = World()
    await handlers.on_program_published(world.published(), world.ctx)
    ending = world.ended()
    await handlers.on_match_closed(ending, world.ctx)
    await handlers.on_match_closed(ending, world.ctx)  # parked once
    assert len(world.store.parked) == 1
    assert world.store.trackings == {}

    await handlers.on_match_accepted(world.accepted(), world.ctx)

    assert world.store.parked == {}
    assert MENTEE_ID in world.store.trackings


async def test_a_parked_withdrawal_stops_the_tracking_its_match_starts() -> None:
    world = World()
    await handlers.on_program_published(world.published(), world.ctx)
    await handlers.on_participant_withdrawn(world.withdrawn(), world.ctx)

    await handlers.on_match_accepted(world.accepted(), world.ctx)

    assert (await world.store.get(MENTEE_ID)).tracking.state is TrackingState.STOPPED
    assert world.store.parked == {}


async def test_a_published_program_is_kept_with_its_admins_and_stall_window() -> None:
    world = World()

    await handlers.on_program_published(world.published(stall_window_days=21), world.ctx)

    program = await world.store.program(PROGRAM)
    assert program is not None
    assert program.admin_ids == {ADMIN.user_id}
    assert program.stall_window == timedelta(days=21)


async def test_an_older_program_state_replayed_never_replaces_a_newer_one() -> None:
    world = World()
    old = world.published(stall_window_days=7)
    await handlers.on_program_published(world.published(stall_window_days=21), world.ctx)

    await handlers.on_program_published(old, world.ctx)

    program = await world.store.program(PROGRAM)
    assert program is not None
    assert program.stall_window == timedelta(days=21)


def test_personal_records_name_their_sections() -> None:
    records = PersonalRecords(trackings=[{"_id": "x"}], recorded_as_mentor=[], planned_sessions=[])

    assert records.sections() == {
        "trackings": [{"_id": "x"}],
        "recorded_as_mentor": [],
        "planned_sessions": [],
    }
