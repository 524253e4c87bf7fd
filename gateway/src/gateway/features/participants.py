# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Participants: mentors and mentees of a program, their profiles, and suggested mentors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    INPUT,
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    as_field_error,
    bad_input,
    invalid,
)
from gateway.features.enums import Criterion, Language, ParticipantRole, ParticipantStatus
from gateway.features.mutations import IdempotencyKey, mutate
from gateway.features.programs import Program
from gateway.features.progress_types import MenteeProgress
from gateway.features.reader_language import in_reader_language
from gateway.node import Node
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.timestamps import moment
from gateway.wire import pick

MAX_SUGGESTIONS = 20


@strawberry.type(description="A weekly slot: day 0 is Monday, hours on the person's clock.")
class WeeklySlot:
    day: int
    start_hour: int
    end_hour: int


@strawberry.type(description="A competency or goal and its level, 1 to 5.")
class SkillLevel:
    key: str
    level: int


@strawberry.type
class Participant(Node):
    id: strawberry.ID
    program_id: strawberry.ID
    user_id: strawberry.ID
    roles: list[ParticipantRole]
    display_name: str
    email: str
    language: Language
    languages: list[str]
    timezone: str
    department: str | None
    manager_id: strawberry.ID | None
    availability: list[WeeklySlot]
    competencies: list[SkillLevel]
    goals: list[SkillLevel]
    capacity: int
    open_matches: int
    ranked_mentors: list[strawberry.ID]
    status: ParticipantStatus
    registered_at: datetime

    @classmethod
    def of(cls, body: dict[str, Any]) -> Participant:
        return cls(
            id=strawberry.ID(body["id"]),
            program_id=strawberry.ID(body["program_id"]),
            user_id=strawberry.ID(body["user_id"]),
            roles=[ParticipantRole(r) for r in body["roles"]],
            display_name=body["display_name"],
            email=body["email"],
            language=Language(body["language"]),
            languages=list(body["languages"]),
            timezone=body["timezone"],
            department=body.get("department"),
            manager_id=_id_or_none(body.get("manager_id")),
            availability=[pick(WeeklySlot, slot) for slot in body.get("availability", [])],
            competencies=[
                SkillLevel(key=k, level=v) for k, v in body.get("competencies", {}).items()
            ],
            goals=[SkillLevel(key=k, level=v) for k, v in body.get("goals", {}).items()],
            capacity=body["capacity"],
            open_matches=body["open_matches"],
            ranked_mentors=[strawberry.ID(m) for m in body.get("ranked_mentors", [])],
            status=ParticipantStatus(body["status"]),
            registered_at=moment(body["registered_at"]),
        )

    @strawberry.field(description="The program this participation belongs to.")
    async def program(self, info: GatewayInfo) -> Program | None:
        return Program.of(await info.context.loaders.program.load(str(self.program_id)))

    @strawberry.field(description="A mentee's progress (null for a mentor).")
    async def progress(self, info: GatewayInfo) -> MenteeProgress | None:
        if ParticipantRole.MENTEE not in self.roles:
            return None
        return MenteeProgress.of(await info.context.loaders.progress.load(str(self.id)))


@strawberry.type
class CriterionScore:
    criterion: Criterion
    value: float
    points: float
    written_reason: strawberry.Private[str]

    @strawberry.field(description="What the criterion found, in your language.")
    async def reason(self, info: GatewayInfo) -> str:
        (reason,) = await in_reader_language(info, [self.written_reason])
        return reason


@strawberry.type(description="A mentor who would suit the mentee, and why.")
class MatchSuggestion:
    mentor: Participant
    score: float
    breakdown: list[CriterionScore]
    written_reasons: strawberry.Private[list[str]]

    @strawberry.field(description="Why this mentor, in your language.")
    async def reasons(self, info: GatewayInfo) -> list[str]:
        return await in_reader_language(info, self.written_reasons)


@strawberry.input
class WeeklySlotInput:
    day: int
    start_hour: int
    end_hour: int


@strawberry.input
class SkillLevelInput:
    key: str
    level: int


@strawberry.input
class RegisterInput:
    program_id: strawberry.ID
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to you; admins may register others."
    )
    display_name: str
    email: str
    language: Language = Language.EN
    languages: list[str] = strawberry.field(default_factory=lambda: ["en"])
    timezone: str = "UTC"
    department: str | None = None
    manager_id: strawberry.ID | None = None
    availability: list[WeeklySlotInput] = strawberry.field(default_factory=list)
    competencies: list[SkillLevelInput] = strawberry.field(default_factory=list)
    goals: list[SkillLevelInput] = strawberry.field(default_factory=list)
    capacity: int | None = strawberry.field(default=None, description="Mentors: how many mentees.")
    ranked_mentors: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Mentees: preferred mentors, best first."
    )


@strawberry.input(description="Only the fields you give change.")
class ProfileUpdateInput:
    display_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    language: Language | None = strawberry.UNSET
    languages: list[str] | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    department: str | None = strawberry.UNSET
    manager_id: strawberry.ID | None = strawberry.UNSET
    availability: list[WeeklySlotInput] | None = strawberry.UNSET
    competencies: list[SkillLevelInput] | None = strawberry.UNSET
    goals: list[SkillLevelInput] | None = strawberry.UNSET
    capacity: int | None = strawberry.UNSET
    ranked_mentors: list[strawberry.ID] | None = strawberry.UNSET


def _id_or_none(value: Any) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(value)


def _levels(name: str, items: list[SkillLevelInput]) -> dict[str, int] | ValidationError:
    levels: dict[str, int] = {}
    for item in items:
        if item.key in levels:
            return invalid([*INPUT.prefix, name, item.key], f"{item.key!r} is given twice")
        levels[item.key] = item.level
    return levels


def _wire(name: str, value: Any) -> Any:
    """An input field's value as mentoring takes it."""
    if name == "availability":
        return [{"day": s.day, "start_hour": s.start_hour, "end_hour": s.end_hour} for s in value]
    if name in ("competencies", "goals"):
        return _levels(name, value)
    if name == "ranked_mentors":
        return [str(v) for v in value]
    if name == "manager_id":
        return str(value)
    if name == "language":
        return value.value
    return value


_PROFILE_FIELDS = (
    "display_name",
    "email",
    "language",
    "languages",
    "timezone",
    "department",
    "manager_id",
    "availability",
    "competencies",
    "goals",
    "capacity",
    "ranked_mentors",
)

PROFILE = Arguments(
    prefix=INPUT.prefix,
    fields={"program_id": ("input", "programId"), "participant_id": ("participantId",)},
    keyed={"competencies": None, "goals": None},
)
"""Mentoring's fields are those of ``input`` (competencies and goals are maps of skill keys),
but for the participant being changed, an argument of its own."""

RegisterResult = Annotated[
    Participant | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("RegisterResult"),
]
UpdateProfileResult = Annotated[
    Participant | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("UpdateProfileResult"),
]


async def participant(info: GatewayInfo, identifier: str, role: ParticipantRole) -> Participant:
    """The participant with that id, if the caller may see them (else FORBIDDEN), in that role
    (else BAD_USER_INPUT)."""
    principal_of(info)
    found = Participant.of(await info.context.loaders.participant.load(segment(identifier)))
    if ParticipantRole(role) not in found.roles:
        raise bad_input(f"participant {identifier!r} is not a {role.value}", "id")
    return found


async def _register(
    info: GatewayInfo, input: RegisterInput, role: ParticipantRole, idempotency_key: str | None
) -> Any:
    principal_of(info)
    body: dict[str, Any] = {"roles": [role.value]}
    for name in _PROFILE_FIELDS:
        value = getattr(input, name)
        if value is None:
            continue
        wired = _wire(name, value)
        if isinstance(wired, ValidationError):
            return wired
        body[name] = wired
    if input.user_id is not None:
        body["user_id"] = str(input.user_id)
    program = segment(str(input.program_id), "programId")
    return await mutate(
        info.context.services.post(
            "mentoring",
            f"/programs/{program}/participants",
            body,
            idempotency_key=idempotency_key,
        ),
        Participant.of,
        PROFILE,
    )


@strawberry.type
class Query:
    @strawberry.field(description="A mentor of one of your programs, or your own mentor.")
    async def mentor(self, info: GatewayInfo, id: strawberry.ID) -> Participant | None:
        return await participant(info, str(id), ParticipantRole.MENTOR)

    @strawberry.field(description="Yourself as a mentee, one of your mentees, or (admins) any.")
    async def mentee(self, info: GatewayInfo, id: strawberry.ID) -> Participant | None:
        return await participant(info, str(id), ParticipantRole.MENTEE)

    @strawberry.field(description="The best mentors for a mentee, each score explained.")
    async def match_suggestions(
        self, info: GatewayInfo, mentee_id: strawberry.ID, first: int = 5
    ) -> list[MatchSuggestion] | None:
        principal_of(info)
        if not 1 <= first <= MAX_SUGGESTIONS:
            raise bad_input(f"first must be between 1 and {MAX_SUGGESTIONS}", "first")
        mentee = segment(str(mentee_id), "menteeId")
        try:
            found = await info.context.services.get(
                "mentoring", f"/participants/{mentee}/suggestions", {"k": first}
            )
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "mentee", mentee) from None
        info.context.loaders.prime_participants([s["mentor"] for s in found])
        return [
            MatchSuggestion(
                mentor=Participant.of(s["mentor"]),
                score=s["score"],
                breakdown=[
                    CriterionScore(
                        criterion=Criterion(c["criterion"]),
                        value=c["value"],
                        points=c["points"],
                        written_reason=c["reason"],
                    )
                    for c in s["breakdown"]
                ],
                written_reasons=list(s["reasons"]),
            )
            for s in found
        ]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register (yourself, or someone as an admin) as a mentor.")
    async def register_mentor(
        self, info: GatewayInfo, input: RegisterInput, idempotency_key: IdempotencyKey = None
    ) -> RegisterResult | None:
        result: RegisterResult = await _register(
            info, input, ParticipantRole.MENTOR, idempotency_key
        )
        return result

    @strawberry.mutation(description="Register (yourself, or someone as an admin) as a mentee.")
    async def register_mentee(
        self, info: GatewayInfo, input: RegisterInput, idempotency_key: IdempotencyKey = None
    ) -> RegisterResult | None:
        result: RegisterResult = await _register(
            info, input, ParticipantRole.MENTEE, idempotency_key
        )
        return result

    @strawberry.mutation(description="Change your profile (or, as an admin, a participant's).")
    async def update_profile(
        self, info: GatewayInfo, participant_id: strawberry.ID, input: ProfileUpdateInput
    ) -> UpdateProfileResult | None:
        principal_of(info)
        body: dict[str, Any] = {}
        for name in _PROFILE_FIELDS:
            value = getattr(input, name)
            if value is strawberry.UNSET:
                continue
            wired = None if value is None else _wire(name, value)
            if isinstance(wired, ValidationError):
                return wired
            body[name] = wired
        if not body:
            return invalid(INPUT.prefix, "give at least one field to change")
        changed = segment(str(participant_id), "participantId")
        return await mutate(
            info.context.services.request(
                "mentoring", "PATCH", f"/participants/{changed}", json=body
            ),
            Participant.of,
            PROFILE,
        )
