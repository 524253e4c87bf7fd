"""Errors raised when bytes on the wire do not satisfy a contract.

They are permanent: the same bytes will fail the same way, so a consumer sends them to its
dead-letter topic at once instead of retrying.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One field that failed validation, by its dotted path (``data.confidence``)."""

    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


class ContractError(ValueError):
    """An event that does not satisfy its contract."""


class MalformedEvent(ContractError):
    """The event is not valid JSON, misses a field or has a field of the wrong type."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("malformed event: " + "; ".join(str(p) for p in problems))

    @property
    def fields(self) -> list[str]:
        return [p.field for p in self.problems]


class UnknownEventType(ContractError):
    """No payload class is registered for this ``type`` and ``version``."""

    def __init__(self, event_type: str, version: int) -> None:
        self.event_type = event_type
        self.version = version
        super().__init__(f"unknown event type {event_type!r} version {version}")
