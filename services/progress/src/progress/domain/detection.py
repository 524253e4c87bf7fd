"""Stall detection, run periodically by a worker with an injected clock.

``detect`` is a pure function of the tracking and the time: its bookkeeping (``stalled_since``,
``stall_episodes``, ``escalated``) lives in the tracking, so running it every minute, twice at the
same time, or once after a week of downtime gives the same signals: one MenteeStalled per stall
episode and, at twice the window, one MenteeStillStalled for the program admins. Times in the
signals are computed from the last activity, not from when the worker happened to run. An episode
ends with activity (the activity transition signals MenteeBackOnTrack), after which a new one can
start.

Only an active tracking stalls: a paused one has no mentor to alert, a completed or stopped one has
nothing left to do.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from progress.domain.signals import MenteeStalled, MenteeStillStalled, Signal
from progress.domain.status import DEFAULT_STALL_WINDOW, require_stall_window
from progress.domain.tracking import Tracking, TrackingState, Transition
from progress.domain.validation import require_utc

ESCALATION_FACTOR = 2
"""A mentee still stalled at this many stall windows without activity is escalated to admins."""


def detect(
    tracking: Tracking, *, now: datetime, stall_window: timedelta = DEFAULT_STALL_WINDOW
) -> Transition:
    require_utc(now)
    require_stall_window(stall_window)
    if tracking.state is not TrackingState.ACTIVE:
        return Transition.unchanged(tracking)
    idle_since = tracking.idle_since
    stalls_at = idle_since + stall_window
    if now < stalls_at:
        return Transition.unchanged(tracking)
    signals: list[Signal] = []
    if tracking.stalled_since is None:
        tracking = replace(
            tracking,
            stalled_since=stalls_at,
            stall_episodes=tracking.stall_episodes + 1,
            escalated=False,
        )
        signals.append(
            MenteeStalled(
                mentee_id=tracking.mentee_id,
                mentor_id=tracking.mentor_id,
                program_id=tracking.program_id,
                last_activity_at=idle_since,
                stalled_since=stalls_at,
                stall_window=stall_window,
                episode=tracking.stall_episodes,
            )
        )
    if not tracking.escalated and now >= idle_since + ESCALATION_FACTOR * stall_window:
        tracking = replace(tracking, escalated=True)
        signals.append(
            MenteeStillStalled(
                mentee_id=tracking.mentee_id,
                mentor_id=tracking.mentor_id,
                program_id=tracking.program_id,
                last_activity_at=idle_since,
                stalled_since=tracking.stalled_since or stalls_at,
                stall_window=stall_window,
                episode=tracking.stall_episodes,
            )
        )
    if not signals:
        return Transition.unchanged(tracking)
    return Transition(tracking, tuple(signals))
