# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""A mentee's progress as the progress service computes it."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from gateway.features.enums import ProgressStatus, TrackingState
from gateway.timestamps import moment_or_none
from gateway.wire import pick


@strawberry.enum
class Trend(Enum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"
    UNKNOWN = "unknown"


@strawberry.type
class ModuleProgress:
    module_id: strawberry.ID
    title: str
    milestones_done: int
    milestones_total: int
    percent: int
    completed: bool
    self_assessment: int | None
    mentor_assessment: int | None
    latest_confidence: int | None
    trend: Trend
    confidence_dropped: bool = strawberry.field(
        description=(
            "True when the mentee's or the mentor's latest check-in on this module is a drop, "
            "compared with that same assessor's earlier check-ins on it (mentee and mentor use "
            "the scale differently): below their previous check-in and either at 1, or 2 levels "
            "or more below the best of their 3 check-ins before it. So 2 → 1, 4 → 2 and "
            "4 → 3 → 2 are drops, 4 → 2 → 1 is a drop at 2 and again at 1; 3 → 3 → 2 and "
            "staying at a level are not; a first check-in never is. Each drop also alerts the "
            "mentor (the program's admins when the mentee has none)."
        )
    )


def overall_trend(modules: list[ModuleProgress]) -> Trend:
    """Falling if any module's confidence falls (what a mentor must see first), else rising if
    any rises, else steady if any is known."""
    trends = {m.trend for m in modules}
    for trend in (Trend.FALLING, Trend.RISING, Trend.STEADY):
        if trend in trends:
            return trend
    return Trend.UNKNOWN


@strawberry.type
class MenteeProgress:
    mentee_id: strawberry.ID
    program_id: strawberry.ID
    mentor_id: strawberry.ID | None
    path_id: strawberry.ID
    path_version: int
    state: TrackingState
    status: ProgressStatus
    percent: int
    milestones_done: int
    milestones_total: int
    last_activity_at: dt.datetime | None
    sessions_count: int
    modules: list[ModuleProgress]

    @strawberry.field(description="The direction of the mentee's confidence across modules.")
    def confidence_trend(self) -> Trend:
        return overall_trend(self.modules)

    @classmethod
    def of(cls, body: dict[str, Any]) -> MenteeProgress:
        return cls(
            mentee_id=strawberry.ID(body["mentee_id"]),
            program_id=strawberry.ID(body["program_id"]),
            mentor_id=None if body.get("mentor_id") is None else strawberry.ID(body["mentor_id"]),
            path_id=strawberry.ID(body["path_id"]),
            path_version=body["path_version"],
            state=TrackingState(body["state"]),
            status=ProgressStatus(body["status"]),
            percent=body["percent"],
            milestones_done=body["milestones_done"],
            milestones_total=body["milestones_total"],
            last_activity_at=moment_or_none(body.get("last_activity_at")),
            sessions_count=body.get("sessions_count", 0),
            modules=[
                pick(ModuleProgress, m, trend=Trend(m.get("trend", "unknown")))
                for m in body.get("modules", [])
            ],
        )
