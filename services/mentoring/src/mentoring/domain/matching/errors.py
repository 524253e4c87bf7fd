"""Errors of the matching engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentoring.domain.matching.model import Exclusion


class MatchingError(Exception):
    """The matching engine refused its input or could not produce a result."""


class InvalidCandidate(MatchingError, ValueError):
    """A mentor or mentee profile holds a value outside its range."""


class InvalidPolicy(MatchingError, ValueError):
    """A matching policy (weights, preferences, objective) is not usable."""


class DuplicateCandidate(MatchingError, ValueError):
    def __init__(self, role: str, candidate_id: str) -> None:
        self.role = role
        self.candidate_id = candidate_id
        super().__init__(f"{role} {candidate_id!r} appears more than once")


class IneligiblePair(MatchingError):
    """The pair breaks at least one hard constraint, so it has no score."""

    def __init__(self, mentee_id: str, mentor_id: str, violations: Sequence[Exclusion]) -> None:
        self.mentee_id = mentee_id
        self.mentor_id = mentor_id
        self.violations = tuple(violations)
        rules = ", ".join(str(v) for v in self.violations)
        super().__init__(f"{mentor_id!r} cannot mentor {mentee_id!r}: {rules}")


class SolverFailure(MatchingError):
    """The linear-programming solver did not return an integral optimum (a bug, not bad input)."""
