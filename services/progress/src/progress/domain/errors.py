"""Domain errors; entry points map them: NotFound 404, Conflict 409, Forbidden 403, Invalid 422."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was changed."""


class NotFound(DomainError):
    def __init__(self, kind: str, identifier: str) -> None:
        self.kind = kind
        self.identifier = identifier
        super().__init__(f"{kind} {identifier!r} not found")


class Conflict(DomainError):
    """The request does not fit the current state (a stopped tracking, another path version...)."""


class InvalidTransition(Conflict):
    def __init__(self, kind: str, identifier: str, current: str, action: str) -> None:
        self.current = current
        super().__init__(f"cannot {action} {kind} {identifier!r}: it is {current}")


class Forbidden(DomainError):
    pass


class Invalid(DomainError):
    """A value is well-formed but not acceptable here (a confidence of 7, a future session)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")
