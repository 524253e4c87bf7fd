"""Explainable, fair and optimal matching of mentees with mentors (pure domain code).

The engine's numeric parts (``match_cohort``, ``MentorPool``, ``blocking_pairs``: numpy and scipy,
0.8 s of imports) load on first use, so that a service restarted after a crash answers at once;
the model, the criteria and the constraints are plain Python and load with the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mentoring.domain.matching.constraints import is_eligible, violations
from mentoring.domain.matching.criteria import IneligiblePair, score_pair
from mentoring.domain.matching.errors import (
    DuplicateCandidate,
    InvalidCandidate,
    InvalidPolicy,
    MatchingError,
    SolverFailure,
)
from mentoring.domain.matching.model import (
    DEFAULT_WEIGHTS,
    Assignment,
    BlockingPair,
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

if TYPE_CHECKING:
    from mentoring.domain.matching.cohort import match_cohort
    from mentoring.domain.matching.pool import MentorPool
    from mentoring.domain.matching.stability import blocking_pairs

_ON_FIRST_USE = {
    "match_cohort": "cohort",
    "MentorPool": "pool",
    "blocking_pairs": "stability",
}


def __getattr__(name: str) -> Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEFAULT_WEIGHTS",
    "Assignment",
    "BlockingPair",
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
