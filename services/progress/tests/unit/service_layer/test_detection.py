"""The stall detection job: each stall is announced once, under each program's own window."""

from __future__ import annotations

from datetime import timedelta

from progress.service_layer import commands, handlers
from progress.service_layer.ports import Detected

from .world import MENTEE, MENTEE_ID, World


async def test_a_mentee_idle_past_the_stall_window_is_announced_stalled_once() -> None:
    world = World()
    await world.tracked()
    world.clock.advance(days=15)

    signalled = await handlers.detect_stalls(world.ctx)
    again = await handlers.detect_stalls(world.ctx)

    assert (signalled, again) == (1, 0)
    assert world.outbox.types() == ["progress.mentee.stalled"]
    assert (await world.store.get(MENTEE_ID)).tracking.stalled_since is not None


async def test_an_active_mentee_within_the_window_is_left_alone() -> None:
    world = World()
    await world.tracked()
    world.clock.advance(days=10)
    await handlers.record_check_in(
        commands.RecordCheckIn(MENTEE, MENTEE_ID, "ci-1", "basics", 3, None), world.ctx
    )
    world.clock.advance(days=10)

    assert await handlers.detect_stalls(world.ctx) == 0
    assert world.outbox.types() == ["progress.check_in.recorded"]


async def test_a_programs_own_window_wins_over_the_setting() -> None:
    world = World(stall_window=timedelta(days=30))
    await world.tracked()  # the program's window: 14 days, the contract's default
    world.clock.advance(days=15)

    assert await handlers.detect_stalls(world.ctx) == 1


async def test_a_stall_left_long_enough_escalates_once() -> None:
    world = World()
    await world.tracked()
    world.clock.advance(days=15)
    await handlers.detect_stalls(world.ctx)
    world.clock.advance(days=30)

    assert await handlers.detect_stalls(world.ctx) == 1
    assert await handlers.detect_stalls(world.ctx) == 0
    assert world.outbox.types() == ["progress.mentee.stalled", "progress.mentee.still_stalled"]


async def test_a_detection_read_before_a_change_is_not_written_and_left_for_the_next_run() -> None:
    world = World()
    await world.tracked()
    world.clock.advance(days=15)
    stale = [
        c
        async for page in world.store.detection_candidates(
            stall_before=world.clock(), escalate_before=world.clock(), batch=10
        )
        for c in page
    ]
    await handlers.record_check_in(
        commands.RecordCheckIn(MENTEE, MENTEE_ID, "ci-1", "basics", 3, None), world.ctx
    )
    written = await world.store.save_detected([Detected(stale[0], stale[0].tracking, [])])

    assert written == 0
