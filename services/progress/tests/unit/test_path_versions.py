import pytest

from progress.domain.errors import Conflict
from progress.domain.learning_paths import LearningPath
from progress.domain.signals import PathCompleted
from progress.domain.tracking import TrackingState
from progress.domain.views import progress_view

from .builders import PATH, START, checked_in, completed, days, module, started

# Version 2 drops "try", moves "post" into "basics" and adds a "reflect" module.
V2 = PATH.revised(
    modules=(module("basics", "read", "post"), module("reflect", "write-a-summary")),
)


def test_following_a_new_version_keeps_the_history_as_recorded() -> None:
    tracking = checked_in(completed(started(), "read", "try"), "practice", 4)

    moved = tracking.follow_path_version(path=V2, now=START + days(1)).tracking

    assert (moved.path_id, moved.path_version) == ("small-path", 2)
    assert moved.milestones == tracking.milestones
    assert moved.check_ins == tracking.check_ins


def test_a_milestone_dropped_by_the_new_version_stays_in_history_but_counts_nowhere() -> None:
    moved = completed(started(), "read", "try").follow_path_version(path=V2, now=START).tracking

    view = progress_view(moved, V2, now=START)

    assert "try" in moved.completed_milestone_ids
    assert (view.milestones_done, view.milestones_total, view.percent) == (1, 3, 33)


def test_a_completion_counts_in_the_new_version_where_the_milestone_now_sits() -> None:
    moved = completed(started(), "post").follow_path_version(path=V2, now=START).tracking

    basics = progress_view(moved, V2, now=START).module("basics")

    assert basics is not None
    assert (basics.milestones_done, basics.milestones_total) == (1, 2)


def test_check_ins_of_a_module_the_new_version_dropped_are_kept_but_not_shown() -> None:
    moved = checked_in(started(), "practice", 2).follow_path_version(path=V2, now=START).tracking

    view = progress_view(moved, V2, now=START)

    assert len(moved.check_ins) == 1
    assert view.module("practice") is None


def test_a_new_milestone_makes_a_completed_path_active_again() -> None:
    done = completed(started(), "read", "try", "post")

    moved = done.follow_path_version(path=V2, now=START + days(3)).tracking

    assert moved.state is TrackingState.ACTIVE
    assert moved.idle_since == START + days(3)


def test_a_version_without_the_last_open_milestone_completes_the_path() -> None:
    shorter = PATH.revised(modules=(module("basics", "read", "try"),))
    tracking = completed(started(), "read", "try")

    transition = tracking.follow_path_version(path=shorter, now=START)

    assert transition.tracking.state is TrackingState.COMPLETED
    assert [type(s) for s in transition.signals] == [PathCompleted]


def test_following_the_same_version_again_changes_nothing() -> None:
    assert not started().follow_path_version(path=PATH, now=START).changed


def test_going_back_to_an_older_version_is_a_conflict() -> None:
    moved = started().follow_path_version(path=V2, now=START).tracking

    with pytest.raises(Conflict, match="cannot go back to version 1"):
        moved.follow_path_version(path=PATH, now=START)


def test_another_path_is_a_conflict() -> None:
    other = LearningPath("other-path", 1, "Other", PATH.modules)

    with pytest.raises(Conflict, match="not 'other-path'"):
        started().follow_path_version(path=other, now=START)


def test_activity_against_the_old_version_is_refused_once_moved() -> None:
    moved = started().follow_path_version(path=V2, now=START).tracking

    with pytest.raises(Conflict, match="version 2, not 'small-path' version 1"):
        completed(moved, "read", path=PATH)


def test_the_view_is_computed_against_the_version_the_tracking_follows() -> None:
    with pytest.raises(Conflict):
        progress_view(started(), V2, now=START)
