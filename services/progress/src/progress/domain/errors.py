"""Domain errors of the progress service: the platform's shared ones."""

from __future__ import annotations

from mentorship_runtime.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    InvalidTransition,
    NotFound,
)

__all__ = ["Conflict", "DomainError", "Forbidden", "Invalid", "InvalidTransition", "NotFound"]
