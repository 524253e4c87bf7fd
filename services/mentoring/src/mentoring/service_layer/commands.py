"""What callers ask the mentoring service to do. Validated at the edge; plain data here.

A creating command carries the request's idempotency key (None without one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Final, Literal, TypeVar

from mentoring.domain.participants import Participant, WeeklySlot
from mentoring.domain.programs import (
    DEFAULT_CHECK_IN_REMINDER_DAYS,
    DEFAULT_STALL_WINDOW_DAYS,
    DepartmentPreference,
    Program,
    ProgramStatus,
)
from mentoring.service_layer.ports import ScimToken
from mentorship_runtime.principal import Principal

Objective = Literal["best_fit", "most_matched"]
T = TypeVar("T")


class Unset(Enum):
    """A field of a partial update the caller did not give (None, where a field takes it, is
    given empty)."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET


def given_or(value: T | Unset, current: T) -> T:
    """``value`` when given, else ``current``."""
    return current if isinstance(value, Unset) else value


@dataclass(frozen=True)
class CreateProgram:
    actor: Principal
    name: str
    description: str
    learning_path_id: str
    weights: tuple[tuple[str, float], ...] | None = None
    department_preference: DepartmentPreference = "none"
    proposal_expiry_days: int = 7
    default_mentor_capacity: int = 3
    status: ProgramStatus = ProgramStatus.OPEN
    stall_window_days: int = DEFAULT_STALL_WINDOW_DAYS
    mutual_acceptance: bool = False
    check_in_reminder_days: int = DEFAULT_CHECK_IN_REMINDER_DAYS
    idempotency_key: str | None = None


@dataclass(frozen=True)
class UpdateProgram:
    actor: Principal
    program_id: str
    name: str | None = None
    description: str | None = None
    weights: tuple[tuple[str, float], ...] | None = None
    department_preference: DepartmentPreference | None = None
    proposal_expiry_days: int | None = None
    default_mentor_capacity: int | None = None
    status: ProgramStatus | None = None
    stall_window_days: int | None = None
    mutual_acceptance: bool | None = None
    check_in_reminder_days: int | None = None
    self_erasure: bool | None = None


@dataclass(frozen=True)
class RegisterParticipant:
    actor: Principal
    program_id: str
    user_id: str
    roles: frozenset[str]
    display_name: str
    email: str
    language: str = "en"
    languages: frozenset[str] = frozenset({"en"})
    timezone: str = "UTC"
    department: str | None = None
    manager_id: str | None = None
    availability: tuple[WeeklySlot, ...] = ()
    competencies: dict[str, int] = field(default_factory=dict)
    goals: dict[str, int] = field(default_factory=dict)
    capacity: int | None = None
    ranked_mentors: tuple[str, ...] = ()
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ParticipantChanges:
    """The fields of their profile a participant (or an admin) changes; ``UNSET``: not given.
    Only ``department`` and ``manager_id`` may be given empty (None)."""

    display_name: str | Unset = UNSET
    email: str | Unset = UNSET
    language: str | Unset = UNSET
    languages: frozenset[str] | Unset = UNSET
    timezone: str | Unset = UNSET
    department: str | Unset | None = UNSET
    manager_id: str | Unset | None = UNSET
    availability: tuple[WeeklySlot, ...] | Unset = UNSET
    competencies: dict[str, int] | Unset = UNSET
    goals: dict[str, int] | Unset = UNSET
    capacity: int | Unset = UNSET
    ranked_mentors: tuple[str, ...] | Unset = UNSET
    roles: frozenset[str] | Unset = UNSET

    def applied_to(self, participant: Participant) -> Participant:
        """The participant with the given fields changed."""
        p = participant
        return replace(
            p,
            display_name=given_or(self.display_name, p.display_name),
            email=given_or(self.email, p.email),
            language=given_or(self.language, p.language),
            languages=given_or(self.languages, p.languages),
            timezone=given_or(self.timezone, p.timezone),
            department=given_or(self.department, p.department),
            manager_id=given_or(self.manager_id, p.manager_id),
            availability=given_or(self.availability, p.availability),
            competencies=given_or(self.competencies, p.competencies),
            goals=given_or(self.goals, p.goals),
            capacity=given_or(self.capacity, p.capacity),
            ranked_mentors=given_or(self.ranked_mentors, p.ranked_mentors),
            roles=given_or(self.roles, p.roles),
        )


@dataclass(frozen=True)
class UpdateParticipant:
    actor: Principal
    participant_id: str
    changes: ParticipantChanges


@dataclass(frozen=True)
class WithdrawParticipant:
    actor: Principal
    participant_id: str
    reason: str | None = None


@dataclass(frozen=True)
class ProposeMatch:
    actor: Principal
    mentee_id: str
    mentor_id: str
    idempotency_key: str | None = None


@dataclass(frozen=True)
class AcceptMatch:
    actor: Principal
    match_id: str


@dataclass(frozen=True)
class DeclineMatch:
    actor: Principal
    match_id: str
    reason: str | None = None


@dataclass(frozen=True)
class EndMatch:
    actor: Principal
    match_id: str
    outcome: Literal["completed", "ended_early"]
    reason: str | None = None


@dataclass(frozen=True)
class RunMatching:
    actor: Principal
    program_id: str
    objective: Objective = "best_fit"
    idempotency_key: str | None = None


@dataclass(frozen=True)
class PreviewMatching:
    actor: Principal
    program_id: str
    objective: Objective = "best_fit"


@dataclass(frozen=True)
class CancelProposal:
    actor: Principal
    match_id: str
    reason: str


@dataclass(frozen=True)
class ExternalProfile:
    """A person's profile as an organisation's source gives it (a row of an import, an identity
    provider): each field ``UNSET`` when not given, None when given empty. ``user_id`` is the
    person's account, ``manager`` an external id or an e-mail, ``preferred_mentors`` external
    ids or e-mails, best first."""

    user_id: str | Unset | None = UNSET
    display_name: str | Unset | None = UNSET
    email: str | Unset | None = UNSET
    roles: frozenset[str] | Unset | None = UNSET
    language: str | Unset | None = UNSET
    languages: frozenset[str] | Unset | None = UNSET
    timezone: str | Unset | None = UNSET
    department: str | Unset | None = UNSET
    manager: str | Unset | None = UNSET
    competencies: dict[str, int] | Unset | None = UNSET
    goals: dict[str, int] | Unset | None = UNSET
    capacity: int | Unset | None = UNSET
    preferred_mentors: tuple[str, ...] | Unset | None = UNSET


@dataclass(frozen=True)
class ParticipantUpsert:
    """The profile of the person named ``external_id``. A new person needs ``display_name``,
    ``email`` and ``roles``."""

    external_id: str
    profile: ExternalProfile


@dataclass(frozen=True)
class UpsertParticipants:
    actor: Principal
    program_id: str
    rows: tuple[ParticipantUpsert, ...]
    dry_run: bool = False
    final: bool = True
    planned: Mapping[str, bool] = field(default_factory=dict)
    """Dry run: references to people an earlier part of the same import would create, each
    with whether they would be a mentor."""
    audited: bool = False
    """Each write carries its own audit record (provisioning: one person per request; an
    import is recorded once, with its counts, when it is done)."""


@dataclass(frozen=True)
class ImportDone:
    actor: Principal
    program_id: str
    source: str
    rows: int
    created: int
    updated: int
    unchanged: int
    refused: int


@dataclass(frozen=True)
class AddAdmin:
    """Make ``user_id`` an admin of the program; what is not given (None) is taken from their
    profile."""

    actor: Principal
    program_id: str
    user_id: str
    display_name: str | None = None
    email: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class RemoveAdmin:
    actor: Principal
    program_id: str
    user_id: str


# ---- personal data requests, provisioning (SCIM) --------------------------------------------


@dataclass(frozen=True)
class RequestDataExport:
    """A copy of the data of ``participant_id`` (asked by an admin of its program), or of
    everything about the actor's own account (None)."""

    actor: Principal
    participant_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class RequestDataErasure:
    """The erasure of the data of ``participant_id`` (asked by an admin of its program), or of
    the actor's own (None); ``confirm`` repeats the participant's id, or the actor's user id."""

    actor: Principal
    participant_id: str | None
    confirm: str
    idempotency_key: str | None = None


@dataclass(frozen=True)
class CreateScimToken:
    actor: Principal
    program_id: str
    label: str


@dataclass(frozen=True)
class RevokeScimToken:
    actor: Principal
    token_id: str


@dataclass(frozen=True)
class Grant:
    """What a valid token opens: its program, acted on as the admin who created the token."""

    token: ScimToken
    program: Program

    @property
    def actor(self) -> Principal:
        return Principal(user_id=self.token.created_by, roles=frozenset({"admin"}))


@dataclass(frozen=True)
class Account:
    """What the provider says of a person: ``profile`` holds the upsert's fields but the
    account (the person's key) and the manager, whom ``manager_id`` names by participant id
    (``UNSET``: not given, None: given empty); ``active`` is the provider's flag (None: not
    given)."""

    user_name: str
    external_id: str | None
    active: bool | None
    representation: str
    profile: ExternalProfile
    based_on: int | None = None
    """The account's version the provider's change was made on (a PATCH): another version is
    ``Stale``. None: written over whatever is stored (a replacement)."""
    manager_id: str | Unset | None = UNSET


@dataclass(frozen=True)
class CreateAccount:
    grant: Grant
    account: Account


@dataclass(frozen=True)
class ReplaceAccount:
    grant: Grant
    participant_id: str
    account: Account


@dataclass(frozen=True)
class RemoveAccount:
    grant: Grant
    participant_id: str
