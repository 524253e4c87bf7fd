"""A mentoring program: who runs it, which learning path it follows, how it matches."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from mentoring.domain.errors import Invalid, InvalidTransition
from mentoring.domain.matching.model import DEFAULT_WEIGHTS as ENGINE_DEFAULT_WEIGHTS

DepartmentPreference = Literal["same", "cross", "none"]

DEFAULT_WEIGHTS: dict[str, float] = {str(c): w for c, w in ENGINE_DEFAULT_WEIGHTS.items()}

DEFAULT_STALL_WINDOW_DAYS = 14
MAX_STALL_WINDOW_DAYS = 365


class ProgramStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class MatchingSettings:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    department_preference: DepartmentPreference = "none"
    proposal_expiry_days: int = 7
    default_mentor_capacity: int = 3


@dataclass(frozen=True)
class Admin:
    user_id: str
    display_name: str | None = None
    email: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    description: str
    learning_path_id: str
    admins: tuple[Admin, ...]
    settings: MatchingSettings
    status: ProgramStatus
    created_at: datetime
    version: int = 0
    stall_window_days: int = DEFAULT_STALL_WINDOW_DAYS
    """Days without activity before one of the program's mentees counts as stalled."""

    def __post_init__(self) -> None:
        days = self.stall_window_days
        if isinstance(days, bool) or not isinstance(days, int):
            raise Invalid("stall_window_days", f"must be a whole number of days, got {days!r}")
        if not 1 <= days <= MAX_STALL_WINDOW_DAYS:
            raise Invalid(
                "stall_window_days", f"must be 1 to {MAX_STALL_WINDOW_DAYS} days, got {days}"
            )

    @property
    def admin_ids(self) -> tuple[str, ...]:
        return tuple(admin.user_id for admin in self.admins)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admin_ids

    def change_status(self, target: ProgramStatus) -> Program:
        allowed = {
            ProgramStatus.DRAFT: {ProgramStatus.OPEN, ProgramStatus.CLOSED},
            ProgramStatus.OPEN: {ProgramStatus.CLOSED},
            ProgramStatus.CLOSED: set(),
        }
        if target == self.status:
            return self
        if target not in allowed[self.status]:
            raise InvalidTransition("program", self.id, self.status.value, f"set to {target.value}")
        return replace(self, status=target)

    @property
    def accepts_participants(self) -> bool:
        return self.status is not ProgramStatus.CLOSED

    @property
    def matches(self) -> bool:
        return self.status is ProgramStatus.OPEN
