"""Domain errors; entry points map them: Conflict 409, Invalid 422, InvalidSignature 401."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was changed."""


class Conflict(DomainError):
    """The request does not fit the current state (e.g. a failure recorded on a sent delivery)."""


class InvalidTransition(Conflict):
    def __init__(self, kind: str, identifier: str, current: str, action: str) -> None:
        self.current = current
        super().__init__(f"cannot {action} {kind} {identifier!r}: it is {current}")


class Invalid(DomainError):
    """A value is not acceptable here (a bad webhook URL, quiet hours that do not parse...)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class InvalidSignature(DomainError):
    """A signed webhook was refused: malformed header, stale timestamp or wrong signature."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"webhook signature rejected: {reason}")
