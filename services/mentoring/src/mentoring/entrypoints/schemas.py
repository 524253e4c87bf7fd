"""The HTTP API's request and response bodies: validated here, at the edge, field by field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from mentoring.domain.matches import Match
from mentoring.domain.participants import (
    MAX_SKILLS,
    SKILL_KEY_RULE,
    Participant,
    WeeklySlot,
    skill_key_problem,
)
from mentoring.domain.programs import MAX_WEIGHT, Program
from mentoring.service_layer.commands import UNSET, ParticipantChanges, Unset
from mentorship_runtime.trimmed import not_blank_trimmed

T = TypeVar("T")

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(not_blank_trimmed)
]
Text = Annotated[str, StringConstraints(max_length=4000)]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
LanguageCode = Annotated[
    str, StringConstraints(min_length=2, max_length=8, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$")
]
Level = Annotated[int, Field(ge=1, le=5)]
Role = Literal["mentor", "mentee"]
Criterion = Literal[
    "goal_coverage",
    "timezone_overlap",
    "availability_overlap",
    "department",
    "ranked_preference",
    "load_balance",
]

_ZONES = available_timezones()


def _skill_keys(levels: dict[str, int]) -> dict[str, int]:
    for key in levels:
        problem = skill_key_problem(key)
        if problem is not None:
            raise ValueError(problem)
    return levels


SkillLevels = Annotated[
    dict[str, Level],
    AfterValidator(_skill_keys),
    Field(
        max_length=MAX_SKILLS,
        description=f"level 1 to 5 per skill; a skill key is {SKILL_KEY_RULE}",
    ),
]
"""Competencies or goals. Their keys become keys of a MongoDB document, hence the grammar."""

Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT)]


class CriterionWeightIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    criterion: Criterion
    weight: Weight


def _weights_as_list(value: Any) -> Any:
    """The object form ``{criterion: weight}`` read as the list form, in its order."""
    if isinstance(value, dict):
        return [{"criterion": name, "weight": weight} for name, weight in value.items()]
    return value


Weights = Annotated[
    list[CriterionWeightIn],
    BeforeValidator(_weights_as_list),
    Field(
        max_length=32,
        description=(
            "a weight (0 to 1000) per criterion, as a list of {criterion, weight} (a criterion "
            "named twice is refused, naming weights.<index>.criterion) or as an object "
            "{criterion: weight} (a key given twice is refused, naming weights); criteria "
            "left out weigh 0"
        ),
    ),
]


def weight_pairs(weights: list[CriterionWeightIn] | None) -> tuple[tuple[str, float], ...] | None:
    """The pairs for the domain, which names a repeat by its place; None or empty: not given."""
    if not weights:
        return None
    return tuple((str(w.criterion), w.weight) for w in weights)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlotIn(Strict):
    day: int = Field(ge=0, le=6, description="0 is Monday")
    start_hour: int = Field(ge=0, le=23)
    end_hour: int = Field(ge=1, le=24)

    @model_validator(mode="after")
    def _ordered(self) -> SlotIn:
        if self.end_hour <= self.start_hour:
            raise ValueError("end_hour must be after start_hour")
        return self

    def to_domain(self) -> WeeklySlot:
        return WeeklySlot(self.day, self.start_hour, self.end_hour)


def _timezone(value: str) -> str:
    if value not in _ZONES:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
    return value


MUTUAL_ACCEPTANCE = (
    "the mentee accepts a proposal too: it becomes active once both sides accepted, and either "
    "side declining declines it (applies to proposals made from then on)"
)


class ProgramIn(Strict):
    name: Name
    description: Text = ""
    learning_path_id: Id = "social-business-accompaniment"
    weights: Weights | None = None
    department_preference: Literal["same", "cross", "none"] = "none"
    proposal_expiry_days: int = Field(default=7, ge=1, le=90)
    default_mentor_capacity: int = Field(default=3, ge=1, le=50)
    status: Literal["draft", "open"] = "open"
    stall_window_days: int = Field(
        default=14, ge=1, le=365, description="days without activity before a mentee is stalled"
    )
    mutual_acceptance: bool = Field(default=False, description=MUTUAL_ACCEPTANCE)
    check_in_reminder_days: int = Field(
        default=7,
        ge=1,
        le=365,
        description="days a mentee goes without a check-in of their own before being reminded",
    )


class ProgramPatch(Strict):
    name: Name | None = None
    description: Text | None = None
    weights: Weights | None = None
    department_preference: Literal["same", "cross", "none"] | None = None
    proposal_expiry_days: int | None = Field(default=None, ge=1, le=90)
    default_mentor_capacity: int | None = Field(default=None, ge=1, le=50)
    status: Literal["draft", "open", "closed"] | None = None
    stall_window_days: int | None = Field(default=None, ge=1, le=365)
    mutual_acceptance: bool | None = Field(default=None, description=MUTUAL_ACCEPTANCE)
    check_in_reminder_days: int | None = Field(default=None, ge=1, le=365)
    self_erasure: bool | None = Field(
        default=None, description="participants may have their own data erased"
    )


class ProgramOut(BaseModel):
    id: str
    name: str
    description: str
    learning_path_id: str
    admin_ids: list[str]
    weights: dict[str, float]
    department_preference: str
    proposal_expiry_days: int
    default_mentor_capacity: int
    stall_window_days: int
    mutual_acceptance: bool
    check_in_reminder_days: int
    self_erasure: bool
    status: str
    created_at: datetime

    @classmethod
    def of(cls, p: Program) -> ProgramOut:
        return cls(
            id=p.id,
            name=p.name,
            description=p.description,
            learning_path_id=p.learning_path_id,
            admin_ids=list(p.admin_ids),
            weights=dict(p.settings.weights),
            department_preference=p.settings.department_preference,
            proposal_expiry_days=p.settings.proposal_expiry_days,
            default_mentor_capacity=p.settings.default_mentor_capacity,
            stall_window_days=p.stall_window_days,
            mutual_acceptance=p.settings.mutual_acceptance,
            check_in_reminder_days=p.check_in_reminder_days,
            self_erasure=p.self_erasure,
            status=p.status.value,
            created_at=p.created_at,
        )


class ProfileFields(Strict):
    display_name: Name
    email: Email
    language: Literal["en", "fr"] = "en"
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en"], min_length=1, max_length=10
    )
    timezone: str = Field(default="UTC", max_length=64)
    department: Name | None = None
    manager_id: Id | None = None
    availability: list[SlotIn] = Field(default_factory=list, max_length=50)
    competencies: SkillLevels = Field(default_factory=dict)
    goals: SkillLevels = Field(default_factory=dict)
    capacity: int | None = Field(default=None, ge=1, le=50)
    ranked_mentors: list[Id] = Field(default_factory=list, max_length=5)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return _timezone(value)

    @field_validator("ranked_mentors")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a mentor can be ranked only once")
        return value


class ParticipantIn(ProfileFields):
    user_id: Id | None = Field(
        default=None, description="defaults to the caller; admins may register others"
    )
    roles: list[Role] = Field(min_length=1, max_length=2)


class ParticipantPatch(Strict):
    display_name: Name | None = None
    email: Email | None = None
    language: Literal["en", "fr"] | None = None
    languages: list[LanguageCode] | None = Field(default=None, min_length=1, max_length=10)
    timezone: str | None = Field(default=None, max_length=64)
    department: Name | None = None
    manager_id: Id | None = None
    availability: list[SlotIn] | None = Field(default=None, max_length=50)
    competencies: SkillLevels | None = None
    goals: SkillLevels | None = None
    capacity: int | None = Field(default=None, ge=1, le=50)
    ranked_mentors: list[Id] | None = Field(default=None, max_length=5)
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=2)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return _timezone(value) if value is not None else None

    def changes(self) -> ParticipantChanges:
        """The fields that were sent, in the domain's types; a null is not a change, but for
        ``department`` and ``manager_id`` (which it empties)."""
        sent = self.model_fields_set

        def given(name: str, value: T | None) -> T | Unset:
            return value if name in sent and value is not None else UNSET

        def given_or_empty(name: str, value: T | None) -> T | Unset | None:
            return value if name in sent else UNSET

        return ParticipantChanges(
            display_name=given("display_name", self.display_name),
            email=given("email", self.email),
            language=given("language", self.language),
            languages=given("languages", _frozen(self.languages)),
            timezone=given("timezone", self.timezone),
            department=given_or_empty("department", self.department),
            manager_id=given_or_empty("manager_id", self.manager_id),
            availability=given(
                "availability",
                None
                if self.availability is None
                else tuple(slot.to_domain() for slot in self.availability),
            ),
            competencies=given("competencies", self.competencies),
            goals=given("goals", self.goals),
            capacity=given("capacity", self.capacity),
            ranked_mentors=given(
                "ranked_mentors",
                None if self.ranked_mentors is None else tuple(self.ranked_mentors),
            ),
            roles=given("roles", _frozen(self.roles)),
        )


def _frozen(values: Sequence[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


class SlotOut(BaseModel):
    day: int
    start_hour: int
    end_hour: int


class ParticipantOut(BaseModel):
    id: str
    program_id: str
    user_id: str
    roles: list[str]
    display_name: str
    email: str
    language: str
    languages: list[str]
    timezone: str
    department: str | None
    manager_id: str | None
    availability: list[SlotOut]
    competencies: dict[str, int]
    goals: dict[str, int]
    capacity: int
    open_matches: int
    ranked_mentors: list[str]
    status: str
    registered_at: datetime
    external_id: str | None = None

    @classmethod
    def of(cls, p: Participant) -> ParticipantOut:
        return cls(
            id=p.id,
            program_id=p.program_id,
            user_id=p.user_id,
            roles=sorted(p.roles),
            display_name=p.display_name,
            email=p.email,
            language=p.language,
            languages=sorted(p.languages),
            timezone=p.timezone,
            department=p.department,
            manager_id=p.manager_id,
            availability=[
                SlotOut(day=s.day, start_hour=s.start_hour, end_hour=s.end_hour)
                for s in p.availability
            ],
            competencies=p.competencies,
            goals=p.goals,
            capacity=p.capacity,
            open_matches=len(p.open_matches),
            ranked_mentors=list(p.ranked_mentors),
            status=p.status.value,
            registered_at=p.registered_at,
            external_id=p.external_id,
        )


class CriterionOut(BaseModel):
    criterion: str
    value: float
    points: float
    reason: str


class SuggestionOut(BaseModel):
    mentor: ParticipantOut
    score: float
    breakdown: list[CriterionOut]
    reasons: list[str]


class ProposalIn(Strict):
    mentee_id: Id
    mentor_id: Id


class DeclineIn(Strict):
    reason: Text | None = None


class EndIn(Strict):
    outcome: Literal["completed", "ended_early"]
    reason: Text | None = None


class WithdrawIn(Strict):
    reason: Text | None = None


class RunIn(Strict):
    objective: Literal["best_fit", "most_matched"] = "best_fit"


class SideOut(BaseModel):
    participant_id: str
    user_id: str
    name: str


class MatchOut(BaseModel):
    id: str
    program_id: str
    learning_path_id: str
    mentee: SideOut
    mentor: SideOut
    status: str
    proposed_by: str
    score: float | None
    reasons: list[str]
    proposed_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    ended_at: datetime | None
    reason: str | None
    mentee_must_accept: bool
    mentor_accepted_at: datetime | None
    mentee_accepted_at: datetime | None
    declined_by: str | None
    withdrawn: bool = Field(
        default=False,
        description="Declined because the side in declined_by withdrew from the program.",
    )

    @classmethod
    def of(cls, m: Match) -> MatchOut:
        return cls(
            id=m.id,
            program_id=m.program_id,
            learning_path_id=m.learning_path_id,
            mentee=SideOut(**m.mentee.__dict__),
            mentor=SideOut(**m.mentor.__dict__),
            status=m.status.value,
            proposed_by=m.proposed_by.value,
            score=m.score,
            reasons=list(m.reasons),
            proposed_at=m.proposed_at,
            expires_at=m.expires_at,
            decided_at=m.decided_at,
            ended_at=m.ended_at,
            reason=m.reason,
            mentee_must_accept=m.mentee_must_accept,
            mentor_accepted_at=m.mentor_accepted_at,
            mentee_accepted_at=m.mentee_accepted_at,
            declined_by=m.declined_by,
            withdrawn=m.withdrawn,
        )


class MatchPage(BaseModel):
    items: list[MatchOut]
    next_cursor: str | None


class UnmatchedOut(BaseModel):
    mentee_id: str
    reason: str
