# mypy: disable-error-code="untyped-decorator"
# (strawberry.mutation(description=...) is typed as returning Any)
"""Running a program: changing, opening and closing it, its admins, and withdrawing people."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    invalid,
)
from gateway.features.enums import Criterion, DepartmentPreference, Language, ProgramStatus
from gateway.features.mutations import mutate
from gateway.features.participants import Participant
from gateway.features.programs import (
    MUTUAL_ACCEPTANCE,
    SELF_ERASURE,
    CriterionWeightInput,
    Program,
)
from gateway.services import segment

UPDATE_PROGRAM = Arguments(
    prefix=("input",), fields={"program_id": ("programId",)}, keyed={"weights": Criterion}
)
ADMIN_ARGUMENTS = Arguments()
WITHDRAW = Arguments(fields={"participant_id": ("participantId",)})


@strawberry.input(description="What to change in a program; a field left out (or null) stays.")
class UpdateProgramInput:
    name: str | None = None
    description: str | None = None
    weights: list[CriterionWeightInput] | None = strawberry.field(
        default=None, description="The whole set: criteria left out weigh 0."
    )
    department_preference: DepartmentPreference | None = None
    proposal_expiry_days: int | None = None
    default_mentor_capacity: int | None = strawberry.field(
        default=None, description="For mentors registered from now on."
    )
    stall_window_days: int | None = None
    mutual_acceptance: bool | None = strawberry.field(default=None, description=MUTUAL_ACCEPTANCE)
    check_in_reminder_days: int | None = strawberry.field(
        default=None,
        description="Days (1 to 365) a mentee goes without a check-in of their own before being "
        "reminded to record one.",
    )
    self_erasure: bool | None = strawberry.field(default=None, description=SELF_ERASURE)
    status: ProgramStatus | None = strawberry.field(
        default=None,
        description="DRAFT -> OPEN -> CLOSED (or DRAFT -> CLOSED); a closed program never "
        "reopens. Closing is refused (Conflict) while one of its proposals is open; it ends "
        "every active match as COMPLETED (both sides are told), and the program takes no one "
        "new and matches no one from then on. Sending CLOSED again ends any match a failure "
        "left active.",
    )


UpdateProgramResult = Annotated[
    Program | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("UpdateProgramResult"),
]
ProgramAdminResult = Annotated[
    Program | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ProgramAdminResult"),
]
WithdrawParticipantResult = Annotated[
    Participant | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("WithdrawParticipantResult"),
]


def _changes(input: UpdateProgramInput) -> dict[str, Any] | ValidationError:
    body: dict[str, Any] = {}
    for name in (
        "name",
        "description",
        "proposal_expiry_days",
        "default_mentor_capacity",
        "stall_window_days",
        "mutual_acceptance",
        "check_in_reminder_days",
        "self_erasure",
    ):
        value = getattr(input, name)
        if value is not None:
            body[name] = value
    if input.department_preference is not None:
        body["department_preference"] = input.department_preference.value
    if input.status is not None:
        body["status"] = input.status.value
    if input.weights is not None:
        weights: dict[str, float] = {}
        for given in input.weights:
            if given.criterion.value in weights:
                return invalid(
                    ["input", "weights", given.criterion.name], "this criterion is weighed twice"
                )
            weights[given.criterion.value] = given.weight
        body["weights"] = weights
    return body


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Change a program, open it or close it (its admins). Only the fields given "
        "change; see UpdateProgramInput.status for what closing does."
    )
    async def update_program(
        self, info: GatewayInfo, program_id: strawberry.ID, input: UpdateProgramInput
    ) -> UpdateProgramResult | None:
        principal_of(info)
        program = segment(str(program_id), "programId")
        body = _changes(input)
        if isinstance(body, ValidationError):
            return body
        timeout = None
        if input.status is ProgramStatus.CLOSED:  # ends every active match: may take a while
            timeout = info.context.settings.matching_timeout_seconds
            info.context.allow_up_to(timeout)
        return await mutate(
            info.context.services.request(
                "mentoring", "PATCH", f"/programs/{program}", json=body, timeout=timeout
            ),
            Program.of,
            UPDATE_PROGRAM,
        )

    @strawberry.mutation(
        description="Make someone an admin of a program (its admins). Notifications reach them "
        "by the name, e-mail address and language given, else by those of their participation "
        "in the program, if any. To act as an admin their token needs the ADMIN role. Adding "
        "an admin again changes nothing; a program has at most 20 admins."
    )
    async def add_program_admin(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        user_id: strawberry.ID,
        display_name: str | None = None,
        email: str | None = None,
        language: Language | None = None,
    ) -> ProgramAdminResult | None:
        principal_of(info)
        program = segment(str(program_id), "programId")
        body: dict[str, Any] = {"user_id": segment(str(user_id), "userId")}
        if display_name is not None:
            body["display_name"] = display_name
        if email is not None:
            body["email"] = email
        if language is not None:
            body["language"] = language.value
        return await mutate(
            info.context.services.post("mentoring", f"/programs/{program}/admins", body),
            Program.of,
            ADMIN_ARGUMENTS,
        )

    @strawberry.mutation(
        description="Remove an admin from a program (its admins; one may remove themselves). "
        "The last admin cannot be removed (Conflict): a program always has one. Removing "
        "someone who is not an admin changes nothing."
    )
    async def remove_program_admin(
        self, info: GatewayInfo, program_id: strawberry.ID, user_id: strawberry.ID
    ) -> ProgramAdminResult | None:
        principal_of(info)
        program = segment(str(program_id), "programId")
        user = segment(str(user_id), "userId")
        return await mutate(
            info.context.services.request(
                "mentoring", "DELETE", f"/programs/{program}/admins/{user}"
            ),
            Program.of,
            ADMIN_ARGUMENTS,
        )

    @strawberry.mutation(
        description="Withdraw a participant from their program (the person themself or one of "
        "the program's admins): their active matches end early and their open proposals are "
        "declined (the other side is told as for any match that ends or is declined), and "
        "the program's admins are told who left and why (PARTICIPANT_WITHDRAWN). Withdrawing "
        "again changes nothing."
    )
    async def withdraw_participant(
        self, info: GatewayInfo, participant_id: strawberry.ID, reason: str | None = None
    ) -> WithdrawParticipantResult | None:
        principal_of(info)
        participant = segment(str(participant_id), "participantId")
        return await mutate(
            info.context.services.post(
                "mentoring", f"/participants/{participant}/withdraw", {"reason": reason}
            ),
            Participant.of,
            WITHDRAW,
        )
