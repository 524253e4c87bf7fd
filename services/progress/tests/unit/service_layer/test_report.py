"""The report's projection marks each week from the events, whatever their order or repetition,
and the program's admins read the report from those marks alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from mentorship_contracts import Envelope
from progress.domain.errors import Forbidden, Invalid
from progress.domain.status import ProgressStatus
from progress.service_layer import commands, handlers, report

from .world import ADMIN, MENTEE, MENTEE_ID, MENTOR, OTHER_ADMIN, PROGRAM, World

Projection = Callable[[Envelope[Any], Any], Awaitable[None]]
PROJECTIONS: dict[str, Projection] = {
    "mentoring.match.accepted": report.on_match_accepted,
    "mentoring.match.declined": report.on_match_closed,
    "mentoring.match.ended": report.on_match_closed,
    "mentoring.participant.withdrawn": report.on_participant_withdrawn,
    "progress.check_in.recorded": report.on_check_in,
    "progress.confidence.dropped": report.on_confidence_dropped,
    "progress.session.logged": report.on_session_logged,
    "progress.milestone.completed": report.on_activity,
    "progress.milestone.reopened": report.on_activity,
    "progress.path.completed": report.on_path_completed,
}


async def project(world: World, events: list[Envelope[Any]]) -> None:
    """Each event twice, as at-least-once delivery may."""
    for event in [*events, *events]:
        projection = PROJECTIONS.get(event.type)
        if projection is not None:
            await projection(event, world.ctx)


async def a_followed_mentee(world: World) -> list[Envelope[Any]]:
    """Ada's match and activity: the events mentoring and progress published."""
    await handlers.on_program_published(world.published(), world.ctx)
    accepted = world.accepted()
    await handlers.on_match_accepted(accepted, world.ctx)
    for number, confidence in ((1, 4), (2, 2)):
        await handlers.record_check_in(
            commands.RecordCheckIn(MENTEE, MENTEE_ID, f"ci-{number}", "basics", confidence, None),
            world.ctx,
        )
        world.clock.advance(hours=1)
    await handlers.log_session(
        commands.LogSession(MENTOR, MENTEE_ID, "ss-1", world.clock().date(), 30, (), None, None),
        world.ctx,
    )
    await handlers.complete_milestone(
        commands.CompleteMilestone(MENTEE, MENTEE_ID, "read", None), world.ctx
    )
    return [accepted, *world.outbox.events]


async def test_the_report_counts_the_weeks_statuses_confidence_and_sessions() -> None:
    world = World()
    await project(world, await a_followed_mentee(world))
    today = world.clock().date()

    found = await report.program_report(world.ctx, ADMIN, PROGRAM, today, today)

    assert found.weeks[-1].counts[ProgressStatus.AT_RISK] == 1  # the confidence dropped
    assert [(c.module_id, c.assessed_by, c.at_start, c.now) for c in found.confidence] == [
        ("basics", "mentee", 4.0, 2.0)
    ]
    assert (found.active_matches, found.sessions_in_active_matches) == (1, 1)


async def test_a_match_ended_and_a_withdrawal_are_marked_in_the_report() -> None:
    world = World()
    events = await a_followed_mentee(world)
    events.append(world.ended())
    await project(world, events)
    today = world.clock().date()
    paused = await report.program_report(world.ctx, ADMIN, PROGRAM, today, today)

    await project(world, [world.withdrawn()])

    stopped = await report.program_report(world.ctx, ADMIN, PROGRAM, today, today)
    assert paused.weeks[-1].counts[ProgressStatus.PAUSED] == 1
    assert stopped.weeks[-1].counts[ProgressStatus.STOPPED] == 1
    assert stopped.active_matches == 0


async def test_a_completed_path_is_marked_once_in_the_report() -> None:
    world = World()
    events = await a_followed_mentee(world)
    for milestone_id in ("try", "post"):
        await handlers.complete_milestone(
            commands.CompleteMilestone(MENTEE, MENTEE_ID, milestone_id, None), world.ctx
        )
    await project(world, [*events, *world.outbox.events])
    today = world.clock().date()

    found = await report.program_report(world.ctx, ADMIN, PROGRAM, today, today)

    assert "progress.path.completed" in world.outbox.types()
    assert found.weeks[-1].counts[ProgressStatus.COMPLETED] == 1


async def test_a_check_in_on_a_module_id_the_marks_cannot_name_counts_as_activity_only() -> None:
    world = World()
    events = await a_followed_mentee(world)
    recorded = next(e for e in events if e.type == "progress.check_in.recorded")
    odd = recorded.model_copy(
        update={"data": recorded.data.model_copy(update={"module_id": "Odd.Module"})}
    )

    await report.on_check_in(odd, world.ctx)

    marks = await world.reports.of_program(PROGRAM)
    assert [m.activity is not None for m in marks] == [True]
    assert marks[0].first == {}


async def test_only_the_programs_admins_read_its_report() -> None:
    world = World()
    await project(world, await a_followed_mentee(world))
    today = world.clock().date()

    for reader in (OTHER_ADMIN, MENTOR):
        with pytest.raises(Forbidden):
            await report.program_report(world.ctx, reader, PROGRAM, today, today)


async def test_a_report_of_more_than_a_year_of_weeks_is_invalid() -> None:
    world = World()
    await handlers.on_program_published(world.published(), world.ctx)
    today = world.clock().date()

    with pytest.raises(Invalid):
        await report.program_report(
            world.ctx, ADMIN, PROGRAM, today.replace(year=today.year - 2), today
        )
