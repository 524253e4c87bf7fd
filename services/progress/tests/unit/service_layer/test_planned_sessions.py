"""Planning sessions ahead: the mentee and their current mentor plan, reschedule, cancel and
confirm them; a match that ends takes its sessions ahead with it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentorship_runtime.principal import Principal
from progress.domain.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from progress.domain.planned_sessions import PlannedStatus, Schedule, When, schedule_of
from progress.service_layer import commands, handlers
from progress.service_layer import planned_sessions as use
from progress.service_layer.queries import MAX_PAGE

from .world import (
    MENTEE,
    MENTEE_ID,
    MENTOR,
    MENTOR_ID,
    OTHER_MENTOR,
    OTHER_MENTOR_ID,
    STRANGER,
    World,
)


def schedule(world: World, days: int = 3, **extra: object) -> Schedule:
    given: dict[str, object] = {
        "local_start": (world.clock() + timedelta(days=days)).strftime("%Y-%m-%dT10:00"),
        "time_zone": "Europe/Paris",
        "duration_minutes": 45,
        "location": "Café",
        "video_url": None,
        "module_ids": ["basics"],
        **extra,
    }
    return schedule_of(**given)  # type: ignore[arg-type]


def plan(
    world: World, actor: Principal = MENTEE, planned_id: str = "ps-1", days: int = 3
) -> commands.PlanSession:
    return commands.PlanSession(actor, MENTEE_ID, planned_id, schedule(world, days))


async def planned(world: World, planned_id: str = "ps-1", days: int = 3) -> None:
    await world.tracked()
    await use.plan_session(plan(world, planned_id=planned_id, days=days), world.ctx)


async def test_a_planned_session_is_stored_with_the_current_mentor_and_announced() -> None:
    world = World()
    await world.tracked()

    session = await use.plan_session(plan(world), world.ctx)

    assert (session.mentor_id, session.planned_by, session.status) == (
        MENTOR_ID,
        "mentee",
        PlannedStatus.SCHEDULED,
    )
    assert await world.planned.find("ps-1") == session
    assert world.outbox.types() == ["progress.session.planned"]


async def test_planning_the_same_session_again_answers_the_first_one() -> None:
    world = World()
    await world.tracked()
    first = await use.plan_session(plan(world), world.ctx)

    again = await use.plan_session(plan(world), world.ctx)

    assert again == first
    assert world.outbox.types() == ["progress.session.planned"]


async def test_another_plan_under_a_taken_id_is_a_conflict() -> None:
    world = World()
    await planned(world)

    with pytest.raises(Conflict):
        await use.plan_session(plan(world, days=5), world.ctx)


async def test_a_stranger_may_not_plan_a_session() -> None:
    world = World()
    await world.tracked()

    with pytest.raises(Forbidden):
        await use.plan_session(plan(world, actor=STRANGER), world.ctx)
    assert world.planned.sessions == {}


async def test_no_session_is_planned_for_a_mentee_whose_match_ended() -> None:
    world = World()
    await world.tracked()
    await handlers.on_match_closed(world.ended(), world.ctx)

    with pytest.raises(InvalidTransition):
        await use.plan_session(plan(world), world.ctx)


async def test_a_module_outside_the_mentees_path_is_not_found() -> None:
    world = World()
    await world.tracked()
    command = commands.PlanSession(
        MENTEE, MENTEE_ID, "ps-1", schedule(world, module_ids=["elsewhere"])
    )

    with pytest.raises(NotFound):
        await use.plan_session(command, world.ctx)


async def test_a_rescheduled_session_moves_and_announces_where_it_moved_from() -> None:
    world = World()
    await planned(world)
    before = (await world.planned.get("ps-1")).session.schedule.starts_at

    moved = await use.reschedule_session(
        commands.RescheduleSession(MENTOR, "ps-1", schedule(world, days=4)), world.ctx
    )

    assert moved.schedule.starts_at == before + timedelta(days=1)
    assert moved.sequence == 1
    rescheduled = world.outbox.events[-1]
    assert rescheduled.type == "progress.session.rescheduled"
    assert rescheduled.data.previous_starts_at == before


async def test_a_stranger_may_not_reschedule_or_cancel_a_session() -> None:
    world = World()
    await planned(world)

    with pytest.raises(Forbidden):
        await use.reschedule_session(
            commands.RescheduleSession(STRANGER, "ps-1", schedule(world, days=4)), world.ctx
        )
    with pytest.raises(Forbidden):
        await use.cancel_session(commands.CancelSession(STRANGER, "ps-1", None), world.ctx)


async def test_a_cancelled_session_is_announced_once() -> None:
    world = World()
    await planned(world)

    cancelled = await use.cancel_session(commands.CancelSession(MENTOR, "ps-1", "ill"), world.ctx)
    again = await use.cancel_session(commands.CancelSession(MENTOR, "ps-1", "ill"), world.ctx)

    assert cancelled.status is PlannedStatus.CANCELLED
    assert again == cancelled
    assert world.outbox.types() == ["progress.session.planned", "progress.session.cancelled"]


async def test_changing_a_session_nobody_planned_is_not_found() -> None:
    world = World()
    await world.tracked()

    with pytest.raises(NotFound):
        await use.cancel_session(commands.CancelSession(MENTEE, "ps-9", None), world.ctx)


async def test_a_session_confirmed_as_held_is_logged_in_the_tracking() -> None:
    world = World()
    await planned(world)
    world.clock.advance(days=4)

    held = await use.confirm_held(commands.ConfirmHeld(MENTOR, "ps-1", "good", 5), world.ctx)

    assert held.status is PlannedStatus.HELD
    stored = await world.store.get(MENTEE_ID)
    assert [(s.id, s.mentor_rating, s.notes) for s in stored.tracking.sessions] == [
        ("ps-1", 5, "good")
    ]
    assert world.outbox.types() == ["progress.session.planned", "progress.session.logged"]


async def test_a_session_cannot_be_confirmed_before_it_starts() -> None:
    world = World()
    await planned(world)

    with pytest.raises(Conflict):
        await use.confirm_held(commands.ConfirmHeld(MENTEE, "ps-1", None, None), world.ctx)
    assert (await world.store.get(MENTEE_ID)).tracking.sessions == ()


async def test_a_former_mentor_may_not_confirm_a_session_of_their_match() -> None:
    world = World()
    await planned(world)
    await handlers.on_match_accepted(
        world.accepted(mentor_id=OTHER_MENTOR_ID, mentor=OTHER_MENTOR), world.ctx
    )
    world.clock.advance(days=4)

    with pytest.raises(Forbidden):
        await use.confirm_held(commands.ConfirmHeld(MENTOR, "ps-1", None, None), world.ctx)
    with pytest.raises(Forbidden):  # the new mentor did not plan it
        await use.confirm_held(commands.ConfirmHeld(OTHER_MENTOR, "ps-1", None, None), world.ctx)


async def test_the_mentee_and_mentor_list_the_planned_sessions_and_a_stranger_is_told_none() -> (
    None
):
    world = World()
    await planned(world, "ps-2", days=5)
    await use.plan_session(plan(world, planned_id="ps-1", days=2), world.ctx)

    listed = await use.planned_of(world.ctx, MENTOR, MENTEE_ID)

    assert [p.id for p in listed.items] == ["ps-1", "ps-2"]
    with pytest.raises(NotFound):
        await use.planned_of(world.ctx, STRANGER, MENTEE_ID)


async def test_one_planned_session_is_read_by_its_mentee_and_mentor_only() -> None:
    world = World()
    await planned(world)

    assert (await use.planned_session(world.ctx, MENTEE, "ps-1")).id == "ps-1"
    assert (await use.planned_session(world.ctx, MENTOR, "ps-1")).id == "ps-1"
    with pytest.raises(NotFound):
        await use.planned_session(world.ctx, STRANGER, "ps-1")
    with pytest.raises(NotFound):
        await use.planned_session(world.ctx, MENTEE, "ps-unknown")


async def every_page(world: World, when: When, first: int) -> list[list[str]]:
    pages: list[list[str]] = []
    after = None
    while True:
        page = await use.planned_of(
            world.ctx, MENTEE, MENTEE_ID, when=when, first=first, after=after
        )
        pages.append([p.id for p in page.items])
        if page.next_cursor is None:
            return pages
        after = page.next_cursor


async def test_upcoming_sessions_come_earliest_first_and_past_ones_latest_first_page_by_page() -> (
    None
):
    world = World()
    await world.tracked()
    for day in (4, 1, 3, 2, 5):
        await use.plan_session(plan(world, planned_id=f"ps-{day}", days=day), world.ctx)
    world.clock.advance(days=3)  # ps-1, ps-2 and ps-3 have started (10:00, a few days ahead)

    upcoming = await every_page(world, When.UPCOMING, first=1)
    past = await every_page(world, When.PAST, first=2)

    assert upcoming == [["ps-4"], ["ps-5"]]
    assert past == [["ps-3", "ps-2"], ["ps-1"]]


async def test_sessions_at_the_same_start_are_each_listed_once_across_pages() -> None:
    world = World()
    await world.tracked()
    for n in range(5):
        await use.plan_session(plan(world, planned_id=f"ps-{n}", days=2), world.ctx)

    pages = await every_page(world, When.UPCOMING, first=2)

    assert pages == [["ps-0", "ps-1"], ["ps-2", "ps-3"], ["ps-4"]]


async def test_a_cursor_of_the_other_list_or_not_a_cursor_at_all_is_refused() -> None:
    world = World()
    await world.tracked()
    for n in range(3):
        await use.plan_session(plan(world, planned_id=f"ps-{n}", days=n + 1), world.ctx)
    upcoming = await use.planned_of(world.ctx, MENTEE, MENTEE_ID, first=1)
    assert upcoming.next_cursor is not None

    for when, after in (
        (When.PAST, upcoming.next_cursor),
        (When.UPCOMING, "upcoming.bm90IGEgY3Vyc29y"),
        (When.UPCOMING, "not a cursor"),
        (When.UPCOMING, "upcoming."),
    ):
        with pytest.raises(Invalid) as refused:
            await use.planned_of(world.ctx, MENTEE, MENTEE_ID, when=when, after=after)
        assert refused.value.field == "after"
    for first in (0, 101):
        with pytest.raises(Invalid) as refused:
            await use.planned_of(world.ctx, MENTEE, MENTEE_ID, first=first)
        assert refused.value.field == "first"


async def test_an_ended_match_cancels_its_sessions_still_ahead_as_the_platform() -> None:
    world = World()
    await planned(world)

    await use.on_match_ended(world.ended(), world.ctx)

    session = (await world.planned.get("ps-1")).session
    assert (session.status, session.changed_by) == (PlannedStatus.CANCELLED, "platform")
    assert world.outbox.types()[-1] == "progress.session.cancelled"


async def test_an_old_ending_replayed_after_a_rematch_with_the_same_mentor_cancels_nothing() -> (
    None
):
    world = World()
    await world.tracked()
    old_end = world.ended()
    await handlers.on_match_accepted(world.accepted(), world.ctx)
    await use.plan_session(plan(world), world.ctx)

    await use.on_match_ended(old_end, world.ctx)

    assert (await world.planned.get("ps-1")).session.status is PlannedStatus.SCHEDULED


async def test_an_ended_match_cancels_every_session_ahead_however_many_pages_they_fill() -> None:
    world = World()
    await world.tracked()
    for n in range(MAX_PAGE + 5):
        await use.plan_session(plan(world, planned_id=f"ps-{n:03}", days=1 + n % 300), world.ctx)

    cancelled = await use.cancel_ahead(world.ctx, world.ended(), MENTEE_ID, MENTOR_ID)

    assert cancelled == MAX_PAGE + 5
    assert {p.session.status for p in world.planned.sessions.values()} == {PlannedStatus.CANCELLED}


async def test_a_withdrawal_cancels_the_mentees_sessions_ahead_once() -> None:
    world = World()
    await planned(world)
    withdrawal = world.withdrawn()

    await use.on_participant_withdrawn(withdrawal, world.ctx)
    await use.on_participant_withdrawn(withdrawal, world.ctx)

    assert (await world.planned.get("ps-1")).session.status is PlannedStatus.CANCELLED
    assert world.outbox.types().count("progress.session.cancelled") == 1


async def test_sessions_already_past_are_not_cancelled_by_the_end_of_the_match() -> None:
    world = World()
    await planned(world, days=1)
    world.clock.advance(days=3)

    cancelled = await use.cancel_ahead(world.ctx, world.ended(), MENTEE_ID, MENTOR_ID)

    assert cancelled == 0
    assert (await world.planned.get("ps-1")).session.status is PlannedStatus.SCHEDULED
