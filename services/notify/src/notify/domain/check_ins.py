"""Check-in reminders: a mentee who goes the program's number of days without a check-in of
their own is reminded once per stretch of silence.

Notify watches each mentee from the events it reads (progress's stall detection counts any
activity, a session or a milestone as much as a check-in; this counts the mentee's own
check-ins only). A watch keeps when the current stretch of silence began (``since``: the
mentee's latest own check-in, or the start of their match if that came later) and whether it has
been reminded. A newer check-in starts a new stretch, which may be reminded again; a check-in
the mentor recorded for the mentee is the mentor's assessment, and starts none.

The watch runs while the mentee has a match: it starts when a match is accepted and stops when
the match ends, the mentee withdraws or completes the path. Events come out of order across
topics and may be delivered again, so each transition is decided from the times of the events:
a start or stop older than the latest start or stop changes nothing, and a check-in no newer
than ``since`` changes nothing. Times are kept to the millisecond, as the database keeps them,
so an event delivered again compares equal to itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from notify.domain.errors import Invalid

DEFAULT_DAYS = 7
"""A program's days without a check-in before a reminder, when notify has not been told."""


class WatchState(StrEnum):
    WAITING = "waiting"
    """Silent since ``since``: reminded once that is the program's days ago."""
    REMINDED = "reminded"
    """This stretch of silence has had its reminder."""
    STOPPED = "stopped"
    """No match to check in for (ended, withdrawn, path completed)."""


@dataclass(frozen=True)
class Watch:
    mentee_id: str
    program_id: str
    mentor_id: str | None
    since: datetime
    state: WatchState
    changed_at: datetime | None = None
    """When the latest start or stop happened (None: neither seen yet)."""

    def episode_id(self) -> str:
        """Names this stretch of silence: its reminder's id derives from it, so two workers (or
        a crash and a retry) remind it once."""
        return f"check-in:{self.mentee_id}:{self.since.isoformat()}"

    def due_at(self, days: int) -> datetime:
        return self.since + timedelta(days=days)


def stored_moment(moment: datetime) -> datetime:
    """A moment as the database keeps it: UTC, to the millisecond."""
    if moment.utcoffset() is None:
        raise Invalid("at", "must be timezone-aware")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def started(
    watch: Watch | None, *, mentee_id: str, program_id: str, mentor_id: str | None, at: datetime
) -> Watch | None:
    """A match was accepted at ``at``: the silence counts from then (or from a later check-in).
    None when nothing changes."""
    at = stored_moment(at)
    if watch is None:
        return Watch(mentee_id, program_id, mentor_id, at, WatchState.WAITING, at)
    if watch.changed_at is not None and at <= watch.changed_at:
        return None  # delivered again, or older than the latest start or stop
    since = max(watch.since, at)
    renewed = watch.state is WatchState.STOPPED or since != watch.since
    return replace(
        watch,
        program_id=program_id,
        mentor_id=mentor_id,
        since=since,
        state=WatchState.WAITING if renewed else watch.state,
        changed_at=at,
    )


def checked_in(
    watch: Watch | None, *, mentee_id: str, program_id: str, mentor_id: str | None, at: datetime
) -> Watch | None:
    """The mentee recorded a check-in at ``at``: a new stretch of silence starts then (a stopped
    watch keeps the time, for when a new match starts). None when nothing changes."""
    at = stored_moment(at)
    if watch is None:
        return Watch(mentee_id, program_id, mentor_id, at, WatchState.WAITING)
    if at <= watch.since:
        return None
    state = watch.state if watch.state is WatchState.STOPPED else WatchState.WAITING
    return replace(watch, mentor_id=mentor_id, since=at, state=state)


def stopped(watch: Watch | None, *, mentee_id: str, program_id: str, at: datetime) -> Watch | None:
    """The match ended, the mentee withdrew or completed the path at ``at``: no reminder until
    a newer match starts. Kept even without a watch, so that an older start arriving after it
    starts nothing. None when nothing changes."""
    at = stored_moment(at)
    if watch is None:
        return Watch(mentee_id, program_id, None, at, WatchState.STOPPED, at)
    if watch.changed_at is not None and at < watch.changed_at:
        return None
    if watch.state is WatchState.STOPPED and watch.changed_at == at:
        return None
    return replace(watch, state=WatchState.STOPPED, changed_at=at)


def require_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
        raise Invalid("check_in_reminder_days", "must be a whole number of days from 1 to 365")
    return days
