from datetime import datetime, timedelta

import pytest

from progress.domain.detection import detect
from progress.domain.signals import (
    MenteeBackOnTrack,
    MenteeStalled,
    MenteeStillStalled,
    Signal,
)
from progress.domain.tracking import Tracking

from .builders import MENTEE, MENTOR, PATH, PROGRAM, START, checked_in, completed, days, started

WINDOW = timedelta(days=14)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, by: timedelta) -> datetime:
        self.now += by
        return self.now


def run_worker(
    tracking: Tracking, clock: FakeClock, *, every: timedelta, until: datetime
) -> tuple[Tracking, list[Signal]]:
    """Call detect at each tick of the clock, as the periodic worker does."""
    signals: list[Signal] = []
    while clock.now < until:
        transition = detect(tracking, now=clock.advance(every), stall_window=WINDOW)
        tracking = transition.tracking
        signals.extend(transition.signals)
    return tracking, signals


def test_nothing_is_signalled_before_the_stall_window() -> None:
    transition = detect(started(), now=START + WINDOW - timedelta(seconds=1), stall_window=WINDOW)

    assert not transition.changed
    assert transition.signals == ()


def test_a_mentee_without_activity_for_the_window_stalls() -> None:
    tracking = checked_in(started(), "basics", 3, at=START + days(2))

    transition = detect(tracking, now=START + days(16), stall_window=WINDOW)

    assert transition.signals == (
        MenteeStalled(
            mentee_id=MENTEE,
            mentor_id=MENTOR,
            program_id=PROGRAM,
            last_activity_at=START + days(2),
            stalled_since=START + days(16),
            stall_window=WINDOW,
            episode=1,
        ),
    )
    assert transition.tracking.stalled_since == START + days(16)


def test_a_mentee_who_never_did_anything_stalls_a_window_after_the_start() -> None:
    [stalled] = detect(started(), now=START + WINDOW, stall_window=WINDOW).signals

    assert isinstance(stalled, MenteeStalled)
    assert stalled.last_activity_at == START


def test_emits_one_stall_per_episode_even_when_checked_every_minute() -> None:
    clock = FakeClock(START + days(13))

    _, signals = run_worker(started(), clock, every=timedelta(minutes=1), until=START + days(15))

    assert [type(s) for s in signals] == [MenteeStalled]


def test_detecting_twice_at_the_same_time_emits_nothing_new() -> None:
    stalled = detect(started(), now=START + days(15), stall_window=WINDOW).tracking

    again = detect(stalled, now=START + days(15), stall_window=WINDOW)

    assert not again.changed
    assert again.signals == ()
    assert again.tracking is stalled


def test_catches_up_after_a_week_of_downtime_with_one_stall_signal() -> None:
    tracking = detect(started(), now=START + days(10), stall_window=WINDOW).tracking

    late = detect(tracking, now=START + days(10) + days(7), stall_window=WINDOW)

    [stalled] = late.signals
    assert isinstance(stalled, MenteeStalled)
    assert stalled.stalled_since == START + WINDOW


def test_activity_after_a_stall_signals_back_on_track() -> None:
    stalled = detect(started(), now=START + days(15), stall_window=WINDOW).tracking

    transition = stalled.record_check_in(
        path=PATH,
        check_in_id="comeback",
        module_id="basics",
        confidence=3,
        by="mentee",
        note=None,
        now=START + days(16),
    )

    assert transition.signals[-1] == MenteeBackOnTrack(
        mentee_id=MENTEE,
        mentor_id=MENTOR,
        program_id=PROGRAM,
        resumed_at=START + days(16),
        episode=1,
    )
    assert transition.tracking.stalled_since is None


def test_a_new_episode_starts_only_after_activity_resumed() -> None:
    clock = FakeClock(START)
    tracking, first = run_worker(started(), clock, every=timedelta(hours=1), until=START + days(20))
    tracking = checked_in(tracking, "basics", 3, at=clock.now)

    tracking, second = run_worker(
        tracking, clock, every=timedelta(hours=1), until=clock.now + days(20)
    )

    assert [type(s) for s in first] == [MenteeStalled]
    assert [type(s) for s in second] == [MenteeStalled]
    assert [s.episode for s in (*first, *second) if isinstance(s, MenteeStalled)] == [1, 2]
    assert tracking.stall_episodes == 2


def test_activity_before_any_stall_was_signalled_is_not_back_on_track() -> None:
    tracking = checked_in(started(), "basics", 3, at=START + days(20))

    assert tracking.stalled_since is None
    assert detect(tracking, now=START + days(21), stall_window=WINDOW).signals == ()


def test_escalates_once_at_twice_the_window() -> None:
    clock = FakeClock(START)

    _, signals = run_worker(started(), clock, every=timedelta(hours=6), until=START + days(60))

    assert [type(s) for s in signals] == [MenteeStalled, MenteeStillStalled]
    escalation = signals[1]
    assert isinstance(escalation, MenteeStillStalled)
    assert (escalation.stalled_since, escalation.episode) == (START + WINDOW, 1)


def test_no_escalation_just_before_twice_the_window() -> None:
    stalled = detect(started(), now=START + days(15), stall_window=WINDOW).tracking

    transition = detect(stalled, now=START + days(28) - timedelta(minutes=1), stall_window=WINDOW)

    assert transition.signals == ()


def test_a_long_downtime_signals_the_stall_and_its_escalation_together_once() -> None:
    transition = detect(started(), now=START + days(40), stall_window=WINDOW)

    assert [type(s) for s in transition.signals] == [MenteeStalled, MenteeStillStalled]
    assert detect(transition.tracking, now=START + days(41), stall_window=WINDOW).signals == ()


def test_a_new_episode_can_escalate_again() -> None:
    escalated = detect(started(), now=START + days(30), stall_window=WINDOW).tracking
    resumed = checked_in(escalated, "basics", 3, at=START + days(31))

    transition = detect(resumed, now=START + days(31) + days(28), stall_window=WINDOW)

    assert [(type(s), getattr(s, "episode", None)) for s in transition.signals] == [
        (MenteeStalled, 2),
        (MenteeStillStalled, 2),
    ]


@pytest.mark.parametrize("how", ["paused", "stopped", "completed"])
def test_only_an_active_tracking_stalls(how: str) -> None:
    tracking = started()
    if how == "paused":
        tracking = tracking.pause(now=START).tracking
    elif how == "stopped":
        tracking = tracking.stop(now=START).tracking
    else:
        tracking = completed(tracking, "read", "try", "post")

    assert detect(tracking, now=START + days(100), stall_window=WINDOW).signals == ()


def test_a_rematched_mentee_gets_a_full_window_with_the_new_mentor() -> None:
    paused = started().pause(now=START + days(1)).tracking
    rematched = paused.assign_mentor(mentor_id="mentor-linus", now=START + days(30)).tracking

    assert detect(rematched, now=START + days(40), stall_window=WINDOW).signals == ()
    [stalled] = detect(rematched, now=START + days(44), stall_window=WINDOW).signals
    assert stalled.mentor_id == "mentor-linus"


def test_pausing_ends_a_stall_episode_silently() -> None:
    stalled = detect(started(), now=START + days(15), stall_window=WINDOW).tracking

    paused = stalled.pause(now=START + days(16))

    assert paused.signals == ()
    assert paused.tracking.stalled_since is None


def test_the_programs_own_window_is_carried_by_the_signal() -> None:
    week = timedelta(days=7)

    [stalled] = detect(started(), now=START + days(7), stall_window=week).signals

    assert isinstance(stalled, MenteeStalled)
    assert stalled.stall_window == week
