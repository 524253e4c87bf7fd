"""Mentoring's domain errors: the shared ones, a full capacity, a second registration."""

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
    "AlreadyRegistered",
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


class AlreadyRegistered(Conflict):
    """A person registers in a program they are registered in: the answer names their
    participant id, so that a client can go on with it."""

    def __init__(self, user_id: str, program_id: str, participant_id: str) -> None:
        self.participant_id = participant_id
        super().__init__(
            f"user {user_id!r} is already registered in program {program_id!r} "
            f"as participant {participant_id!r}"
        )
