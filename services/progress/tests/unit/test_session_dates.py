"""Session dates that can be right: today somewhere at the latest, at most a year back."""

from datetime import UTC, date, datetime

import pytest

from progress.domain.errors import Invalid
from progress.domain.validation import require_session_date

from .builders import PATH, started

EVENING = datetime(2026, 11, 2, 20, 0, tzinfo=UTC)
MORNING = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_today_and_yesterday_are_accepted() -> None:
    assert require_session_date(date(2026, 11, 2), MORNING) == date(2026, 11, 2)
    assert require_session_date(date(2026, 11, 1), MORNING) == date(2026, 11, 1)


def test_tomorrow_in_utc_is_accepted_once_it_is_today_east_of_utc() -> None:
    # 20:00 UTC is 09:00 the next day in Auckland (UTC+13) and 10:00 in Kiritimati (UTC+14)
    assert require_session_date(date(2026, 11, 3), EVENING) == date(2026, 11, 3)


@pytest.mark.parametrize(
    ("held_on", "now"),
    [
        (date(2026, 11, 3), MORNING),  # 23:00 in Kiritimati: still the 2nd everywhere
        (date(2026, 11, 4), EVENING),
        (date(9999, 12, 31), MORNING),
    ],
)
def test_a_day_that_is_not_today_anywhere_yet_is_refused(held_on: date, now: datetime) -> None:
    with pytest.raises(Invalid, match="in the future") as raised:
        require_session_date(held_on, now)

    assert raised.value.field == "held_on"


def test_the_same_date_last_year_is_accepted_as_today_west_of_utc_reads_it() -> None:
    # 09:00 UTC is 21:00 on the 1st at UTC-12
    assert require_session_date(date(2025, 11, 1), MORNING) == date(2025, 11, 1)
    assert require_session_date(date(2025, 11, 2), EVENING) == date(2025, 11, 2)
    with pytest.raises(Invalid, match="more than a year ago"):
        require_session_date(date(2025, 11, 1), EVENING)  # the 2nd everywhere by then


def test_a_year_back_from_the_29th_of_february_is_the_28th() -> None:
    leap_day = datetime(2028, 2, 29, 15, 0, tzinfo=UTC)

    assert require_session_date(date(2027, 2, 28), leap_day) == date(2027, 2, 28)
    with pytest.raises(Invalid, match="more than a year ago"):
        require_session_date(date(2027, 2, 27), leap_day)


@pytest.mark.parametrize(
    "held_on", [date(2025, 10, 31), date(1926, 11, 2), date(26, 11, 2), date(1, 1, 1)]
)
def test_a_day_more_than_a_year_back_is_refused(held_on: date) -> None:
    with pytest.raises(Invalid, match="more than a year ago") as raised:
        require_session_date(held_on, MORNING)

    assert raised.value.field == "held_on"


@pytest.mark.parametrize("held_on", [datetime(2026, 11, 1, tzinfo=UTC), "2026-11-01", 20261101])
def test_anything_but_a_calendar_date_is_refused(held_on: object) -> None:
    with pytest.raises(Invalid, match="calendar date"):
        require_session_date(held_on, MORNING)  # type: ignore[arg-type]


def test_logging_a_session_of_year_one_changes_nothing() -> None:
    tracking = started()

    with pytest.raises(Invalid) as raised:
        tracking.log_session(
            path=PATH,
            session_id="s-1",
            held_on=date(1, 1, 1),
            duration_minutes=60,
            module_ids=(),
            notes=None,
            now=MORNING,
        )

    assert raised.value.field == "held_on"
    assert tracking.sessions == ()
