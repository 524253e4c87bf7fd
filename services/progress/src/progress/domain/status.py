"""How a mentee is doing, in one word, under the program's stall window.

The rules, first match wins:
  completed  every milestone of the tracked path version is done;
  stopped    the participant withdrew;
  paused     no mentor follows them for now (waiting for a new match);
  stalled    no activity for the stall window or longer;
  at_risk    no activity for half the window or longer, or some module's confidence is falling;
  on_track   otherwise.
``paused`` and ``stopped`` come before the activity rules so that stall counts only count mentees a
mentor is expected to chase.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from progress.domain.errors import Invalid
from progress.domain.tracking import TrackingState

DEFAULT_STALL_WINDOW = timedelta(days=14)


class ProgressStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    STALLED = "stalled"
    COMPLETED = "completed"
    PAUSED = "paused"
    STOPPED = "stopped"


def require_stall_window(stall_window: timedelta) -> timedelta:
    if stall_window <= timedelta(0):
        raise Invalid("stall_window", "must be longer than zero")
    return stall_window


def status_of(
    *,
    state: TrackingState,
    path_complete: bool,
    idle_since: datetime,
    confidence_falling: bool,
    now: datetime,
    stall_window: timedelta = DEFAULT_STALL_WINDOW,
) -> ProgressStatus:
    require_stall_window(stall_window)
    idle = now - idle_since
    if path_complete:
        return ProgressStatus.COMPLETED
    if state is TrackingState.STOPPED:
        return ProgressStatus.STOPPED
    if state is TrackingState.PAUSED:
        return ProgressStatus.PAUSED
    if idle >= stall_window:
        return ProgressStatus.STALLED
    if idle >= stall_window / 2 or confidence_falling:
        return ProgressStatus.AT_RISK
    return ProgressStatus.ON_TRACK
