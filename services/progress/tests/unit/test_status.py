from datetime import datetime, timedelta

import pytest

from progress.domain.errors import Invalid
from progress.domain.status import ProgressStatus, status_of
from progress.domain.tracking import TrackingState
from progress.domain.views import progress_view

from .builders import PATH, START, checked_in, completed, days, started


def status(
    idle_days: float,
    *,
    state: TrackingState = TrackingState.ACTIVE,
    path_complete: bool = False,
    confidence_falling: bool = False,
    window: timedelta = timedelta(days=14),
) -> ProgressStatus:
    return status_of(
        state=state,
        path_complete=path_complete,
        idle_since=START,
        confidence_falling=confidence_falling,
        now=START + days(idle_days),
        stall_window=window,
    )


@pytest.mark.parametrize(
    ("idle_days", "expected"),
    [
        (0, ProgressStatus.ON_TRACK),
        (6.9, ProgressStatus.ON_TRACK),
        (7, ProgressStatus.AT_RISK),
        (13.9, ProgressStatus.AT_RISK),
        (14, ProgressStatus.STALLED),
        (60, ProgressStatus.STALLED),
    ],
)
def test_inactivity_makes_a_mentee_at_risk_at_half_the_window_and_stalled_at_the_window(
    idle_days: float, expected: ProgressStatus
) -> None:
    assert status(idle_days) is expected


def test_the_programs_own_stall_window_applies() -> None:
    ten_days = timedelta(days=10)
    assert status(4, window=ten_days) is ProgressStatus.ON_TRACK
    assert status(5, window=ten_days) is ProgressStatus.AT_RISK
    assert status(10, window=ten_days) is ProgressStatus.STALLED


def test_falling_confidence_puts_an_active_mentee_at_risk() -> None:
    assert status(1, confidence_falling=True) is ProgressStatus.AT_RISK


def test_a_stall_outranks_falling_confidence() -> None:
    assert status(20, confidence_falling=True) is ProgressStatus.STALLED


def test_a_completed_path_is_completed_however_long_ago() -> None:
    assert status(90, path_complete=True, state=TrackingState.COMPLETED) is ProgressStatus.COMPLETED


def test_paused_and_stopped_trackings_report_their_state_rather_than_a_stall() -> None:
    assert status(30, state=TrackingState.PAUSED) is ProgressStatus.PAUSED
    assert status(30, state=TrackingState.STOPPED) is ProgressStatus.STOPPED


def test_a_stall_window_must_be_positive() -> None:
    with pytest.raises(Invalid) as raised:
        status(1, window=timedelta(0))
    assert raised.value.field == "stall_window"


def view_status(tracking_levels: list[int], at: datetime) -> ProgressStatus:
    tracking = started()
    for level in tracking_levels:
        tracking = checked_in(tracking, "basics", level, at=START)
    return progress_view(tracking, PATH, now=at).status


def test_a_falling_trend_in_a_module_puts_the_mentee_at_risk() -> None:
    assert view_status([4, 4, 3], at=START + days(1)) is ProgressStatus.AT_RISK


def test_a_latest_drop_of_two_puts_the_mentee_at_risk_even_if_the_trend_rises() -> None:
    assert view_status([1, 5, 3], at=START + days(1)) is ProgressStatus.AT_RISK


def test_a_mentee_whose_confidence_recovered_is_on_track() -> None:
    assert view_status([4, 2, 4], at=START + days(1)) is ProgressStatus.ON_TRACK


def test_the_view_uses_the_last_activity_for_inactivity() -> None:
    tracking = checked_in(started(), "basics", 3, at=START + days(10))

    assert progress_view(tracking, PATH, now=START + days(16)).status is ProgressStatus.ON_TRACK
    assert progress_view(tracking, PATH, now=START + days(24)).status is ProgressStatus.STALLED


def test_the_view_reports_a_completed_path_as_completed() -> None:
    done = completed(started(), "read", "try", "post")

    assert progress_view(done, PATH, now=START + days(100)).status is ProgressStatus.COMPLETED
