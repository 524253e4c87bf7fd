from collections.abc import Callable
from datetime import datetime

import pytest

from progress.domain.errors import Invalid, InvalidTransition
from progress.domain.tracking import MentorAssignment, Tracking, TrackingState, Transition

from .builders import MENTEE, MENTOR, PATH, PROGRAM, START, checked_in, completed, days, started


def test_starting_follows_the_path_version_with_the_accepting_mentor() -> None:
    tracking = started()

    assert (tracking.mentee_id, tracking.program_id) == (MENTEE, PROGRAM)
    assert (tracking.path_id, tracking.path_version) == ("small-path", 1)
    assert tracking.mentor_id == MENTOR
    assert tracking.state is TrackingState.ACTIVE
    assert tracking.mentors == (MentorAssignment(MENTOR, since=START),)
    assert tracking.last_activity_at is None


def test_a_mentee_cannot_be_their_own_mentor() -> None:
    with pytest.raises(Invalid, match="their own mentor"):
        Tracking.start(mentee_id=MENTEE, program_id=PROGRAM, path=PATH, mentor_id=MENTEE, now=START)


def test_an_empty_mentee_id_is_invalid() -> None:
    with pytest.raises(Invalid) as raised:
        Tracking.start(mentee_id=" ", program_id=PROGRAM, path=PATH, mentor_id=MENTOR, now=START)
    assert raised.value.field == "mentee_id"


def test_times_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        started(at=datetime(2026, 3, 2, 9, 0))


def test_pausing_releases_the_mentor_and_keeps_the_history() -> None:
    tracking = checked_in(started(), "basics", 3, at=START + days(1))

    paused = tracking.pause(now=START + days(2)).tracking

    assert paused.state is TrackingState.PAUSED
    assert paused.mentor_id is None
    assert paused.mentors == (MentorAssignment(MENTOR, since=START, until=START + days(2)),)
    assert paused.check_ins == tracking.check_ins


def test_a_rematched_mentee_keeps_their_history_and_gets_the_new_mentor() -> None:
    tracking = checked_in(started(), "basics", 3, at=START + days(1))
    paused = tracking.pause(now=START + days(2)).tracking

    rematched = paused.assign_mentor(mentor_id="mentor-linus", now=START + days(5)).tracking

    assert rematched.state is TrackingState.ACTIVE
    assert rematched.mentor_id == "mentor-linus"
    assert rematched.mentors == (
        MentorAssignment(MENTOR, since=START, until=START + days(2)),
        MentorAssignment("mentor-linus", since=START + days(5)),
    )
    assert rematched.check_ins == tracking.check_ins


def test_a_new_mentor_while_active_closes_the_previous_assignment() -> None:
    changed = started().assign_mentor(mentor_id="mentor-linus", now=START + days(3)).tracking

    assert changed.state is TrackingState.ACTIVE
    assert [(a.mentor_id, a.until) for a in changed.mentors] == [
        (MENTOR, START + days(3)),
        ("mentor-linus", None),
    ]


def test_assigning_the_current_mentor_again_changes_nothing() -> None:
    tracking = started()

    transition = tracking.assign_mentor(mentor_id=MENTOR, now=START + days(1))

    assert transition == Transition(tracking, (), changed=False)


def test_a_pause_for_a_former_mentor_changes_nothing() -> None:
    rematched = started().assign_mentor(mentor_id="mentor-linus", now=START + days(3)).tracking

    transition = rematched.pause(now=START + days(4), mentor_id=MENTOR)

    assert not transition.changed
    assert transition.tracking.mentor_id == "mentor-linus"


def test_pausing_twice_changes_nothing_the_second_time() -> None:
    paused = started().pause(now=START + days(1)).tracking

    assert not paused.pause(now=START + days(2)).changed


def test_a_completed_tracking_stays_completed_when_its_match_ends() -> None:
    done = completed(started(), "read", "try", "post")

    ended = done.pause(now=START + days(1), mentor_id=MENTOR).tracking

    assert ended.state is TrackingState.COMPLETED
    assert ended.mentor_id is None


def test_stopping_keeps_the_history_and_releases_the_mentor() -> None:
    tracking = checked_in(started(), "basics", 3)

    stopped = tracking.stop(now=START + days(1)).tracking

    assert stopped.state is TrackingState.STOPPED
    assert stopped.mentor_id is None
    assert stopped.check_ins == tracking.check_ins


def test_stopping_twice_changes_nothing_the_second_time() -> None:
    stopped = started().stop(now=START + days(1)).tracking

    assert not stopped.stop(now=START + days(2)).changed


def test_a_stopped_tracking_ignores_the_end_of_its_match() -> None:
    stopped = started().stop(now=START + days(1)).tracking

    assert not stopped.pause(now=START + days(2)).changed


def test_a_withdrawn_mentee_cannot_be_given_a_mentor() -> None:
    stopped = started().stop(now=START + days(1)).tracking

    with pytest.raises(InvalidTransition, match="it is stopped"):
        stopped.assign_mentor(mentor_id="mentor-linus", now=START + days(2))


ACTIVITIES: dict[str, Callable[[Tracking], Transition]] = {
    "check-in": lambda t: t.record_check_in(
        path=PATH,
        check_in_id="late",
        module_id="basics",
        confidence=3,
        by="mentee",
        note=None,
        now=START + days(2),
    ),
    "milestone": lambda t: t.complete_milestone(
        path=PATH, milestone_id="read", evidence=None, by="mentee", now=START + days(2)
    ),
    "session": lambda t: t.log_session(
        path=PATH,
        session_id="late",
        held_on=(START + days(2)).date(),
        duration_minutes=45,
        module_ids=(),
        notes=None,
        now=START + days(2),
    ),
}


@pytest.mark.parametrize("activity", ACTIVITIES.values(), ids=ACTIVITIES.keys())
def test_activity_on_a_stopped_tracking_is_a_conflict(
    activity: Callable[[Tracking], Transition],
) -> None:
    stopped = started().stop(now=START + days(1)).tracking

    with pytest.raises(InvalidTransition, match="it is stopped"):
        activity(stopped)


def test_reopening_or_rating_on_a_stopped_tracking_is_a_conflict() -> None:
    tracking = completed(started(), "read")
    tracking = tracking.log_session(
        path=PATH,
        session_id="s-1",
        held_on=START.date(),
        duration_minutes=30,
        module_ids=(),
        notes=None,
        now=START,
    ).tracking
    stopped = tracking.stop(now=START + days(1)).tracking

    with pytest.raises(InvalidTransition):
        stopped.reopen_milestone(
            path=PATH, milestone_id="read", by="mentor", reason="redo", now=START + days(2)
        )
    with pytest.raises(InvalidTransition):
        stopped.rate_session(session_id="s-1", by="mentee", rating=4)
