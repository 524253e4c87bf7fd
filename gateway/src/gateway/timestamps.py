"""Every ``DateTime`` the gateway returns: UTC, to the millisecond.

MongoDB keeps milliseconds, so a service's answer to a write (computed in memory, microseconds)
and every later read (from the database) would otherwise disagree on the same moment. Each
timestamp a type is built from goes through ``moment`` (a service's ISO 8601 text) or ``millis``
(a ``datetime`` already decoded, e.g. from a Kafka event), and nothing else makes one; the
schema's ``DateTime`` scalar then writes every one the same way, ``2026-12-06T09:00:30.362Z``
(``DATETIME``).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from strawberry.schema.types.base_scalars import DateTimeDefinition


def millis(value: datetime) -> datetime:
    """The moment in UTC, truncated to the millisecond as MongoDB stores it (a naive value is
    taken as UTC, the services' clock)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    return utc.replace(microsecond=utc.microsecond - utc.microsecond % 1000)


def moment_or_none(value: Any) -> datetime | None:
    """A service's ISO 8601 timestamp (or none)."""
    if value is None:
        return None
    return millis(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))


def moment(value: Any) -> datetime:
    found = moment_or_none(value)
    if found is None:
        msg = "a timestamp is missing"
        raise ValueError(msg)
    return found


def to_text(value: datetime) -> str:
    """``DateTime`` as a client reads it: UTC, milliseconds, ``Z``."""
    return millis(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


DATETIME = dataclasses.replace(
    DateTimeDefinition,
    description="A moment, in UTC to the millisecond (ISO 8601, e.g. 2026-12-06T09:00:30.362Z).",
    serialize=to_text,
)
