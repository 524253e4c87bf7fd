"""What people ask progress to do, through its HTTP API: one command per use case, carrying who
asks (``actor``). An id the caller may give for safe retries (a check-in's, a session's, a
planned session's) is already set: the entry point derives it from the ``Idempotency-Key``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mentorship_runtime.principal import Principal
from progress.domain.learning_paths import ModuleSpec
from progress.domain.planned_sessions import Schedule

# ---- a mentee's activity (the mentee or their current mentor) ---------------------------------


@dataclass(frozen=True)
class RecordCheckIn:
    actor: Principal
    mentee_id: str
    check_in_id: str
    module_id: str
    confidence: int
    note: str | None


@dataclass(frozen=True)
class CompleteMilestone:
    actor: Principal
    mentee_id: str
    milestone_id: str
    evidence: str | None


@dataclass(frozen=True)
class ReopenMilestone:
    actor: Principal
    mentee_id: str
    milestone_id: str
    reason: str


@dataclass(frozen=True)
class LogSession:
    actor: Principal
    mentee_id: str
    session_id: str
    held_on: date
    duration_minutes: int
    module_ids: tuple[str, ...]
    notes: str | None
    rating: int | None


@dataclass(frozen=True)
class RateSession:
    actor: Principal
    mentee_id: str
    session_id: str
    rating: int


# ---- learning paths (admins) ------------------------------------------------------------------


@dataclass(frozen=True)
class CreatePath:
    actor: Principal
    path_id: str
    title: str
    modules: tuple[ModuleSpec, ...]


@dataclass(frozen=True)
class PublishPathVersion:
    actor: Principal
    path_id: str
    title: str
    modules: tuple[ModuleSpec, ...]


# ---- planned sessions (the mentee or their current mentor) ------------------------------------


@dataclass(frozen=True)
class PlanSession:
    actor: Principal
    mentee_id: str
    planned_session_id: str
    schedule: Schedule


@dataclass(frozen=True)
class RescheduleSession:
    actor: Principal
    planned_session_id: str
    schedule: Schedule


@dataclass(frozen=True)
class CancelSession:
    actor: Principal
    planned_session_id: str
    reason: str | None


@dataclass(frozen=True)
class ConfirmHeld:
    actor: Principal
    planned_session_id: str
    notes: str | None
    rating: int | None
