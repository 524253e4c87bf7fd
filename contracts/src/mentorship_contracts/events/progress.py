"""Where each mentee stands on their learning path (producer: progress; topic ``progress.events``).

Keyed by mentee. Every payload names the mentee, their current mentor and the program (by id) so
that notify can alert the right people without calling back. What a mentee writes (a check-in's
note, a milestone's evidence) stays in progress.
"""

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Confidence, Id, Language, Name, Text
from mentorship_contracts.topics import Topic


class _ProgressEvent(EventPayload):
    mentee_id: Id
    mentor_id: Id | None = None
    program_id: Id


Titles = dict[Language, Name]


def _titles(what: str) -> Any:
    return Field(
        default_factory=dict,
        description=f"The {what}'s title in the path's own language and in each language the "
        "path is translated into (empty from older producers: name it by id).",
    )


def _path_language() -> Any:
    return Field(
        default=None,
        description="The language the path is written in: a reader whose language the titles "
        "lack reads them in this one.",
    )


class CheckInRecorded(
    _ProgressEvent,
    type="progress.check_in.recorded",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """A confidence level was recorded for a module, by the mentee or by the mentor."""

    check_in_id: Id
    module_id: Id
    confidence: Confidence
    assessed_by: Literal["mentee", "mentor"]
    note: Text | None = Field(
        default=None,
        description="Never written: a check-in's note is personal data and stays in progress "
        "(kept in the schema for compatibility).",
    )


class MilestoneCompleted(
    _ProgressEvent,
    type="progress.milestone.completed",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    module_id: Id
    milestone_id: Id
    module_title: Titles = _titles("module")
    milestone_title: Titles = _titles("milestone")
    path_language: Language | None = _path_language()
    evidence: Text | None = Field(
        default=None,
        description="Never written: the evidence given is personal data and stays in progress "
        "(kept in the schema for compatibility).",
    )


class MilestoneReopened(
    _ProgressEvent,
    type="progress.milestone.reopened",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    module_id: Id
    milestone_id: Id
    reason: Text | None = None


class SessionLogged(
    _ProgressEvent,
    type="progress.session.logged",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    session_id: Id
    held_on: date
    duration_minutes: int = Field(gt=0, le=480)
    module_ids: list[Id] = Field(default_factory=list)
    rated_by: list[Literal["mentee", "mentor"]] = Field(
        default_factory=list, description="who rated the session when logging it"
    )


class SessionRated(
    _ProgressEvent,
    type="progress.session.rated",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """One side rated a session (1 to 5), or changed their rating."""

    session_id: Id
    rated_by: Literal["mentee", "mentor"]
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")


class ModuleCompleted(
    _ProgressEvent,
    type="progress.module.completed",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    module_id: Id
    module_title: Titles = _titles("module")
    path_language: Language | None = _path_language()


class PathCompleted(
    _ProgressEvent,
    type="progress.path.completed",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    learning_path_id: Id


class MenteeStalled(
    _ProgressEvent,
    type="progress.mentee.stalled",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """No activity for the program's stall window: emitted once per stall episode."""

    last_activity_at: datetime
    stall_window_days: int = Field(gt=0)


class MenteeStillStalled(
    _ProgressEvent,
    type="progress.mentee.still_stalled",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """Still no activity after twice the stall window: the program's admins are told, once."""

    last_activity_at: datetime
    stall_window_days: int = Field(gt=0)


class MenteeBackOnTrack(
    _ProgressEvent,
    type="progress.mentee.back_on_track",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    resumed_at: datetime


class ConfidenceDropped(
    _ProgressEvent,
    type="progress.confidence.dropped",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """A check-in was a drop of confidence on a module: below the same assessor's previous
    check-in there, and either at 1 or at least 2 levels below the best of their 3 check-ins
    before it. ``previous_confidence`` is that previous check-in's level."""

    module_id: Id
    previous_confidence: Confidence
    confidence: Confidence
    check_in_id: Id | None = Field(
        default=None, description="The check-in that dropped (its CheckInRecorded)."
    )
    assessed_by: Literal["mentee", "mentor"] | None = Field(
        default=None, description="Who assessed the check-in that dropped."
    )
    module_title: Titles = _titles("module")
    path_language: Language | None = _path_language()
