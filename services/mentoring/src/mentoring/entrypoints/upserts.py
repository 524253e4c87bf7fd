"""Routes of the upsert by external id (``service_layer.upserts``): a batch, for imports, and one
person, for provisioning.

A batch's rows are validated one by one: a row that breaks a rule is answered ``refused`` with
the field and the reason, and the other rows go on (a request body that is not a batch at all is
a 422 like everywhere else)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints, ValidationError, field_validator

from mentoring.domain.participants import EXTERNAL_ID
from mentoring.entrypoints import schemas as s
from mentoring.entrypoints.http import Caller, Ctx
from mentoring.service_layer import queries, upserts
from mentoring.service_layer.commands import (
    UNSET,
    ExternalProfile,
    ParticipantUpsert,
    Unset,
    UpsertParticipants,
)
from mentoring.service_layer.upserts import Outcome

T = TypeVar("T")

MAX_ROWS = 1000
ExternalId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=f"^{EXTERNAL_ID.pattern}$")
]
Reference = Annotated[
    str,
    StringConstraints(min_length=1, max_length=254, pattern=r"^[^\s,;]+$"),
    Field(description="another participant of the program, by external id or e-mail"),
]

router = APIRouter()


class ProfileIn(s.Strict):
    """The fields of a profile an upsert may give; each may be null (empty: its default)."""

    user_id: s.Id | None = Field(
        default=None,
        description="the person's account (token subject); defaults to the external id",
    )
    display_name: s.Name | None = None
    email: s.Email | None = None
    roles: list[s.Role] | None = Field(default=None, min_length=1, max_length=2)
    language: Literal["en", "fr"] | None = None
    languages: list[s.LanguageCode] | None = Field(default=None, min_length=1, max_length=10)
    timezone: str | None = Field(default=None, max_length=64)
    department: s.Name | None = None
    manager: Reference | None = None
    competencies: s.SkillLevels | None = None
    goals: s.SkillLevels | None = None
    capacity: int | None = Field(default=None, ge=1, le=50)
    preferred_mentors: list[Reference] | None = Field(default=None, max_length=5)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return s._timezone(value) if value is not None else None

    def profile(self) -> ExternalProfile:
        """The fields given, in the domain's types (``UNSET``: not given)."""
        sent = self.model_fields_set

        def given(name: str, value: T | None) -> T | Unset | None:
            return value if name in sent else UNSET

        return ExternalProfile(
            user_id=given("user_id", self.user_id),
            display_name=given("display_name", self.display_name),
            email=given("email", self.email),
            roles=given("roles", None if self.roles is None else frozenset(self.roles)),
            language=given("language", self.language),
            languages=given(
                "languages", None if self.languages is None else frozenset(self.languages)
            ),
            timezone=given("timezone", self.timezone),
            department=given("department", self.department),
            manager=given("manager", self.manager),
            competencies=given("competencies", self.competencies),
            goals=given("goals", self.goals),
            capacity=given("capacity", self.capacity),
            preferred_mentors=given(
                "preferred_mentors",
                None if self.preferred_mentors is None else tuple(self.preferred_mentors),
            ),
        )


class UpsertRowIn(ProfileIn):
    external_id: ExternalId


class UpsertBatchIn(BaseModel):
    rows: list[dict[str, Any]] = Field(max_length=MAX_ROWS)
    dry_run: bool = False
    final: bool = Field(
        default=True,
        description="false: a row naming a manager or mentor no one is yet is answered "
        "`deferred` (nothing written), to be sent again later",
    )
    planned: dict[Reference, bool] = Field(
        default_factory=dict,
        max_length=5 * MAX_ROWS,
        description="dry run: references to people earlier rows would create, and whether "
        "they would be mentors",
    )


class RowResultOut(BaseModel):
    outcome: Outcome
    participant_id: str | None = None
    field: str | None = None
    reason: str | None = None


class UpsertBatchOut(BaseModel):
    results: list[RowResultOut]


def _problem(error: ValidationError) -> RowResultOut:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "row"
    return RowResultOut(outcome=Outcome.REFUSED, field=where, reason=first["msg"])


@router.post(
    "/programs/{program_id}/participants/upserts",
    response_model=UpsertBatchOut,
    summary="Create, update or leave as they are the people named by external ids",
)
async def upsert_batch(
    program_id: str, body: UpsertBatchIn, caller: Caller, ctx: Ctx
) -> UpsertBatchOut:
    answers: list[RowResultOut | None] = []
    valid: list[ParticipantUpsert] = []
    for raw in body.rows:
        try:
            row = UpsertRowIn.model_validate(raw)
        except ValidationError as exc:
            answers.append(_problem(exc))
            continue
        answers.append(None)
        valid.append(ParticipantUpsert(row.external_id, row.profile()))
    results = iter(
        await upserts.upsert_participants(
            UpsertParticipants(
                actor=caller,
                program_id=program_id,
                rows=tuple(valid),
                dry_run=body.dry_run,
                final=body.final,
                planned=body.planned,
            ),
            ctx,
        )
    )
    return UpsertBatchOut(
        results=[
            answer if answer is not None else RowResultOut(**vars(next(results)))
            for answer in answers
        ]
    )


@router.put(
    "/programs/{program_id}/participants/by-external-id/{external_id}",
    response_model=s.ParticipantOut,
    responses={201: {"description": "created"}, 200: {"description": "updated or unchanged"}},
    summary="Create or update the person named by an external id",
)
async def upsert_one(
    program_id: str,
    external_id: Annotated[str, Path(max_length=128, pattern=f"^{EXTERNAL_ID.pattern}$")],
    body: ProfileIn,
    caller: Caller,
    ctx: Ctx,
) -> Any:
    (result,) = await upserts.upsert_participants(
        UpsertParticipants(
            actor=caller,
            program_id=program_id,
            rows=(ParticipantUpsert(external_id, body.profile()),),
        ),
        ctx,
    )
    if result.outcome is Outcome.REFUSED:
        detail = [{"loc": ["body", result.field], "msg": result.reason, "type": "refused"}]
        return JSONResponse({"detail": detail}, status.HTTP_422_UNPROCESSABLE_CONTENT)
    assert result.participant_id is not None
    (participant,) = await queries.participants(ctx, caller, [result.participant_id])
    code = status.HTTP_201_CREATED if result.outcome is Outcome.CREATED else status.HTTP_200_OK
    return JSONResponse(s.ParticipantOut.of(participant).model_dump(mode="json"), status_code=code)
