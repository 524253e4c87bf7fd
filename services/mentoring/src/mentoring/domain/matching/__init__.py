"""Explainable, fair and optimal matching of mentees with mentors (pure domain code)."""

from mentoring.domain.matching.cohort import match_cohort
from mentoring.domain.matching.constraints import is_eligible, violations
from mentoring.domain.matching.criteria import score_pair
from mentoring.domain.matching.errors import (
    DuplicateCandidate,
    IneligiblePair,
    InvalidCandidate,
    InvalidPolicy,
    MatchingError,
    SolverFailure,
)
from mentoring.domain.matching.model import (
    DEFAULT_WEIGHTS,
    Assignment,
    CohortResult,
    Criterion,
    CriterionScore,
    DepartmentPreference,
    Exclusion,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    Objective,
    ScoredMentor,
    Unmatched,
)
from mentoring.domain.matching.pool import MentorPool
from mentoring.domain.matching.stability import blocking_pairs

__all__ = [
    "DEFAULT_WEIGHTS",
    "Assignment",
    "CohortResult",
    "Criterion",
    "CriterionScore",
    "DepartmentPreference",
    "DuplicateCandidate",
    "Exclusion",
    "IneligiblePair",
    "InvalidCandidate",
    "InvalidPolicy",
    "MatchingError",
    "MatchingPolicy",
    "MenteeCandidate",
    "MentorCandidate",
    "MentorPool",
    "Objective",
    "ScoredMentor",
    "SolverFailure",
    "Unmatched",
    "blocking_pairs",
    "is_eligible",
    "match_cohort",
    "score_pair",
    "violations",
]
