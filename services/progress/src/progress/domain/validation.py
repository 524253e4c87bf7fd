"""Checks of plain values shared by learning paths and trackings.

The limits are those of the published events (ids up to 64 characters, texts up to 4000), so that
nothing the domain accepts is refused later by the event contracts.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from progress.domain.errors import Invalid

MAX_ID_LENGTH = 64
MAX_TITLE_LENGTH = 200
MAX_TEXT_LENGTH = 4000

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
