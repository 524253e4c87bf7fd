"""When a notification may reach its recipient, on the recipient's own clock.

- High priority: at once, quiet hours or digest notwithstanding.
- Daily digest: every other notification waits for the next digest, at ``digest_hour`` local
  (one that arrives exactly then joins that digest). Quiet hours do not move the digest: its hour
  is the person's own choice of when to hear from us.
- Immediate, within quiet hours: held until the quiet period ends; otherwise at once.

A quiet period runs from the first instant the clock shows ``start`` to the first instant after
it that the clock shows ``end``. Across daylight-saving changes: an hour the clock skips counts
from the instant the clock jumps past it (quiet hours ending at 02:30 end at 03:00 the night
clocks go forward); a repeated hour counts from its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notify.domain.directory import zone
from notify.domain.errors import Invalid
from notify.domain.notifications import Notification, Priority
from notify.domain.preferences import DigestMode, Preferences, QuietHours

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)


def next_delivery_time(
    notification: Notification, preferences: Preferences, recipient_timezone: str, now: datetime
) -> datetime:
    if now.utcoffset() is None:
        raise Invalid("now", "must be timezone-aware")
    now = now.astimezone(UTC)
    clock = zone(recipient_timezone)
    if notification.priority is Priority.HIGH:
        return now
    if preferences.digest is DigestMode.DAILY:
        return next_digest_time(preferences.digest_hour, clock, now)
    if preferences.quiet_hours is None:
        return now
    period = quiet_period(preferences.quiet_hours, clock, now)
    return now if period is None else period[1]


def next_digest_time(digest_hour: int, clock: ZoneInfo, now: datetime) -> datetime:
    today = now.astimezone(clock).date()
    return min(
        instant
        for day in (today, today + _DAY, today + 2 * _DAY)
        if (instant := first_instant(day, time(digest_hour), clock)) >= now
    )


def quiet_period(
    quiet_hours: QuietHours, clock: ZoneInfo, now: datetime
) -> tuple[datetime, datetime] | None:
    """The quiet period (start, end) that ``now`` falls in, if any."""
    today = now.astimezone(clock).date()
    for first_day in (today - _DAY, today):
        start = first_instant(first_day, quiet_hours.start, clock)
        last_day = first_day + _DAY if quiet_hours.spans_midnight else first_day
        end = first_instant(last_day, quiet_hours.end, clock)
        if start <= now < end:
            return start, end
    return None


def first_instant(day: date, wall: time, clock: ZoneInfo) -> datetime:
    """The first instant (UTC) at which ``clock`` shows ``day`` at ``wall`` or later."""
    wanted = datetime.combine(day, wall)
    instant = wanted.replace(tzinfo=clock).astimezone(UTC)
    if _shows(instant, clock) == wanted:
        return instant
    # Skipped by the clock: read with the offset after the jump, the time is an instant before
    # it; read with the offset before, an instant after it. The jump lies between.
    before = wanted.replace(tzinfo=clock, fold=1).astimezone(UTC)
    after = instant
    while after - before > _SECOND:
        middle = before + timedelta(seconds=int((after - before).total_seconds()) // 2)
        if _shows(middle, clock) >= wanted:
            after = middle
        else:
            before = middle
    return after


def _shows(instant: datetime, clock: ZoneInfo) -> datetime:
    return instant.astimezone(clock).replace(tzinfo=None)
