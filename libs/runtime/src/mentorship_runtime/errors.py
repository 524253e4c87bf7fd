"""The domain errors every service raises; entry points map them to HTTP statuses.

Pure Python, so that each service's ``domain/`` may use them: NotFound 404, Conflict 409
(InvalidTransition names the current state), Forbidden 403, Invalid 422 (names the field).
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was changed."""


class NotFound(DomainError):
    def __init__(self, kind: str, identifier: str) -> None:
        self.kind = kind
        self.identifier = identifier
        super().__init__(f"{kind} {identifier!r} not found")


class Conflict(DomainError):
    """The request does not fit the current state."""


class InvalidTransition(Conflict):
    def __init__(self, kind: str, identifier: str, current: str, action: str) -> None:
        self.current = current
        super().__init__(f"cannot {action} {kind} {identifier!r}: it is {current}")


class ConcurrentUpdate(Conflict):
    """Another request changed the document between our read and our write; try again."""

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"{kind} {identifier!r} was changed by another request; try again")


class Forbidden(DomainError):
    pass


class Invalid(DomainError):
    """A value is well-formed but not acceptable here."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")
