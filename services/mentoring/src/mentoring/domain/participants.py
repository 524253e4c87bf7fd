"""Who takes part in a program, as mentor, mentee or both, and what matching needs to know."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from mentoring.domain.errors import Invalid, InvalidTransition
from mentoring.domain.matching.model import MAX_LEVEL, MIN_LEVEL

HOURS_A_WEEK = 168

SKILL_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
"""The grammar of a competency or goal key (a skill, usually a learning-path module id such as
``community-rules``). The keys are stored as the keys of the participant's document, where
MongoDB refuses a ``.``, a leading ``$`` and the empty key; this grammar leaves all three out,
and upper case too, so that ``Python`` and ``python`` cannot be two skills."""
SKILL_KEY_RULE = (
    "lower-case letters, digits, '-' and '_', starting with a letter or a digit, "
    "at most 64 characters"
)
MAX_SKILLS = 30

EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,127}")
"""An external id: letters, digits and ``_ . : @ + -``, starting with a letter or a digit, at
most 128 characters (HR numbers, identity-provider object ids, e-mail-like user names)."""
EXTERNAL_ID_RULE = (
    "letters, digits and '_ . : @ + -', starting with a letter or a digit, at most 128 characters"
)


def skill_key_problem(key: str) -> str | None:
    """Why ``key`` is not a skill key, or None when it is one."""
    if SKILL_KEY.fullmatch(key) is None:
        return f"{key[:80]!r} is not a skill key: {SKILL_KEY_RULE}"
    return None


def require_skill_levels(field: str, levels: Mapping[str, int]) -> dict[str, int]:
    """A participant's ``competencies`` or ``goals``: at most 30 skills, each key in the
    ``SKILL_KEY`` grammar and each level a whole number from 1 to 5."""
    if len(levels) > MAX_SKILLS:
        raise Invalid(field, f"at most {MAX_SKILLS} skills")
    for key, level in levels.items():
        problem = skill_key_problem(key)
        if problem is not None:
            raise Invalid(field, problem)
        if isinstance(level, bool) or not isinstance(level, int):
            raise Invalid(f"{field}.{key}", f"a level is a whole number, got {level!r}")
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise Invalid(f"{field}.{key}", f"a level is {MIN_LEVEL} to {MAX_LEVEL}, got {level}")
    return dict(levels)


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
    external_id: str | None = None
    """The id the program's organisation knows this person by (an HR or identity-provider id),
    unique in the program; bulk imports and provisioning find the person by it."""

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
