"""Where a mentee stands, computed from their tracking against the path version it follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from progress.domain.confidence import latest_is_drop
from progress.domain.learning_paths import LearningPath
from progress.domain.status import DEFAULT_STALL_WINDOW, ProgressStatus, status_of
from progress.domain.tracking import CheckIn, Tracking, TrackingState

TREND_SPAN = 3


class Trend(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"
    UNKNOWN = "unknown"


def confidence_trend(levels: Sequence[int]) -> Trend:
    """The direction of one assessor's confidence on one module, oldest level first.

    Only the last three levels count, and only the net change between the first and the last of
    them: one uneven reading in the middle (3, 5, 3) is noise, and recent changes weigh more than
    the mentee's start. Fewer than two levels tell nothing. A sharp fall in the latest reading is
    caught by the drop rule (``latest_is_drop``), whatever the trend says.
    """
    recent = levels[-TREND_SPAN:]
    if len(recent) < 2:
        return Trend.UNKNOWN
    change = recent[-1] - recent[0]
    if change > 0:
        return Trend.RISING
    if change < 0:
        return Trend.FALLING
    return Trend.STEADY


def combined_trend(*trends: Trend) -> Trend:
    """One trend for a module from the mentee's and the mentor's: a fall on either side wins,
    so that one side's optimism never hides the other's doubt."""
    for trend in (Trend.FALLING, Trend.RISING, Trend.STEADY):
        if trend in trends:
            return trend
    return Trend.UNKNOWN


@dataclass(frozen=True)
class ModuleProgress:
    """One module of the path for one mentee.

    ``confidence_dropped``: the mentee's latest check-in on the module, or the mentor's latest, is
    a drop (``latest_is_drop``) compared with that assessor's earlier check-ins on the module.
    """

    module_id: str
    title: str
    milestones_done: int
    milestones_total: int
    percent: int
    completed: bool
    self_assessment: int | None
    mentor_assessment: int | None
    latest_confidence: int | None
    self_trend: Trend
    mentor_trend: Trend
    trend: Trend
    confidence_dropped: bool

    @property
    def confidence_falling(self) -> bool:
        return self.trend is Trend.FALLING or self.confidence_dropped


@dataclass(frozen=True)
class ProgressView:
    mentee_id: str
    program_id: str
    mentor_id: str | None
    path_id: str
    path_version: int
    state: TrackingState
    milestones_done: int
    milestones_total: int
    percent: int
    modules: tuple[ModuleProgress, ...]
    last_activity_at: datetime | None
    sessions_count: int
    status: ProgressStatus

    def module(self, module_id: str) -> ModuleProgress | None:
        return next((m for m in self.modules if m.module_id == module_id), None)


def percent(done: int, total: int) -> int:
    """Rounded down, so that 100 means everything is done."""
    return done * 100 // total if total else 0


def progress_view(
    tracking: Tracking,
    path: LearningPath,
    *,
    now: datetime,
    stall_window: timedelta = DEFAULT_STALL_WINDOW,
) -> ProgressView:
    """Percentages count the completions of milestones present in this path version only.

    Check-ins of modules the version no longer has stay in the history and are left out here.
    """
    tracking.require_path(path)
    done = tracking.milestones_done(path)
    modules = tuple(
        _module_progress(
            module_id=module.id,
            title=module.title,
            done=sum(1 for mid in module.milestone_ids if mid in done),
            total=len(module.milestones),
            check_ins=[c for c in tracking.check_ins if c.module_id == module.id],
        )
        for module in path.modules
    )
    total = len(path.milestone_ids)
    path_complete = len(done) == total
    status = status_of(
        state=tracking.state,
        path_complete=path_complete,
        idle_since=tracking.idle_since,
        confidence_falling=any(m.confidence_falling for m in modules),
        now=now,
        stall_window=stall_window,
    )
    return ProgressView(
        mentee_id=tracking.mentee_id,
        program_id=tracking.program_id,
        mentor_id=tracking.mentor_id,
        path_id=path.id,
        path_version=path.version,
        state=tracking.state,
        milestones_done=len(done),
        milestones_total=total,
        percent=percent(len(done), total),
        modules=modules,
        last_activity_at=tracking.last_activity_at,
        sessions_count=len(tracking.sessions),
        status=status,
    )


def _module_progress(
    *, module_id: str, title: str, done: int, total: int, check_ins: list[CheckIn]
) -> ModuleProgress:
    by_mentee = [c.confidence for c in check_ins if c.assessed_by == "mentee"]
    by_mentor = [c.confidence for c in check_ins if c.assessed_by == "mentor"]
    self_trend = confidence_trend(by_mentee)
    mentor_trend = confidence_trend(by_mentor)
    return ModuleProgress(
        module_id=module_id,
        title=title,
        milestones_done=done,
        milestones_total=total,
        percent=percent(done, total),
        completed=done == total,
        self_assessment=by_mentee[-1] if by_mentee else None,
        mentor_assessment=by_mentor[-1] if by_mentor else None,
        latest_confidence=check_ins[-1].confidence if check_ins else None,
        self_trend=self_trend,
        mentor_trend=mentor_trend,
        trend=combined_trend(self_trend, mentor_trend),
        confidence_dropped=latest_is_drop(by_mentee) or latest_is_drop(by_mentor),
    )
