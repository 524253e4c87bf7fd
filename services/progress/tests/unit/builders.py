"""Small paths and trackings for the unit tests, at fixed UTC times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from progress.domain.learning_paths import LearningPath, Milestone, Module
from progress.domain.signals import Role
from progress.domain.tracking import Tracking

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MENTEE = "mentee-ada"
MENTOR = "mentor-grace"
PROGRAM = "program-acme"

_ids = count(1)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def milestone(milestone_id: str) -> Milestone:
    return Milestone(
        id=milestone_id,
        title=f"Do {milestone_id}",
        description=f"What {milestone_id} means.",
        evidence_expected=f"A link showing {milestone_id}.",
    )


def module(module_id: str, *milestone_ids: str) -> Module:
    return Module(
        id=module_id,
        title=f"Module {module_id}",
        description=f"All about {module_id}.",
        milestones=tuple(milestone(mid) for mid in milestone_ids),
    )


PATH = LearningPath(
    id="small-path",
    version=1,
    title="Small path",
    modules=(module("basics", "read", "try"), module("practice", "post")),
)


def started(path: LearningPath = PATH, *, at: datetime = START) -> Tracking:
    return Tracking.start(mentee_id=MENTEE, program_id=PROGRAM, path=path, mentor_id=MENTOR, now=at)


def checked_in(
    tracking: Tracking,
    module_id: str,
    confidence: int,
    *,
    by: Role = "mentee",
    at: datetime = START,
    path: LearningPath = PATH,
) -> Tracking:
    return tracking.record_check_in(
        path=path,
        check_in_id=f"check-in-{next(_ids)}",
        module_id=module_id,
        confidence=confidence,
        by=by,
        note=None,
        now=at,
    ).tracking


def completed(
    tracking: Tracking,
    *milestone_ids: str,
    at: datetime = START,
    path: LearningPath = PATH,
) -> Tracking:
    for milestone_id in milestone_ids:
        tracking = tracking.complete_milestone(
            path=path, milestone_id=milestone_id, evidence=None, by="mentee", now=at
        ).tracking
    return tracking
