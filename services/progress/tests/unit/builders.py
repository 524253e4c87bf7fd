"""Small paths and trackings for the unit tests, at fixed UTC times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import count

from progress.domain.learning_paths import LearningPath, Milestone, Module
from progress.domain.signals import Role
from progress.domain.tracking import CheckIn, MentorAssignment, MilestoneEntry, Session, Tracking

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


NEXT = "pt-next-mentor"


def tracking_with_two_mentors() -> Tracking:
    """MENTOR for five days, then NEXT; each wrote a check-in, the mentee wrote one, and a
    session was logged with each."""
    return replace(
        started(),
        mentor_id=NEXT,
        mentors=(
            MentorAssignment(MENTOR, START, START + days(5)),
            MentorAssignment(NEXT, START + days(5)),
        ),
        check_ins=(
            CheckIn("c-1", "basics", 3, "mentor", "by the first mentor", START + days(1)),
            CheckIn("c-2", "basics", 4, "mentee", "by the mentee", START + days(2)),
            CheckIn("c-3", "basics", 2, "mentor", "by the next mentor", START + days(6)),
            CheckIn("c-4", "basics", 2, "mentor", None, START + days(1)),
        ),
        milestones=(
            MilestoneEntry("m-1", "basics", "completed", "mentee", START, evidence="mine"),
            MilestoneEntry("m-1", "basics", "reopened", "mentor", START + days(1), reason="why"),
        ),
        sessions=(
            Session("s-1", date(2026, 11, 2), 30, (), "first pair", START + days(1)),
            Session("s-2", date(2026, 11, 8), 45, (), "second pair", START + days(6), 4, 5),
        ),
    )
