"""Errors of the matching engine."""

from __future__ import annotations


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


class SolverFailure(MatchingError):
    """The linear-programming solver did not return an integral optimum (a bug, not bad input)."""
