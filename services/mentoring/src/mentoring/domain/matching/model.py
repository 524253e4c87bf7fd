"""Who can be matched, how a match is scored, and what the engine answers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from mentoring.domain.matching.errors import InvalidCandidate, InvalidPolicy

MICRO = 1_000_000  # scores are exact integers of micro-points; 100 points = FULL_SCORE
FULL_SCORE = 100 * MICRO
HOURS_PER_WEEK = 168
MIN_LEVEL, MAX_LEVEL = 1, 5
MAX_RANKED_MENTORS = 5
MIN_UTC_OFFSET, MAX_UTC_OFFSET = -12 * 60, 14 * 60

DepartmentPreference = Literal["same", "cross", "none"]
Objective = Literal["best_fit", "most_matched"]
OBJECTIVES: tuple[Objective, ...] = ("best_fit", "most_matched")


class Criterion(StrEnum):
    GOALS = "goal_coverage"
    TIMEZONE = "timezone_overlap"
    AVAILABILITY = "availability_overlap"
    DEPARTMENT = "department"
    PREFERENCE = "ranked_preference"
    LOAD = "load_balance"


class Exclusion(StrEnum):
    SELF = "self"
    NO_SHARED_LANGUAGE = "no_shared_language"
    NO_CAPACITY = "no_capacity"
    REPORTING_LINE = "reporting_line"
    PREVIOUSLY_DECLINED_OR_ENDED = "previously_declined_or_ended"


DEFAULT_WEIGHTS: Mapping[Criterion, float] = MappingProxyType(
    {
        Criterion.GOALS: 40.0,
        Criterion.TIMEZONE: 15.0,
        Criterion.AVAILABILITY: 15.0,
        Criterion.DEPARTMENT: 10.0,
        Criterion.PREFERENCE: 10.0,
        Criterion.LOAD: 10.0,
    }
)


def _require(condition: bool, owner: str, message: str) -> None:
    if not condition:
        raise InvalidCandidate(f"{owner}: {message}")


def _check_common(
    owner: str, candidate_id: str, utc_offset_minutes: int, availability: frozenset[int]
) -> None:
    _require(bool(candidate_id), owner, "an id is required")
    _require(
        MIN_UTC_OFFSET <= utc_offset_minutes <= MAX_UTC_OFFSET,
        owner,
        f"UTC offset {utc_offset_minutes} min is outside -12 h..+14 h",
    )
    _require(
        all(0 <= slot < HOURS_PER_WEEK for slot in availability),
        owner,
        "availability slots are hours of the week, 0..167",
    )


def _check_levels(owner: str, what: str, levels: Mapping[str, int]) -> None:
    _require(
        all(MIN_LEVEL <= level <= MAX_LEVEL for level in levels.values()),
        owner,
        f"{what} levels are 1..5",
    )


@dataclass(frozen=True, slots=True)
class MentorCandidate:
    id: str
    languages: frozenset[str]
    utc_offset_minutes: int
    availability: frozenset[int]
    competencies: Mapping[str, int]
    department: str | None
    manager_id: str | None
    capacity: int
    load: int
    max_capacity: int

    def __post_init__(self) -> None:
        owner = f"mentor {self.id!r}"
        _check_common(owner, self.id, self.utc_offset_minutes, self.availability)
        _check_levels(owner, "competency", self.competencies)
        _require(self.capacity >= 0, owner, "capacity cannot be negative")
        _require(self.load >= 0, owner, "load cannot be negative")
        _require(self.max_capacity >= 1, owner, "max_capacity is at least 1")
        object.__setattr__(self, "languages", frozenset(self.languages))
        object.__setattr__(self, "availability", frozenset(self.availability))
        object.__setattr__(self, "competencies", MappingProxyType(dict(self.competencies)))


@dataclass(frozen=True, slots=True)
class MenteeCandidate:
    id: str
    languages: frozenset[str]
    utc_offset_minutes: int
    availability: frozenset[int]
    goals: Mapping[str, int]
    department: str | None
    manager_id: str | None
    ranked_mentors: tuple[str, ...] = ()
    excluded_mentors: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        owner = f"mentee {self.id!r}"
        _check_common(owner, self.id, self.utc_offset_minutes, self.availability)
        _check_levels(owner, "goal target", self.goals)
        ranked = tuple(self.ranked_mentors)
        _require(len(ranked) <= MAX_RANKED_MENTORS, owner, "at most 5 ranked mentors")
        _require(len(set(ranked)) == len(ranked), owner, "a mentor is ranked twice")
        object.__setattr__(self, "languages", frozenset(self.languages))
        object.__setattr__(self, "availability", frozenset(self.availability))
        object.__setattr__(self, "goals", MappingProxyType(dict(self.goals)))
        object.__setattr__(self, "ranked_mentors", ranked)
        object.__setattr__(self, "excluded_mentors", frozenset(self.excluded_mentors))


@dataclass(frozen=True, slots=True)
class MatchingPolicy:
    weights: Mapping[Criterion, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    department_preference: DepartmentPreference = "none"
    min_common_hours: int = 2
    _worth: tuple[tuple[Criterion, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = [name for name in self.weights if name not in set(Criterion)]
        if unknown:
            raise InvalidPolicy(f"unknown criteria: {', '.join(map(str, unknown))}")
        weights = {Criterion(name): float(weight) for name, weight in self.weights.items()}
        if not all(math.isfinite(w) and w >= 0 for w in weights.values()):
            raise InvalidPolicy("weights are finite and non-negative")
        if self.department_preference not in ("same", "cross", "none"):
            raise InvalidPolicy(f"unknown department preference {self.department_preference!r}")
        if self.min_common_hours < 1:
            raise InvalidPolicy("min_common_hours is at least 1")
        object.__setattr__(self, "weights", MappingProxyType(weights))
        active = [(c, self.weight(c)) for c in Criterion if self.weight(c) > 0]
        if not active:
            raise InvalidPolicy("at least one criterion needs a positive weight")
        object.__setattr__(self, "_worth", _share_out(active))

    def weight(self, criterion: Criterion) -> float:
        if criterion is Criterion.DEPARTMENT and self.department_preference == "none":
            return 0.0
        return self.weights.get(criterion, 0.0)

    def max_points(self) -> tuple[tuple[Criterion, int], ...]:
        """The criteria that count, in `Criterion` order, each with its worth in micro-points.

        A criterion with weight 0, or the department when there is no department preference, is
        left out; the worths of the others add up to exactly 100 points (FULL_SCORE).
        """
        return self._worth


def _share_out(weights: list[tuple[Criterion, float]]) -> tuple[tuple[Criterion, int], ...]:
    """FULL_SCORE in proportion to the weights: floors of the exact shares, then one more
    micro-point for each of the largest remainders (the earlier criterion first on a tie)."""
    total = sum((Fraction(w) for _, w in weights), Fraction(0))
    shares = [FULL_SCORE * Fraction(w) / total for _, w in weights]
    worth = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda k: (worth[k] - shares[k], k))
    for k in by_remainder[: FULL_SCORE - sum(worth)]:
        worth[k] += 1
    return tuple((c, points) for (c, _), points in zip(weights, worth, strict=True))


@dataclass(frozen=True, slots=True)
class CriterionScore:
    criterion: Criterion
    value: float
    points: float
    reason: str


@dataclass(frozen=True, slots=True)
class ScoredMentor:
    mentor_id: str
    score: float
    breakdown: tuple[CriterionScore, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assignment:
    mentee_id: str
    mentor_id: str
    score: float
    breakdown: tuple[CriterionScore, ...]


@dataclass(frozen=True, slots=True)
class Unmatched:
    mentee_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class BlockingPair:
    """A pair the run did not make that both sides would prefer: the mentee scores more with
    this mentor than with theirs (``mentee_score``, None when unmatched), and the mentor has a
    free place or scores the mentee above their weakest mentee (``mentor_weakest``, None for a
    free place)."""

    mentee_id: str
    mentor_id: str
    score: float
    mentee_score: float | None
    mentor_weakest: float | None

    @property
    def reason(self) -> str:
        mentee = (
            "the mentee is unmatched"
            if self.mentee_score is None
            else f"the mentee scores {self.score:g} with this mentor against "
            f"{self.mentee_score:g} with theirs"
        )
        mentor = (
            "the mentor has a free place"
            if self.mentor_weakest is None
            else f"the mentor's weakest mentee scores {self.mentor_weakest:g}, below {self.score:g}"
        )
        return f"{mentee}, and {mentor}"


@dataclass(frozen=True, slots=True)
class CohortResult:
    objective: Objective
    assignments: tuple[Assignment, ...]
    unmatched: tuple[Unmatched, ...]
    matched_count: int
    total_score: float
    mean_score: float
    blocking_pairs: int
    blocking: tuple[BlockingPair, ...] = ()
    """The blocking pairs themselves (``blocking_pairs`` of them)."""
