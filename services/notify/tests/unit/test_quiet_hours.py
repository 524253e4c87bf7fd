from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from notify.domain.errors import Invalid
from notify.domain.notifications import Priority
from notify.domain.preferences import DigestMode, Preferences, QuietHours
from notify.domain.quiet_hours import first_instant, next_delivery_time

from .builders import notification

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
NIGHTS = Preferences("pt-grace", quiet_hours=QuietHours.parse("22:00", "07:00"))
NORMAL = notification(priority=Priority.NORMAL)
LOW = notification(priority=Priority.LOW)
HIGH = notification(priority=Priority.HIGH)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def test_without_quiet_hours_a_notification_goes_at_once() -> None:
    now = utc(2026, 1, 15, 23)

    assert next_delivery_time(LOW, Preferences.default("pt-grace"), PARIS, now) == now


def test_outside_quiet_hours_a_notification_goes_at_once() -> None:
    now = local(PARIS, 2026, 1, 15, 12)

    assert next_delivery_time(NORMAL, NIGHTS, PARIS, now) == now


def test_a_late_evening_notification_waits_for_the_morning_after_midnight() -> None:
    now = local(PARIS, 2026, 1, 15, 23, 30)

    assert next_delivery_time(NORMAL, NIGHTS, PARIS, now) == local(PARIS, 2026, 1, 16, 7)


def test_an_early_morning_notification_waits_for_the_end_of_the_same_night() -> None:
    now = local(PARIS, 2026, 1, 16, 5)

    assert next_delivery_time(NORMAL, NIGHTS, PARIS, now) == local(PARIS, 2026, 1, 16, 7)


def test_quiet_hours_include_their_start_and_exclude_their_end() -> None:
    at_start = local(PARIS, 2026, 1, 15, 22)
    at_end = local(PARIS, 2026, 1, 16, 7)

    assert next_delivery_time(NORMAL, NIGHTS, PARIS, at_start) == local(PARIS, 2026, 1, 16, 7)
    assert next_delivery_time(NORMAL, NIGHTS, PARIS, at_end) == at_end


def test_quiet_hours_within_a_day_hold_only_during_that_span() -> None:
    lunch = Preferences("pt-grace", quiet_hours=QuietHours.parse("12:00", "14:00"))

    during = local(PARIS, 2026, 1, 15, 13)
    after = local(PARIS, 2026, 1, 15, 14, 30)

    assert next_delivery_time(NORMAL, lunch, PARIS, during) == local(PARIS, 2026, 1, 15, 14)
    assert next_delivery_time(NORMAL, lunch, PARIS, after) == after


def test_quiet_hours_are_read_on_the_recipients_clock() -> None:
    now = utc(2026, 1, 16, 4)  # 05:00 in Paris, 23:00 the day before in New York

    assert next_delivery_time(NORMAL, NIGHTS, PARIS, now) == utc(2026, 1, 16, 6)
    assert next_delivery_time(NORMAL, NIGHTS, NEW_YORK, now) == utc(2026, 1, 16, 12)


@pytest.mark.parametrize(
    ("zone", "evening", "morning"),
    [
        # clocks go forward: the night is an hour shorter, 07:00 comes an hour earlier in UTC
        (PARIS, utc(2026, 3, 28, 22, 30), utc(2026, 3, 29, 5)),
        (NEW_YORK, utc(2026, 3, 8, 4), utc(2026, 3, 8, 11)),
        # clocks go back: the night is an hour longer
        (PARIS, utc(2026, 10, 24, 21, 30), utc(2026, 10, 25, 6)),
        (NEW_YORK, utc(2026, 11, 1, 3), utc(2026, 11, 1, 12)),
    ],
    ids=["paris-march", "new-york-march", "paris-october", "new-york-november"],
)
def test_the_night_of_a_daylight_saving_change_ends_at_07_00_local(
    zone: str, evening: datetime, morning: datetime
) -> None:
    assert next_delivery_time(NORMAL, NIGHTS, zone, evening) == morning
    assert morning.astimezone(ZoneInfo(zone)).time() == time(7, 0)


def test_quiet_hours_ending_in_the_skipped_hour_end_when_the_clock_jumps() -> None:
    short_night = Preferences("pt-grace", quiet_hours=QuietHours.parse("22:00", "02:30"))
    now = local(PARIS, 2026, 3, 29, 1, 30)

    released = next_delivery_time(NORMAL, short_night, PARIS, now)

    assert released == utc(2026, 3, 29, 1)
    assert released.astimezone(ZoneInfo(PARIS)).time() == time(3, 0)


def test_quiet_hours_ending_in_the_repeated_hour_end_at_its_first_occurrence() -> None:
    short_night = Preferences("pt-grace", quiet_hours=QuietHours.parse("22:00", "02:30"))
    before = local(PARIS, 2026, 10, 25, 1)
    repeated = utc(2026, 10, 25, 1, 15)  # 02:15 for the second time, after the quiet period

    assert next_delivery_time(NORMAL, short_night, PARIS, before) == utc(2026, 10, 25, 0, 30)
    assert next_delivery_time(NORMAL, short_night, PARIS, repeated) == repeated


@pytest.mark.parametrize(
    ("zone", "day", "wall", "instant"),
    [
        (PARIS, date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1)),
        (PARIS, date(2026, 3, 29), time(2, 59), utc(2026, 3, 29, 1)),
        (PARIS, date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7)),
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        (NEW_YORK, date(2026, 7, 1), time(9, 0), utc(2026, 7, 1, 13)),
    ],
)
def test_a_local_time_is_the_first_instant_the_clock_shows_it_or_later(
    zone: str, day: date, wall: time, instant: datetime
) -> None:
    assert first_instant(day, wall, ZoneInfo(zone)) == instant


def test_high_priority_bypasses_quiet_hours() -> None:
    now = local(PARIS, 2026, 1, 15, 23, 30)

    assert next_delivery_time(HIGH, NIGHTS, PARIS, now) == now


def test_high_priority_bypasses_the_digest() -> None:
    daily = Preferences("pt-grace", digest=DigestMode.DAILY, digest_hour=8)
    now = local(PARIS, 2026, 1, 15, 15)

    assert next_delivery_time(HIGH, daily, PARIS, now) == now


def test_in_daily_mode_a_notification_waits_for_the_next_digest() -> None:
    daily = Preferences("pt-grace", digest=DigestMode.DAILY, digest_hour=8)

    morning = local(PARIS, 2026, 1, 15, 7, 59)
    afternoon = local(PARIS, 2026, 1, 15, 15)
    on_time = local(PARIS, 2026, 1, 15, 8)

    assert next_delivery_time(LOW, daily, PARIS, morning) == local(PARIS, 2026, 1, 15, 8)
    assert next_delivery_time(NORMAL, daily, PARIS, afternoon) == local(PARIS, 2026, 1, 16, 8)
    assert next_delivery_time(NORMAL, daily, PARIS, on_time) == on_time


def test_the_digest_keeps_its_hour_even_within_quiet_hours() -> None:
    early = Preferences(
        "pt-grace",
        quiet_hours=QuietHours.parse("22:00", "07:00"),
        digest=DigestMode.DAILY,
        digest_hour=6,
    )
    now = local(PARIS, 2026, 1, 15, 23)

    assert next_delivery_time(NORMAL, early, PARIS, now) == local(PARIS, 2026, 1, 16, 6)


@pytest.mark.parametrize(
    ("zone", "now", "digest"),
    [
        (PARIS, utc(2026, 10, 24, 18), utc(2026, 10, 25, 7)),
        (PARIS, utc(2026, 3, 28, 18), utc(2026, 3, 29, 6)),
        (NEW_YORK, utc(2026, 11, 1, 1), utc(2026, 11, 1, 13)),
    ],
)
def test_the_digest_follows_the_local_hour_across_daylight_saving_changes(
    zone: str, now: datetime, digest: datetime
) -> None:
    daily = Preferences("pt-grace", digest=DigestMode.DAILY, digest_hour=8)

    assert next_delivery_time(NORMAL, daily, zone, now) == digest


def test_a_digest_hour_the_clock_skips_comes_when_the_clock_jumps() -> None:
    at_two = Preferences("pt-grace", digest=DigestMode.DAILY, digest_hour=2)
    now = local(NEW_YORK, 2026, 3, 7, 20)

    assert next_delivery_time(NORMAL, at_two, NEW_YORK, now) == local(NEW_YORK, 2026, 3, 8, 3)


def test_now_must_be_aware_and_the_zone_must_exist() -> None:
    with pytest.raises(Invalid, match="now"):
        next_delivery_time(NORMAL, NIGHTS, PARIS, datetime(2026, 1, 15, 12))
    with pytest.raises(Invalid) as raised:
        next_delivery_time(NORMAL, NIGHTS, "Europe/Atlantis", utc(2026, 1, 15, 12))

    assert raised.value.field == "timezone"
