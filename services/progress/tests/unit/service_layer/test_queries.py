"""The reads for the gateway, with who may see what: a mentee sees their own progress, a mentor
their current mentees', an admin the mentees of the programs they administer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from progress.domain.errors import Forbidden, Invalid, NotFound
from progress.domain.status import ProgressStatus
from progress.domain.tracking import TrackingState
from progress.service_layer import commands, handlers, queries
from services.progress.tests.unit.builders import PATH

from .world import (
    ADMIN,
    MENTEE,
    MENTEE_ID,
    MENTOR,
    MENTOR_ID,
    OTHER_ADMIN,
    OTHER_MENTOR,
    OTHER_MENTOR_ID,
    PROGRAM,
    STRANGER,
    World,
)


async def test_the_mentee_their_mentor_and_the_programs_admin_see_the_progress() -> None:
    world = World()
    await world.tracked()
    await handlers.complete_milestone(
        commands.CompleteMilestone(MENTEE, MENTEE_ID, "read", None), world.ctx
    )

    for reader in (MENTEE, MENTOR, ADMIN):
        view = await queries.progress_of(world.ctx, reader, MENTEE_ID)
        assert (view.mentee_id, view.milestones_done, view.milestones_total) == (MENTEE_ID, 1, 3)
        assert view.status is ProgressStatus.ON_TRACK


async def test_a_stranger_an_admin_of_another_program_and_a_former_mentor_see_no_progress() -> None:
    world = World()
    await world.tracked()
    await handlers.on_match_accepted(
        world.accepted(mentor_id=OTHER_MENTOR_ID, mentor=OTHER_MENTOR), world.ctx
    )

    for reader in (STRANGER, OTHER_ADMIN, MENTOR):
        with pytest.raises(NotFound):
            await queries.progress_of(world.ctx, reader, MENTEE_ID)


async def test_progress_is_stalled_after_the_programs_own_stall_window() -> None:
    world = World()
    await world.tracked()
    world.clock.advance(days=15)

    view = await queries.progress_of(world.ctx, MENTEE, MENTEE_ID)

    assert view.status is ProgressStatus.STALLED


async def test_a_batch_answers_in_the_order_asked_and_leaves_out_the_invisible_and_unknown() -> (
    None
):
    world = World()
    await world.tracked()
    await handlers.on_match_accepted(world.accepted(mentee_id="pt-bob"), world.ctx)

    seen = await queries.progress_batch(world.ctx, MENTOR, ["pt-bob", "pt-nobody", MENTEE_ID])
    by_stranger = await queries.progress_batch(world.ctx, STRANGER, [MENTEE_ID])

    assert [v.mentee_id for v in seen] == ["pt-bob", MENTEE_ID]
    assert by_stranger == []


async def test_a_batch_of_too_many_ids_is_refused() -> None:
    world = World()

    with pytest.raises(Invalid):
        await queries.progress_batch(world.ctx, ADMIN, [f"pt-{i}" for i in range(501)])


async def test_a_mentor_reads_their_mentees_page_by_page_with_the_counts_of_all() -> None:
    world = World()
    await world.tracked()
    for mentee_id in ("pt-bob", "pt-cy"):
        await handlers.on_match_accepted(world.accepted(mentee_id=mentee_id), world.ctx)

    first = await queries.mentees_of(world.ctx, MENTOR, None, first=2, after=None)
    rest = await queries.mentees_of(world.ctx, MENTOR, None, first=2, after=first.next_cursor)

    assert [v.mentee_id for v in first.items] == [MENTEE_ID, "pt-bob"]
    assert [v.mentee_id for v in rest.items] == ["pt-cy"]
    assert rest.next_cursor is None
    assert first.by_status[ProgressStatus.ON_TRACK] == 3
    assert sum(first.by_status.values()) == 3


async def test_an_admin_reads_another_mentors_mentees_in_their_programs_only() -> None:
    world = World()
    await world.tracked()

    page = await queries.mentees_of(world.ctx, ADMIN, MENTOR_ID, first=10, after=None)
    elsewhere = await queries.mentees_of(world.ctx, OTHER_ADMIN, MENTOR_ID, first=10, after=None)

    assert [v.mentee_id for v in page.items] == [MENTEE_ID]
    assert elsewhere.items == []


async def test_only_admins_read_another_mentors_mentees() -> None:
    world = World()
    await world.tracked()

    with pytest.raises(Forbidden):
        await queries.mentees_of(world.ctx, OTHER_MENTOR, MENTOR_ID, first=10, after=None)
    with pytest.raises(Invalid):
        await queries.mentees_of(world.ctx, MENTOR, None, first=0, after=None)


async def test_a_programs_admin_reads_its_health_across_the_path_versions_followed() -> None:
    world = World()
    await world.tracked()
    await handlers.on_match_closed(world.ended(), world.ctx)

    health = await queries.program_health(world.ctx, ADMIN, PROGRAM)

    assert health.mentees == 1
    assert health.by_status[ProgressStatus.PAUSED] == 1
    assert health.funnel


async def test_the_health_of_a_program_without_mentees_shows_its_path() -> None:
    world = World()
    await handlers.on_program_published(world.published(), world.ctx)

    health = await queries.program_health(world.ctx, ADMIN, PROGRAM)

    assert health.mentees == 0
    assert health.funnel


async def test_only_the_programs_admins_read_its_health() -> None:
    world = World()
    await world.tracked()

    for reader in (OTHER_ADMIN, MENTOR):
        with pytest.raises(Forbidden):
            await queries.program_health(world.ctx, reader, PROGRAM)


async def test_the_learning_paths_are_listed_by_their_latest_version() -> None:
    world = World()
    world.add_path(PATH.__class__(PATH.id, 2, "Small path, v2", PATH.modules))

    listed = await queries.learning_paths(world.ctx)
    latest = await queries.learning_path(world.ctx, PATH.id, None)
    first = await queries.learning_path(world.ctx, PATH.id, 1)

    assert [(p.path_id, p.version, p.title) for p in listed] == [(PATH.id, 2, "Small path, v2")]
    assert (latest.version, first.version) == (2, 1)
    with pytest.raises(NotFound):
        await queries.learning_path(world.ctx, PATH.id, 3)


async def test_a_paused_tracking_shows_as_paused() -> None:
    world = World()
    await world.tracked()
    await handlers.on_match_closed(world.declined(), world.ctx)

    view = await queries.progress_of(world.ctx, MENTEE, MENTEE_ID)

    assert view.state is TrackingState.PAUSED
    assert view.last_activity_at is None
    assert world.stall_window == timedelta(days=14)
