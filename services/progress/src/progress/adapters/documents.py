"""Mapping between a mentee's tracking and its MongoDB document (one document per mentee)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from progress.domain.learning_paths import LearningPath, Milestone, Module
from progress.domain.tracking import (
    CheckIn,
    MentorAssignment,
    MilestoneEntry,
    Session,
    Tracking,
    TrackingState,
)

Document = dict[str, Any]


def tracking_document(tracking: Tracking) -> Document:
    return {
        "_id": tracking.mentee_id,
        "program_id": tracking.program_id,
        "path_id": tracking.path_id,
        "path_version": tracking.path_version,
        "mentor_id": tracking.mentor_id,
        "state": tracking.state.value,
        "started_at": tracking.started_at,
        "active_since": tracking.active_since,
        "mentors": [
            {"mentor_id": m.mentor_id, "since": m.since, "until": m.until} for m in tracking.mentors
        ],
        "check_ins": [
            {
                "id": c.id,
                "module_id": c.module_id,
                "confidence": c.confidence,
                "assessed_by": c.assessed_by,
                "note": c.note,
                "recorded_at": c.recorded_at,
            }
            for c in tracking.check_ins
        ],
        "milestones": [
            {
                "milestone_id": m.milestone_id,
                "module_id": m.module_id,
                "kind": m.kind,
                "by": m.by,
                "at": m.at,
                "evidence": m.evidence,
                "reason": m.reason,
            }
            for m in tracking.milestones
        ],
        "sessions": [
            {
                "id": s.id,
                "held_on": s.held_on.isoformat(),
                "duration_minutes": s.duration_minutes,
                "module_ids": list(s.module_ids),
                "notes": s.notes,
                "logged_at": s.logged_at,
                "mentee_rating": s.mentee_rating,
                "mentor_rating": s.mentor_rating,
            }
            for s in tracking.sessions
        ],
        "last_activity_at": tracking.last_activity_at,
        "stalled_since": tracking.stalled_since,
        "stall_episodes": tracking.stall_episodes,
        "escalated": tracking.escalated,
    }


def tracking_from(document: Document) -> Tracking:
    return Tracking(
        mentee_id=document["_id"],
        program_id=document["program_id"],
        path_id=document["path_id"],
        path_version=document["path_version"],
        mentor_id=document.get("mentor_id"),
        state=TrackingState(document["state"]),
        started_at=document["started_at"],
        active_since=document["active_since"],
        mentors=tuple(MentorAssignment(**m) for m in document["mentors"]),
        check_ins=tuple(CheckIn(**c) for c in document["check_ins"]),
        milestones=tuple(MilestoneEntry(**m) for m in document["milestones"]),
        sessions=tuple(
            Session(
                **{
                    **s,
                    "held_on": date.fromisoformat(s["held_on"]),
                    "module_ids": tuple(s["module_ids"]),
                }
            )
            for s in document["sessions"]
        ),
        last_activity_at=document.get("last_activity_at"),
        stalled_since=document.get("stalled_since"),
        stall_episodes=document.get("stall_episodes", 0),
        escalated=document.get("escalated", False),
    )


def path_key(path_id: str, version: int) -> str:
    return f"{path_id}@{version}"


def path_document(path: LearningPath, *, created_at: datetime, created_by: str | None) -> Document:
    """One immutable document per version of a path."""
    return {
        "_id": path_key(path.id, path.version),
        "path_id": path.id,
        "version": path.version,
        "title": path.title,
        "modules": [
            {
                "id": module.id,
                "title": module.title,
                "description": module.description,
                "milestones": [
                    {
                        "id": m.id,
                        "title": m.title,
                        "description": m.description,
                        "evidence_expected": m.evidence_expected,
                    }
                    for m in module.milestones
                ],
            }
            for module in path.modules
        ],
        "created_at": created_at,
        "created_by": created_by,
    }


def path_from(document: Document) -> LearningPath:
    return LearningPath(
        id=document["path_id"],
        version=document["version"],
        title=document["title"],
        modules=tuple(
            Module(
                id=module["id"],
                title=module["title"],
                description=module["description"],
                milestones=tuple(Milestone(**m) for m in module["milestones"]),
            )
            for module in document["modules"]
        ),
    )


DETECTION_FIELDS: dict[str, int] = {
    "program_id": 1,
    "path_id": 1,
    "path_version": 1,
    "mentor_id": 1,
    "state": 1,
    "started_at": 1,
    "active_since": 1,
    "last_activity_at": 1,
    "stalled_since": 1,
    "stall_episodes": 1,
    "escalated": 1,
    "version": 1,
}
"""What stall detection reads of a tracking: its state and clocks, none of its history."""


def detection_tracking(document: Document) -> Tracking:
    """A tracking without its history, enough for ``detect``; never saved whole."""
    return Tracking(
        mentee_id=document["_id"],
        program_id=document["program_id"],
        path_id=document["path_id"],
        path_version=document["path_version"],
        mentor_id=document.get("mentor_id"),
        state=TrackingState(document["state"]),
        started_at=document["started_at"],
        active_since=document["active_since"],
        mentors=(),
        last_activity_at=document.get("last_activity_at"),
        stalled_since=document.get("stalled_since"),
        stall_episodes=document.get("stall_episodes", 0),
        escalated=document.get("escalated", False),
    )
