"""A mentoring program: who runs it, which learning path it follows, how it matches."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from mentoring.domain.errors import Conflict, Invalid, InvalidTransition
from mentoring.domain.matching.model import DEFAULT_WEIGHTS as ENGINE_DEFAULT_WEIGHTS

DepartmentPreference = Literal["same", "cross", "none"]

DEFAULT_WEIGHTS: dict[str, float] = {str(c): w for c, w in ENGINE_DEFAULT_WEIGHTS.items()}

MAX_WEIGHT = 1000.0

DEFAULT_STALL_WINDOW_DAYS = 14
MAX_STALL_WINDOW_DAYS = 365
DEFAULT_CHECK_IN_REMINDER_DAYS = 7
MAX_CHECK_IN_REMINDER_DAYS = 365
MAX_ADMINS = 20
"""A program's admins are stored in its document and sent in every ``ProgramPublished``."""


def matching_weights(named: Sequence[tuple[str, float]] | None) -> dict[str, float]:
    """A program's weight per criterion, from the ``(criterion, weight)`` pairs a request gave,
    in its order; None gives the defaults.

    Each pair is checked where it stands, so that a refusal names it (``weights.2.criterion``):
    a known criterion, named once (a repeat is refused, never resolved by keeping the last), a
    weight from 0 to 1000; and the weights are not all zero. A criterion left out weighs 0. The
    criteria are a closed set of names, so the stored ``{criterion: weight}`` keys are safe.
    """
    if named is None:
        return dict(DEFAULT_WEIGHTS)
    weights: dict[str, float] = {}
    first_at: dict[str, int] = {}
    for index, (criterion, weight) in enumerate(named):
        if criterion not in DEFAULT_WEIGHTS:
            raise Invalid(
                f"weights.{index}.criterion",
                f"unknown criterion {criterion[:80]!r}; use one of {sorted(DEFAULT_WEIGHTS)}",
            )
        if criterion in first_at:
            raise Invalid(
                f"weights.{index}.criterion",
                f"{criterion!r} is named twice (first at weights.{first_at[criterion]}): "
                "give each criterion once",
            )
        if not (math.isfinite(weight) and 0 <= weight <= MAX_WEIGHT):
            raise Invalid(f"weights.{index}.weight", f"must be 0 to {MAX_WEIGHT:g}, got {weight}")
        first_at[criterion] = index
        weights[criterion] = weight
    if sum(weights.values()) <= 0:
        raise Invalid("weights", "weights must be non-negative and not all zero")
    return {**dict.fromkeys(DEFAULT_WEIGHTS, 0.0), **weights}


def _require_days(name: str, days: object, most: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int):
        raise Invalid(name, f"must be a whole number of days, got {days!r}")
    if not 1 <= days <= most:
        raise Invalid(name, f"must be 1 to {most} days, got {days}")


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
    mutual_acceptance: bool = False
    """The mentee accepts a proposal too: it becomes active once both sides accepted."""


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
    check_in_reminder_days: int = DEFAULT_CHECK_IN_REMINDER_DAYS
    """Days a mentee goes without a check-in of their own before notify reminds them."""
    self_erasure: bool = False
    """The program's participants may have their own data erased (``eraseMyData``); an admin
    of the program may always erase a participant's."""

    def __post_init__(self) -> None:
        _require_days("stall_window_days", self.stall_window_days, MAX_STALL_WINDOW_DAYS)
        _require_days(
            "check_in_reminder_days", self.check_in_reminder_days, MAX_CHECK_IN_REMINDER_DAYS
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

    def with_admin(self, admin: Admin) -> Program:
        """The program with ``admin`` among its admins; one already there keeps the contact
        details they have (adding them again changes nothing)."""
        if self.is_admin(admin.user_id):
            return self
        if len(self.admins) >= MAX_ADMINS:
            raise Invalid("user_id", f"a program has at most {MAX_ADMINS} admins")
        return replace(self, admins=(*self.admins, admin))

    def without_admin(self, user_id: str) -> Program:
        """The program without that admin; one who is not an admin changes nothing. The last
        admin cannot be removed (``LastAdmin``): a program always has someone to run it."""
        if not self.is_admin(user_id):
            return self
        if len(self.admins) == 1:
            raise LastAdmin(self.id, user_id)
        return replace(self, admins=tuple(a for a in self.admins if a.user_id != user_id))

    def with_admin_language(self, user_id: str, language: str) -> Program:
        """The program with that admin written to in ``language``; one already in it, or not an
        admin, changes nothing."""
        if not any(a.user_id == user_id and a.language != language for a in self.admins):
            return self
        return replace(
            self,
            admins=tuple(
                replace(a, language=language) if a.user_id == user_id else a for a in self.admins
            ),
        )

    def without_admin_contact(self, user_id: str) -> Program:
        """The program with that admin named by their account alone (no name, no address: their
        data was erased); one with none, or not an admin, changes nothing."""
        if not any(a.user_id == user_id and (a.display_name or a.email) for a in self.admins):
            return self
        return replace(
            self,
            admins=tuple(
                Admin(a.user_id, language=a.language) if a.user_id == user_id else a
                for a in self.admins
            ),
        )

    @property
    def accepts_participants(self) -> bool:
        return self.status is not ProgramStatus.CLOSED

    @property
    def matches(self) -> bool:
        return self.status is ProgramStatus.OPEN


class LastAdmin(Conflict):
    def __init__(self, program_id: str, user_id: str) -> None:
        super().__init__(
            f"{user_id!r} is the last admin of program {program_id!r}: add another admin first"
        )
