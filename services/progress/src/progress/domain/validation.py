"""Checks of plain values shared by learning paths and trackings.

The limits are those of the published events (ids up to 64 characters, texts up to 4000), so that
nothing the domain accepts is refused later by the event contracts.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from progress.domain.errors import Invalid

MAX_ID_LENGTH = 64
MAX_TITLE_LENGTH = 200
MAX_TEXT_LENGTH = 4000

EARLIEST_UTC_OFFSET = timedelta(hours=-12)
LATEST_UTC_OFFSET = timedelta(hours=14)
"""The calendar's range on Earth: today's date runs from UTC-12 (Baker Island) to UTC+14
(Kiritimati), so at any instant two or three dates are "today" somewhere."""

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def require_slug(field: str, value: str) -> str:
    if len(value) > MAX_ID_LENGTH or not _SLUG.fullmatch(value):
        raise Invalid(
            field,
            f"{value!r} is not a slug (lowercase letters, digits and single hyphens, "
            f"at most {MAX_ID_LENGTH} characters)",
        )
    return value


def require_id(field: str, value: str) -> str:
    if not value.strip() or len(value) > MAX_ID_LENGTH:
        raise Invalid(field, f"must be 1 to {MAX_ID_LENGTH} characters")
    return value


def require_title(field: str, value: str) -> str:
    stripped = value.strip()
    if not stripped or len(stripped) > MAX_TITLE_LENGTH:
        raise Invalid(field, f"must be 1 to {MAX_TITLE_LENGTH} characters")
    return stripped


def require_text(field: str, value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise Invalid(field, "must not be blank")
    if len(stripped) > MAX_TEXT_LENGTH:
        raise Invalid(field, f"must be at most {MAX_TEXT_LENGTH} characters")
    return stripped


def optional_text(field: str, value: str | None) -> str | None:
    """A blank text means no text."""
    if value is None or not value.strip():
        return None
    return require_text(field, value)


def require_level(field: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid(field, f"must be a whole number from 1 to 5, got {value!r}")
    return value


def require_utc(now: datetime) -> datetime:
    """Time is always given, timezone-aware; a naive datetime is a programming error."""
    if now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise ValueError(f"expected a timezone-aware UTC datetime, got {now!r}")
    return now


def require_session_date(held_on: date, now: datetime) -> date:
    """The day a session was held, as the person logging it reads their own calendar.

    Not in the future: not after today's date anywhere (UTC+14), since a mentee in Auckland logs
    this morning's session while it is still yesterday in UTC. Not more than a year back: not
    before the same date last year as today's earliest date anywhere (UTC-12). Sessions are
    logged once held, usually within days, and a date further back is a slip (year 1, 0026 for
    2026) rather than a record. The bound is deliberately not the day the mentee's tracking
    started (the match was accepted): sessions held before the match was recorded are logged
    too, by a pair that met before their program moved onto the platform (the demo data logs
    sessions up to 5 days before the acceptance), and a re-matched mentee's tracking keeps its
    first start whoever the sessions were with.
    """
    if isinstance(held_on, datetime) or not isinstance(held_on, date):
        raise Invalid("held_on", f"must be a calendar date, got {held_on!r}")
    require_utc(now)
    latest = (now + LATEST_UTC_OFFSET).date()
    if held_on > latest:
        raise Invalid(
            "held_on",
            f"{held_on.isoformat()} is in the future (today is {latest.isoformat()} at the latest)",
        )
    earliest = _a_year_before((now + EARLIEST_UTC_OFFSET).date())
    if held_on < earliest:
        raise Invalid(
            "held_on",
            f"{held_on.isoformat()} is more than a year ago: a session is logged within a year "
            f"of being held (the earliest accepted today is {earliest.isoformat()})",
        )
    return held_on


def _a_year_before(day: date) -> date:
    """The same date a year before (the 28th of February for the 29th)."""
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)
