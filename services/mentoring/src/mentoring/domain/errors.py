"""Domain errors of the mentoring service: the shared ones, and a full capacity."""

from __future__ import annotations

from mentorship_runtime.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    InvalidTransition,
    NotFound,
)

__all__ = [
    "CapacityFull",
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "InvalidTransition",
    "NotFound",
]


class CapacityFull(Conflict):
    def __init__(self, mentor_id: str, capacity: int) -> None:
        super().__init__(f"mentor {mentor_id!r} has no free place (capacity {capacity})")
