"""Sessions planned ahead: the ``PlannedSession`` aggregate.

A mentee or their current mentor plans a session for a future moment, given as a wall-clock date
and time in a named time zone (the way people agree on a meeting), with a duration, a place or a
video link (or both) and the modules they mean to work on. The start is kept as an instant in UTC
together with the zone, so the invitation is right for both sides wherever they are.

Life of a planned session: ``scheduled`` (planned, perhaps rescheduled), then either
``cancelled`` or ``held`` (confirmed after its start by either side, which logs it as a session
of the mentee's tracking). Both ends are final. Each change of what the invitation says (a
reschedule, the cancellation) increases ``sequence`` by one, as RFC 5545 asks of an event that
is updated; doing the same thing twice (the same reschedule, a second cancel) changes nothing.
A planned session never confirmed stays ``scheduled``: it is not counted as held, since nobody
said it took place; after its end it reads as unconfirmed. When the match ends or the mentee
withdraws, the platform cancels the sessions of that match still ahead (``changed_by``
``platform``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from progress.domain.errors import Conflict, Invalid, InvalidTransition
from progress.domain.validation import MAX_ID_LENGTH, optional_text, require_id, require_utc

Role = Literal["mentee", "mentor"]
Actor = Literal["mentee", "mentor", "platform"]
"""Who changes a planned session: a side, or the platform when the match ends."""

MIN_MINUTES = 5
MAX_MINUTES = 480
"""Five minutes to eight hours: a session held is logged with 1 to 480 minutes."""
MAX_AHEAD = timedelta(days=366)
"""A session is planned at most a year ahead: further is a slip (2207 for 2027)."""
MIN_AHEAD = timedelta(minutes=1)
MAX_LOCATION = 300
MAX_URL = 2000
MAX_MODULES = 20
_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
KIND = "planned session"


class PlannedStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"


class When(StrEnum):
    """Which of a mentee's planned sessions a list shows: those still to start (the earliest
    first), or those whose start has passed, which either side may confirm as held (the latest
    first). Every status is listed: a cancelled session stays in its place."""

    UPCOMING = "upcoming"
    PAST = "past"

    def includes(self, session: PlannedSession, now: datetime) -> bool:
        ahead = session.schedule.starts_at > now
        return ahead if self is When.UPCOMING else not ahead


class Change(StrEnum):
    """What a command did, for the service layer to announce."""

    PLANNED = "planned"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    HELD = "held"


@dataclass(frozen=True)
class Schedule:
    """When and where: the part of a planned session a reschedule changes."""

    starts_at: datetime
    time_zone: str
    duration_minutes: int
    location: str | None
    video_url: str | None
    module_ids: tuple[str, ...]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.time_zone))


@dataclass(frozen=True)
class PlannedSession:
    id: str
    mentee_id: str
    mentor_id: str
    program_id: str
    schedule: Schedule
    planned_by: Role
    status: PlannedStatus
    sequence: int
    created_at: datetime
    updated_at: datetime
    changed_by: Actor
    cancel_reason: str | None = None

    @classmethod
    def plan(
        cls,
        *,
        planned_session_id: str,
        mentee_id: str,
        mentor_id: str,
        program_id: str,
        schedule: Schedule,
        by: Role,
        now: datetime,
    ) -> PlannedSession:
        require_id("planned_session_id", planned_session_id)
        require_utc(now)
        require_future(schedule, now)
        return cls(
            id=planned_session_id,
            mentee_id=mentee_id,
            mentor_id=mentor_id,
            program_id=program_id,
            schedule=schedule,
            planned_by=by,
            status=PlannedStatus.SCHEDULED,
            sequence=0,
            created_at=now,
            updated_at=now,
            changed_by=by,
        )

    def same_plan(self, other: PlannedSession) -> bool:
        """The same request again (a retry): same people and schedule, whenever it was made."""
        return (self.mentee_id, self.schedule, self.planned_by) == (
            other.mentee_id,
            other.schedule,
            other.planned_by,
        )

    def reschedule(
        self, schedule: Schedule, *, by: Role, now: datetime
    ) -> tuple[PlannedSession, Change | None]:
        require_utc(now)
        if self.status is not PlannedStatus.SCHEDULED:
            raise InvalidTransition(KIND, self.id, self.status.value, "reschedule")
        if schedule == self.schedule:
            return self, None
        require_future(schedule, now)
        changed = replace(
            self, schedule=schedule, sequence=self.sequence + 1, updated_at=now, changed_by=by
        )
        return changed, Change.RESCHEDULED

    def cancel(
        self, *, by: Actor, reason: str | None, now: datetime
    ) -> tuple[PlannedSession, Change | None]:
        require_utc(now)
        if self.status is PlannedStatus.CANCELLED:
            return self, None
        if self.status is not PlannedStatus.SCHEDULED:
            raise InvalidTransition(KIND, self.id, self.status.value, "cancel")
        reason = optional_text("reason", reason)
        if reason is not None and len(reason) > 1000:
            raise Invalid("reason", "must be at most 1000 characters")
        cancelled = replace(
            self,
            status=PlannedStatus.CANCELLED,
            sequence=self.sequence + 1,
            updated_at=now,
            changed_by=by,
            cancel_reason=reason,
        )
        return cancelled, Change.CANCELLED

    def confirm_held(self, *, by: Role, now: datetime) -> tuple[PlannedSession, Change | None]:
        """Either side says the session took place, once its start has passed."""
        require_utc(now)
        if self.status is PlannedStatus.HELD:
            return self, None
        if self.status is not PlannedStatus.SCHEDULED:
            raise InvalidTransition(KIND, self.id, self.status.value, "confirm")
        if now < self.schedule.starts_at:
            raise Conflict(
                f"planned session {self.id!r} starts at {self.schedule.starts_at.isoformat()}: "
                "it can be confirmed as held once it has started"
            )
        return replace(self, status=PlannedStatus.HELD, updated_at=now, changed_by=by), Change.HELD


def require_future(schedule: Schedule, now: datetime) -> None:
    if schedule.starts_at < now + MIN_AHEAD:
        raise Invalid("local_start", "must be in the future")
    if schedule.starts_at > now + MAX_AHEAD:
        raise Invalid("local_start", "must be at most a year ahead")


def schedule_of(
    *,
    local_start: str,
    time_zone: str,
    duration_minutes: int,
    location: str | None,
    video_url: str | None,
    module_ids: Sequence[str],
) -> Schedule:
    """A schedule from what a person gives; each refusal names its field."""
    zone = require_time_zone(time_zone)
    starts_at = instant_of(local_start, zone)
    if (
        isinstance(duration_minutes, bool)
        or not isinstance(duration_minutes, int)
        or not MIN_MINUTES <= duration_minutes <= MAX_MINUTES
    ):
        raise Invalid(
            "duration_minutes", f"must be {MIN_MINUTES} to {MAX_MINUTES} minutes (8 hours)"
        )
    place = _one_line("location", location, MAX_LOCATION)
    link = require_link(video_url) if video_url is not None and video_url.strip() else None
    if place is None and link is None:
        raise Invalid("location", "give a place, a video link, or both")
    modules = tuple(dict.fromkeys(module_ids))
    if len(modules) > MAX_MODULES:
        raise Invalid("module_ids", f"at most {MAX_MODULES} modules")
    for index, module_id in enumerate(modules):
        if not module_id.strip() or len(module_id) > MAX_ID_LENGTH:
            raise Invalid(f"module_ids.{index}", f"must be 1 to {MAX_ID_LENGTH} characters")
    return Schedule(starts_at, time_zone, duration_minutes, place, link, modules)


def require_time_zone(name: str) -> ZoneInfo:
    """An IANA zone name the platform knows (``Europe/Paris``); not a file path, not an offset."""
    if len(name) > 64 or name not in _zones():
        raise Invalid("time_zone", f"{name[:64]!r} is not an IANA time zone such as Europe/Paris")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("time_zone", f"{name!r} is not a known time zone") from None


def instant_of(local_start: str, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time names in ``zone``. A time skipped when clocks go forward
    does not exist and is refused; a time that happens twice when they go back is the first."""
    if len(local_start) > 19 or not _LOCAL.fullmatch(local_start):
        raise Invalid("local_start", "must be a local date and time such as 2027-01-12T14:30")
    try:
        naive = datetime.fromisoformat(local_start)
    except ValueError:
        raise Invalid("local_start", f"{local_start!r} is not a date and time") from None
    local = naive.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != naive:
        raise Invalid(
            "local_start", f"{local_start} does not exist in {zone.key} (the clocks skip it)"
        )
    return instant


def require_link(url: str) -> str:
    """A meeting link: http(s) with a host, one line, at most 2000 characters."""
    if len(url) > MAX_URL:
        raise Invalid("video_url", f"must be at most {MAX_URL} characters")
    if _CONTROL.search(url) or " " in url:
        raise Invalid("video_url", "must not hold spaces or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise Invalid("video_url", "is not a URL") from None
    if parts.scheme.lower() not in {"https", "http"} or not parts.hostname:
        raise Invalid("video_url", "must be an https:// (or http://) link with a host")
    if parts.username or parts.password:
        raise Invalid("video_url", "must not carry a user name or password")
    return url


def _one_line(field: str, value: str | None, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    if _CONTROL.search(value):
        raise Invalid(field, "must be one line without control characters")
    text = " ".join(value.split())
    if len(text) > limit:
        raise Invalid(field, f"must be at most {limit} characters")
    return text


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())
