import pytest

from progress.domain.seed import DEFAULT_PATH
from progress.domain.status import ProgressStatus
from progress.domain.views import Trend, combined_trend, confidence_trend, progress_view

from .builders import MENTOR, PATH, START, checked_in, completed, days, started


def test_a_new_tracking_of_the_default_path_starts_at_zero() -> None:
    tracking = started(DEFAULT_PATH)

    view = progress_view(tracking, DEFAULT_PATH, now=START)

    assert (view.percent, view.milestones_done, view.milestones_total) == (0, 0, 18)
    assert [m.module_id for m in view.modules] == list(DEFAULT_PATH.module_ids)
    assert view.status is ProgressStatus.ON_TRACK
    assert view.mentor_id == MENTOR


def test_percentages_count_done_milestones_overall_and_per_module() -> None:
    view = progress_view(completed(started(), "read", "post"), PATH, now=START)

    assert (view.milestones_done, view.milestones_total, view.percent) == (2, 3, 66)
    basics, practice = view.modules
    assert (basics.percent, basics.completed) == (50, False)
    assert (practice.percent, practice.completed) == (100, True)


def test_percent_reaches_100_only_when_everything_is_done() -> None:
    every = [mid for module in DEFAULT_PATH.modules for mid in module.milestone_ids]
    one = completed(started(DEFAULT_PATH), every[0], path=DEFAULT_PATH)
    all_but_one = completed(started(DEFAULT_PATH), *every[:-1], path=DEFAULT_PATH)
    done = completed(all_but_one, every[-1], path=DEFAULT_PATH)

    assert progress_view(one, DEFAULT_PATH, now=START).percent == 5
    assert progress_view(all_but_one, DEFAULT_PATH, now=START).percent == 94
    assert progress_view(done, DEFAULT_PATH, now=START).percent == 100


def test_each_module_shows_the_latest_confidence_of_each_side_and_of_either() -> None:
    tracking = checked_in(started(), "basics", 2, by="mentee", at=START)
    tracking = checked_in(tracking, "basics", 3, by="mentee", at=START + days(1))
    tracking = checked_in(tracking, "basics", 4, by="mentor", at=START + days(2))

    basics = progress_view(tracking, PATH, now=START + days(3)).modules[0]

    assert (basics.self_assessment, basics.mentor_assessment, basics.latest_confidence) == (3, 4, 4)
    practice = progress_view(tracking, PATH, now=START + days(3)).modules[1]
    assert (practice.self_assessment, practice.mentor_assessment, practice.latest_confidence) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("levels", "trend"),
    [
        ([], Trend.UNKNOWN),
        ([3], Trend.UNKNOWN),
        ([2, 3], Trend.RISING),
        ([4, 3], Trend.FALLING),
        ([3, 3], Trend.STEADY),
        ([3, 5, 3], Trend.STEADY),
        ([2, 4, 3], Trend.RISING),
        ([4, 2, 3], Trend.FALLING),
        ([5, 1, 2, 3], Trend.RISING),
        ([1, 4, 4, 4], Trend.STEADY),
    ],
)
def test_the_trend_is_the_net_change_over_the_last_three_levels(
    levels: list[int], trend: Trend
) -> None:
    assert confidence_trend(levels) is trend


@pytest.mark.parametrize(
    ("self_trend", "mentor_trend", "combined"),
    [
        (Trend.RISING, Trend.FALLING, Trend.FALLING),
        (Trend.RISING, Trend.STEADY, Trend.RISING),
        (Trend.UNKNOWN, Trend.STEADY, Trend.STEADY),
        (Trend.UNKNOWN, Trend.UNKNOWN, Trend.UNKNOWN),
    ],
)
def test_a_fall_on_either_side_makes_the_module_trend_fall(
    self_trend: Trend, mentor_trend: Trend, combined: Trend
) -> None:
    assert combined_trend(self_trend, mentor_trend) is combined


def test_the_module_trend_is_computed_per_side_then_combined() -> None:
    tracking = checked_in(started(), "basics", 3, by="mentee")
    tracking = checked_in(tracking, "basics", 1, by="mentor")
    tracking = checked_in(tracking, "basics", 4, by="mentee")

    basics = progress_view(tracking, PATH, now=START).modules[0]

    assert (basics.self_trend, basics.mentor_trend, basics.trend) == (
        Trend.RISING,
        Trend.UNKNOWN,
        Trend.RISING,
    )


def test_the_view_counts_sessions_and_shows_the_last_activity() -> None:
    tracking = started()
    for number in (1, 2):
        tracking = tracking.log_session(
            path=PATH,
            session_id=f"s-{number}",
            held_on=START.date(),
            duration_minutes=45,
            module_ids=(),
            notes=None,
            now=START + days(number),
        ).tracking

    view = progress_view(tracking, PATH, now=START + days(3))

    assert view.sessions_count == 2
    assert view.last_activity_at == START + days(2)
