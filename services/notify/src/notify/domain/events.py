"""What happened, as the service layer hands it over after translating a contract event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from notify.domain.errors import Invalid


class EventKind(StrEnum):
    MATCH_PROPOSED = "match.proposed"
    MATCH_ACCEPTED = "match.accepted"
    MATCH_DECLINED = "match.declined"
    MATCH_EXPIRED = "match.expired"
    MATCH_ENDED = "match.ended"
    MATCH_CANCELLED = "match.cancelled"
    MATCH_ACCEPTANCE_GIVEN = "match.acceptance_given"
    MENTEE_STALLED = "progress.mentee_stalled"
    MENTEE_STILL_STALLED = "progress.mentee_still_stalled"
    CONFIDENCE_DROPPED = "progress.confidence_dropped"
    MILESTONE_COMPLETED = "progress.milestone_completed"
    MODULE_COMPLETED = "progress.module_completed"
    PATH_COMPLETED = "progress.path_completed"
    SESSION_NOT_RATED = "progress.session_logged_without_rating"
    MENTEE_BACK_ON_TRACK = "progress.mentee_back_on_track"
    PARTICIPANT_WITHDRAWN = "participant.withdrawn"
    SESSION_PLANNED = "progress.session_planned"
    SESSION_RESCHEDULED = "progress.session_rescheduled"
    SESSION_CANCELLED = "progress.session_cancelled"
    CHECK_IN_OVERDUE = "progress.check_in_overdue"
    PROPOSAL_EXPIRING = "match.proposal_expiring"
    SESSION_TO_CONFIRM = "progress.session_to_confirm"
    MENTOR_WEEKLY_DIGEST = "mentor.weekly_digest"

    @classmethod
    def parse(cls, value: str) -> EventKind:
        try:
            return cls(value)
        except ValueError:
            raise Invalid("kind", f"unknown event kind {value!r}") from None


class Detail(StrEnum):
    """The keys of ``Occurrence.details``; each rule says which ones it needs."""

    EXPIRES_AT = "expires_at"
    REASON = "reason"
    OUTCOME = "outcome"
    DAYS = "days"
    MODULE_ID = "module_id"
    MODULE_TITLE = "module_title"
    MILESTONE_ID = "milestone_id"
    MILESTONE_TITLE = "milestone_title"
    PREVIOUS_CONFIDENCE = "previous_confidence"
    CONFIDENCE = "confidence"
    LEARNING_PATH_ID = "learning_path_id"
    PATH_TITLE = "path_title"
    NOT_RATED_BY = "not_rated_by"
    SESSION_DATE = "session_date"
    MATCH_ID = "match_id"
    CHECK_IN_ID = "check_in_id"
    SESSION_ID = "session_id"
    ANSWER_FROM = "answer_from"
    DECLINED_BY = "declined_by"
    ACCEPTED_BY = "accepted_by"
    PLANNED_SESSION_ID = "planned_session_id"
    STARTS_AT = "starts_at"
    PREVIOUS_STARTS_AT = "previous_starts_at"
    TIME_ZONE = "time_zone"
    DURATION_MINUTES = "duration_minutes"
    LOCATION = "location"
    VIDEO_URL = "video_url"
    SEQUENCE = "sequence"
    PLANNED_BY = "planned_by"


def in_language(key: Detail, language: str) -> str:
    """The detail holding ``key``'s text in ``language``, e.g. ``module_title.fr``."""
    return f"{key}.{language}"


@dataclass(frozen=True)
class Occurrence:
    kind: EventKind
    event_id: str
    occurred_at: datetime
    program_id: str
    mentee_id: str
    mentor_id: str | None = None
    mentee_name: str | None = None
    mentor_name: str | None = None
    details: Mapping[str, str | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EventKind.parse(self.kind))
        for name in ("event_id", "program_id", "mentee_id"):
            if not getattr(self, name):
                raise Invalid(name, "must not be empty")
        if self.kind.value.startswith("match.") and not self.mentor_id:
            raise Invalid("mentor_id", f"is required for {self.kind}: every match has a mentor")
        if self.occurred_at.utcoffset() is None:
            raise Invalid("occurred_at", "must be timezone-aware")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def in_languages(self, key: Detail) -> Mapping[str, str]:
        """A text given in several languages (details ``in_language(key, language)``), by
        language; its wording in the path's own language is the detail ``key`` itself."""
        prefix = in_language(key, "")
        return {
            name.removeprefix(prefix): value
            for name, value in self.details.items()
            if name.startswith(prefix) and isinstance(value, str) and value
        }

    def text(self, key: Detail) -> str | None:
        value = self.details.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise Invalid(f"details.{key}", "must be text")
        return value

    def whole(self, key: Detail, low: int, high: int) -> int | None:
        value = self.details.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"details.{key}", "must be a whole number")
        if not low <= value <= high:
            raise Invalid(f"details.{key}", f"must be between {low} and {high}")
        return value
