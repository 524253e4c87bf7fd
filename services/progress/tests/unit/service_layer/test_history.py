"""A mentee's history in detail: everything for the mentee and their current mentor, the figures
for the program's admins, nothing (not found) for anyone else."""

from __future__ import annotations

import pytest

from mentorship_runtime.principal import Principal
from progress.domain.errors import Invalid, NotFound
from progress.domain.history import Sight
from progress.service_layer import commands, handlers, history

from .world import (
    ADMIN,
    MENTEE,
    MENTEE_ID,
    MENTOR,
    OTHER_ADMIN,
    OTHER_MENTOR,
    OTHER_MENTOR_ID,
    STRANGER,
    World,
)


async def with_history(world: World) -> None:
    await world.tracked()
    for number, confidence in ((1, 2), (2, 4)):
        await handlers.record_check_in(
            commands.RecordCheckIn(MENTEE, MENTEE_ID, f"ci-{number}", "basics", confidence, "n"),
            world.ctx,
        )
        world.clock.advance(hours=1)
    await handlers.complete_milestone(
        commands.CompleteMilestone(MENTOR, MENTEE_ID, "read", "the evidence"), world.ctx
    )
    await handlers.log_session(
        commands.LogSession(
            MENTOR, MENTEE_ID, "ss-1", world.clock().date(), 30, ("basics",), "private", 4
        ),
        world.ctx,
    )


@pytest.mark.parametrize(
    ("reader", "sight"), [(MENTEE, Sight.FULL), (MENTOR, Sight.FULL), (ADMIN, Sight.FIGURES)]
)
async def test_each_reader_is_told_how_much_they_see(reader: Principal, sight: Sight) -> None:
    world = World()
    await with_history(world)

    assert await history.sight(world.ctx, reader, MENTEE_ID) is sight


async def test_strangers_other_admins_and_a_former_mentor_are_told_the_mentee_is_not_found() -> (
    None
):
    world = World()
    await with_history(world)
    await handlers.on_match_accepted(
        world.accepted(mentor_id=OTHER_MENTOR_ID, mentor=OTHER_MENTOR), world.ctx
    )

    for reader in (STRANGER, OTHER_ADMIN, MENTOR):
        with pytest.raises(NotFound):
            await history.sight(world.ctx, reader, MENTEE_ID)
        with pytest.raises(NotFound):
            await history.check_ins(
                world.ctx, reader, MENTEE_ID, module_id=None, first=5, after=None
            )


async def test_the_milestones_come_in_the_paths_order_with_their_evidence_for_the_mentor() -> None:
    world = World()
    await with_history(world)

    page = await history.milestones(world.ctx, MENTOR, MENTEE_ID, first=2, after=None)
    rest = await history.milestones(world.ctx, MENTOR, MENTEE_ID, first=2, after=page.next_cursor)

    assert [m.milestone_id for m in page.items + rest.items] == ["read", "try", "post"]
    assert (page.items[0].done, page.items[0].evidence) == (True, "the evidence")
    assert rest.next_cursor is None


async def test_an_admin_sees_the_figures_without_the_texts() -> None:
    world = World()
    await with_history(world)

    milestones = await history.milestones(world.ctx, ADMIN, MENTEE_ID, first=5, after=None)
    check_ins = await history.check_ins(
        world.ctx, ADMIN, MENTEE_ID, module_id=None, first=5, after=None
    )
    session = await history.session(world.ctx, ADMIN, MENTEE_ID, "ss-1")

    assert (milestones.items[0].done, milestones.items[0].evidence) == (True, None)
    assert [(c.confidence, c.note) for c in check_ins.items] == [(4, None), (2, None)]
    assert (session.mentor_rating, session.notes) == (4, None)


async def test_the_check_ins_newest_first_and_one_by_its_id() -> None:
    world = World()
    await with_history(world)

    page = await history.check_ins(
        world.ctx, MENTEE, MENTEE_ID, module_id="basics", first=1, after=None
    )
    one = await history.check_in(world.ctx, MENTEE, MENTEE_ID, "ci-1")

    assert [c.id for c in page.items] == ["ci-2"]
    assert page.next_cursor is not None
    assert (one.confidence, one.note) == (2, "n")
    with pytest.raises(NotFound):
        await history.check_in(world.ctx, MENTEE, MENTEE_ID, "ci-9")


async def test_a_modules_confidence_series_oldest_first() -> None:
    world = World()
    await with_history(world)

    series = await history.confidence_series(
        world.ctx, ADMIN, MENTEE_ID, module_id="basics", first=5, after=None
    )

    assert [(p.check_in_id, p.confidence) for p in series.items] == [("ci-1", 2), ("ci-2", 4)]


async def test_the_sessions_and_one_by_its_id_for_the_mentee() -> None:
    world = World()
    await with_history(world)

    page = await history.sessions(world.ctx, MENTEE, MENTEE_ID, first=5, after=None)
    one = await history.session(world.ctx, MENTEE, MENTEE_ID, "ss-1")

    assert [s.id for s in page.items] == ["ss-1"]
    assert one.notes == "private"


async def test_a_page_size_out_of_bounds_or_a_blank_module_id_is_invalid() -> None:
    world = World()
    await with_history(world)

    with pytest.raises(Invalid):
        await history.sessions(world.ctx, MENTEE, MENTEE_ID, first=101, after=None)
    with pytest.raises(Invalid):
        await history.check_ins(world.ctx, MENTEE, MENTEE_ID, module_id="  ", first=5, after=None)


async def test_the_history_of_a_mentee_nobody_tracks_is_not_found() -> None:
    world = World()

    with pytest.raises(NotFound):
        await history.milestones(world.ctx, MENTEE, MENTEE_ID, first=5, after=None)
