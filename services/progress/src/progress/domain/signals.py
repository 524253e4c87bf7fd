"""What a transition tells the outside world; the service layer publishes them as events.

Every signal names the mentee, their current mentor (None while they have none) and the program,
so that notify can alert the right people without calling back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

Role = Literal["mentee", "mentor"]


@dataclass(frozen=True, kw_only=True)
class Signal:
    mentee_id: str
    mentor_id: str | None
    program_id: str


@dataclass(frozen=True, kw_only=True)
class CheckInRecorded(Signal):
    check_in_id: str
    module_id: str
    confidence: int
    assessed_by: Role


@dataclass(frozen=True, kw_only=True)
class ConfidenceDropped(Signal):
    """A check-in is a drop (``confidence.latest_is_drop``: below that assessor's previous
    check-in on the module and either at 1 or 2 levels below the best of their 3 check-ins before
    it); ``previous_confidence`` is the level of that assessor's previous check-in on the module."""

    check_in_id: str
    module_id: str
    assessed_by: Role
    previous_confidence: int
    confidence: int


@dataclass(frozen=True, kw_only=True)
class MilestoneCompleted(Signal):
    module_id: str
    milestone_id: str
    completed_by: Role


@dataclass(frozen=True, kw_only=True)
class MilestoneReopened(Signal):
    module_id: str
    milestone_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ModuleCompleted(Signal):
    module_id: str


@dataclass(frozen=True, kw_only=True)
class PathCompleted(Signal):
    learning_path_id: str
    learning_path_version: int


@dataclass(frozen=True, kw_only=True)
class SessionLogged(Signal):
    session_id: str
    held_on: date
    duration_minutes: int
    module_ids: tuple[str, ...]
    rated_by: tuple[Role, ...] = ()
    """Who rated the session while logging it."""


@dataclass(frozen=True, kw_only=True)
class SessionRated(Signal):
    """One side rated a session after it was logged, or changed their rating."""

    session_id: str
    rated_by: Role
    rating: int


@dataclass(frozen=True, kw_only=True)
class MenteeStalled(Signal):
    """No activity for the stall window: once per stall episode.

    ``last_activity_at`` is when the stall clock started: the last activity, or the start (or
    resumption) of the accompaniment when nothing was recorded since.
    """

    last_activity_at: datetime
    stalled_since: datetime
    stall_window: timedelta
    episode: int


@dataclass(frozen=True, kw_only=True)
class MenteeStillStalled(Signal):
    """Still no activity at twice the stall window: once per episode, for the program admins."""

    last_activity_at: datetime
    stalled_since: datetime
    stall_window: timedelta
    episode: int


@dataclass(frozen=True, kw_only=True)
class MenteeBackOnTrack(Signal):
    """Activity resumed after a stall that was signalled; it ends the episode."""

    resumed_at: datetime
    episode: int
