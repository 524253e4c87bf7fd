"""Who takes part in a program, as mentor, mentee or both, and what matching needs to know."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from mentoring.domain.errors import InvalidTransition

HOURS_A_WEEK = 168


class ParticipantStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class WeeklySlot:
    """A weekly availability in the participant's own time zone: ``day`` 0 is Monday."""

    day: int
    start_hour: int
    end_hour: int

    def hours(self) -> range:
        return range(self.day * 24 + self.start_hour, self.day * 24 + self.end_hour)


@dataclass(frozen=True)
class Participant:
    id: str
    program_id: str
    user_id: str
    roles: frozenset[str]
    display_name: str
    email: str
    language: str
    languages: frozenset[str]
    timezone: str
    department: str | None
    manager_id: str | None
    availability: tuple[WeeklySlot, ...]
    competencies: dict[str, int]
    goals: dict[str, int]
    capacity: int
    ranked_mentors: tuple[str, ...]
    status: ParticipantStatus
    registered_at: datetime
    open_matches: tuple[str, ...] = ()
    """Matches proposed to or active with this person (as mentor, or as mentee: one at most)."""
    excluded_mentors: frozenset[str] = frozenset()
    """Mentors who declined, let expire or ended a match with this mentee."""
    version: int = 0

    @property
    def is_mentor(self) -> bool:
        return "mentor" in self.roles

    @property
    def is_mentee(self) -> bool:
        return "mentee" in self.roles

    @property
    def is_active(self) -> bool:
        return self.status is ParticipantStatus.ACTIVE

    def withdraw(self) -> Participant:
        if self.status is ParticipantStatus.WITHDRAWN:
            raise InvalidTransition("participant", self.id, self.status.value, "withdraw")
        return replace(self, status=ParticipantStatus.WITHDRAWN)

    def utc_offset_minutes(self, at: datetime) -> int:
        offset = at.astimezone(ZoneInfo(self.timezone)).utcoffset() or timedelta(0)
        return int(offset.total_seconds() // 60)

    def availability_utc(self, at: datetime) -> frozenset[int]:
        """Weekly availability as UTC hour-of-week indexes, with the offset in force at ``at``."""
        shift = self.utc_offset_minutes(at) // 60
        return frozenset(
            (hour - shift) % HOURS_A_WEEK for slot in self.availability for hour in slot.hours()
        )
