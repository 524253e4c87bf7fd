"""The soft criteria of a pair, each a value in 0..1 with a short reason, and the pair's score.

Every value is the ratio of two small integers (`Measure`), and the points it earns are that share
of the criterion's worth, rounded to a whole micro-point (`share`). A score is therefore an exact
integer of micro-points: the vectorised `MentorPool` computes the very same integers, two equal
scores are a real tie and not rounding noise, and the cohort optimum can be certified in exact
integer arithmetic. `ScoredMentor.score` and `CriterionScore.points` show them divided by MICRO.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mentoring.domain.matching.constraints import violations
from mentoring.domain.matching.errors import MatchingError
from mentoring.domain.matching.model import (
    MICRO,
    Criterion,
    CriterionScore,
    DepartmentPreference,
    Exclusion,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    ScoredMentor,
)

GOAL_UNIT = 60  # lcm(1..5): min(1, level / target) * 60 is an integer for targets 1..5
WORKING_DAY_MINUTES = 8 * 60
MINUTES_PER_DAY = 24 * 60
PREFERENCE_STEPS = 5  # rank 1 is worth 5/5, rank 5 is worth 1/5


class IneligiblePair(MatchingError):
    """The pair breaks at least one hard constraint, so it has no score."""

    def __init__(self, mentee_id: str, mentor_id: str, violations: Sequence[Exclusion]) -> None:
        self.mentee_id = mentee_id
        self.mentor_id = mentor_id
        self.violations = tuple(violations)
        rules = ", ".join(str(v) for v in self.violations)
        super().__init__(f"{mentor_id!r} cannot mentor {mentee_id!r}: {rules}")


@dataclass(frozen=True, slots=True)
class Measure:
    numerator: int
    denominator: int
    reason: str

    @property
    def value(self) -> float:
        return self.numerator / self.denominator


def goal_units(level: int, target: int) -> int:
    """min(1, level / target) in 1/60ths."""
    return min(GOAL_UNIT, level * (GOAL_UNIT // target))


def working_overlap_minutes(offset_a: int, offset_b: int) -> int:
    """Overlap of two 09:00-17:00 local working days whose UTC offsets differ (circularly)."""
    gap = abs(offset_a - offset_b) % MINUTES_PER_DAY
    gap = min(gap, MINUTES_PER_DAY - gap)
    return max(0, WORKING_DAY_MINUTES - gap)


def preference_steps(rank: int) -> int:
    """Rank 1..5 (1 = most preferred) -> 5..1 fifths."""
    return PREFERENCE_STEPS + 1 - rank


def departments_fit(
    preference: DepartmentPreference, mentee_department: str | None, mentor_department: str | None
) -> bool:
    if mentee_department is None or mentor_department is None:
        return False
    same = mentee_department == mentor_department
    return same if preference == "same" else not same


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g} h"


def _ordinal(rank: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(rank, f"{rank}th")


def goal_coverage(mentee: MenteeCandidate, mentor: MentorCandidate) -> Measure:
    if not mentee.goals:
        return Measure(1, 1, "no goals set")
    units = 0
    covered = 0
    for module, target in mentee.goals.items():
        level = mentor.competencies.get(module, 0)
        units += goal_units(level, target)
        covered += level >= target
    total = len(mentee.goals)
    return Measure(units, GOAL_UNIT * total, f"covers {covered} of {_plural(total, 'goal')}")


def timezone_overlap(mentee: MenteeCandidate, mentor: MentorCandidate) -> Measure:
    overlap = working_overlap_minutes(mentee.utc_offset_minutes, mentor.utc_offset_minutes)
    reason = f"{_hours(overlap)} working-day overlap" if overlap else "no working-day overlap"
    return Measure(overlap, WORKING_DAY_MINUTES, reason)


def availability_overlap(
    mentee: MenteeCandidate, mentor: MentorCandidate, min_common_hours: int
) -> Measure:
    common = len(mentee.availability & mentor.availability)
    reason = f"{common} h common availability a week" if common else "no common availability"
    return Measure(min(common, min_common_hours), min_common_hours, reason)


def department(
    mentee: MenteeCandidate, mentor: MentorCandidate, preference: DepartmentPreference
) -> Measure:
    fits = departments_fit(preference, mentee.department, mentor.department)
    if mentee.department is None or mentor.department is None:
        reason = "department unknown"
    elif mentee.department == mentor.department:
        reason = "same department"
    else:
        reason = "another department"
    return Measure(int(fits), 1, reason)


def ranked_preference(mentee: MenteeCandidate, mentor: MentorCandidate) -> Measure:
    if mentor.id in mentee.ranked_mentors:
        rank = mentee.ranked_mentors.index(mentor.id) + 1
        return Measure(preference_steps(rank), PREFERENCE_STEPS, f"your {_ordinal(rank)} choice")
    reason = "not among your choices" if mentee.ranked_mentors else "no ranked choices"
    return Measure(0, PREFERENCE_STEPS, reason)


def free_places(mentor: MentorCandidate) -> int:
    return max(0, mentor.max_capacity - mentor.load)


def load_balance(mentor: MentorCandidate) -> Measure:
    free = free_places(mentor)
    place = "place" if mentor.max_capacity == 1 else "places"
    return Measure(free, mentor.max_capacity, f"{free} of {mentor.max_capacity} {place} free")


def measure(
    criterion: Criterion, mentee: MenteeCandidate, mentor: MentorCandidate, policy: MatchingPolicy
) -> Measure:
    match criterion:
        case Criterion.GOALS:
            return goal_coverage(mentee, mentor)
        case Criterion.TIMEZONE:
            return timezone_overlap(mentee, mentor)
        case Criterion.AVAILABILITY:
            return availability_overlap(mentee, mentor, policy.min_common_hours)
        case Criterion.DEPARTMENT:
            return department(mentee, mentor, policy.department_preference)
        case Criterion.PREFERENCE:
            return ranked_preference(mentee, mentor)
        case Criterion.LOAD:
            return load_balance(mentor)


def share(numerator: int, denominator: int, worth: int) -> int:
    """worth * numerator / denominator, rounded half up to an integer, without floats."""
    return (2 * worth * numerator + denominator) // (2 * denominator)


def pair_micropoints(
    mentee: MenteeCandidate, mentor: MentorCandidate, policy: MatchingPolicy
) -> tuple[int, tuple[CriterionScore, ...]]:
    """The exact score in micro-points and its breakdown, hard constraints not checked."""
    breakdown: list[CriterionScore] = []
    total = 0
    for criterion, worth in policy.max_points():
        found = measure(criterion, mentee, mentor, policy)
        points = share(found.numerator, found.denominator, worth)
        total += points
        breakdown.append(CriterionScore(criterion, found.value, points / MICRO, found.reason))
    return total, tuple(breakdown)


def score_pair(
    mentee: MenteeCandidate, mentor: MentorCandidate, policy: MatchingPolicy
) -> ScoredMentor:
    """Score one eligible pair, criterion by criterion; raise `IneligiblePair` otherwise.

    `reasons` lists the breakdown's reasons, the criteria worth the most points first.
    """
    broken = violations(mentee, mentor)
    if broken:
        raise IneligiblePair(mentee.id, mentor.id, broken)
    total, breakdown = pair_micropoints(mentee, mentor, policy)
    reasons = tuple(c.reason for c in sorted(breakdown, key=lambda c: -c.points))
    return ScoredMentor(mentor.id, total / MICRO, breakdown, reasons)
