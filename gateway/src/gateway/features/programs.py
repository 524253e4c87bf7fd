# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Programs: what an admin creates, runs matching in, and watches the health of."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from graphql import GraphQLError

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    INPUT,
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    as_field_error,
    invalid,
    unauthenticated,
    unavailable,
)
from gateway.features.enums import (
    Criterion,
    DepartmentPreference,
    MatchingObjective,
    ParticipantRole,
    ProgramStatus,
    ProgressStatus,
)
from gateway.features.matching_reports import (
    RUN_MATCHING,
    RUN_RULE,
    MatchingRun,
    RunMatchingResult,
    last_run,
)
from gateway.features.mutations import IdempotencyKey, mutate
from gateway.node import Node
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, detail_of, segment
from gateway.timestamps import moment

MUTUAL_ACCEPTANCE = (
    "The mentee accepts a proposal too: it becomes active once the mentor and the mentee "
    "accepted, in either order, and either declining declines it (for proposals made from then "
    "on). False: the mentor's acceptance starts the match."
)

SELF_ERASURE = (
    "Participants may have their own data erased (eraseMyData, where every program they are in "
    "allows it); an admin of the program may always erase a participant's. False by default."
)

if TYPE_CHECKING:
    from gateway.features.roster import MentorLoad, RosterEntry, RosterStatus


@strawberry.type
class CriterionWeight:
    criterion: Criterion
    weight: float


@strawberry.type
class Program(Node):
    id: strawberry.ID
    name: str
    description: str
    learning_path_id: strawberry.ID
    admin_ids: list[strawberry.ID] = strawberry.field(description="Their user ids.")
    weights: list[CriterionWeight]
    department_preference: DepartmentPreference
    proposal_expiry_days: int
    default_mentor_capacity: int
    stall_window_days: int | None
    mutual_acceptance: bool = strawberry.field(description=MUTUAL_ACCEPTANCE)
    check_in_reminder_days: int | None = strawberry.field(
        description="Days a mentee goes without a check-in of their own before being reminded "
        "to record one (once per stretch of silence)."
    )
    self_erasure: bool = strawberry.field(description=SELF_ERASURE)
    status: ProgramStatus
    created_at: datetime

    @strawberry.field(
        description="The newest matching run that proposed (not a preview), with each "
        "unmatched mentee's reason; null before the first (its admins, else FORBIDDEN)."
    )
    async def last_matching_run(self, info: GatewayInfo) -> MatchingRun | None:
        return await last_run(info, str(self.id))

    @classmethod
    def of(cls, body: dict[str, Any]) -> Program:
        return cls(
            id=strawberry.ID(body["id"]),
            name=body["name"],
            description=body.get("description", ""),
            learning_path_id=strawberry.ID(body["learning_path_id"]),
            admin_ids=[strawberry.ID(a) for a in body.get("admin_ids", [])],
            weights=[
                CriterionWeight(criterion=Criterion(k), weight=v)
                for k, v in body.get("weights", {}).items()
            ],
            department_preference=DepartmentPreference(body.get("department_preference", "none")),
            proposal_expiry_days=body["proposal_expiry_days"],
            default_mentor_capacity=body["default_mentor_capacity"],
            stall_window_days=body.get("stall_window_days"),
            mutual_acceptance=body.get("mutual_acceptance", False),
            check_in_reminder_days=body.get("check_in_reminder_days"),
            self_erasure=body.get("self_erasure", False),
            status=ProgramStatus(body["status"]),
            created_at=moment(body["created_at"]),
        )

    @strawberry.field(
        description="The program's participants and where each stands (its admins), in "
        "registration order: by role (a person with both roles is listed for each), status, "
        "and search (plain text, at most 100 characters, found in the name or e-mail address, "
        "case ignored)."
    )
    async def participants(
        self,
        info: GatewayInfo,
        role: ParticipantRole | None = None,
        status: Annotated[RosterStatus, strawberry.lazy("gateway.features.roster")] | None = None,
        search: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Annotated[RosterEntry, strawberry.lazy("gateway.features.roster")]] | None:
        from gateway.features import roster  # noqa: PLC0415 - roster imports this module

        return await roster.participants_page(
            info, str(self.id), role=role, status=status, search=search, first=first, after=after
        )

    @strawberry.field(
        description="The program's mentors still in it, each with their load: open matches, "
        "capacity, free places, and their mentees with their progress status (its admins), "
        "in registration order."
    )
    async def mentors(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> Connection[Annotated[MentorLoad, strawberry.lazy("gateway.features.roster")]] | None:
        from gateway.features import roster  # noqa: PLC0415 - roster imports this module

        return await roster.mentors_page(info, str(self.id), first=first, after=after)


@strawberry.type
class StatusCount:
    status: ProgressStatus
    count: int


def by_status(counts: dict[str, int]) -> list[StatusCount]:
    """A progress service's counts by status (its wire values)."""
    return [StatusCount(status=ProgressStatus(k), count=v) for k, v in counts.items()]


@strawberry.type
class FunnelStep:
    module_id: strawberry.ID
    title: str
    completed: int


@strawberry.type(description="How a program's mentees are doing (its admins only).")
class ProgramHealth:
    program_id: strawberry.ID
    mentees: int
    by_status: list[StatusCount]
    funnel: list[FunnelStep]


@strawberry.input
class CriterionWeightInput:
    criterion: Criterion
    weight: float


@strawberry.input
class CreateProgramInput:
    name: str
    description: str = ""
    learning_path_id: strawberry.ID = strawberry.field(
        default=strawberry.ID("social-business-accompaniment"),
        description="One of learningPaths (checked with the progress service).",
    )
    weights: list[CriterionWeightInput] | None = None
    department_preference: DepartmentPreference = DepartmentPreference.NONE
    proposal_expiry_days: int = 7
    default_mentor_capacity: int = 3
    stall_window_days: int | None = None
    check_in_reminder_days: int | None = strawberry.field(
        default=None,
        description="Days (1 to 365, 7 by default) a mentee goes without a check-in of their "
        "own before being reminded to record one.",
    )
    status: ProgramStatus = ProgramStatus.OPEN
    mutual_acceptance: bool = strawberry.field(default=False, description=MUTUAL_ACCEPTANCE)


CreateProgramResult = Annotated[
    Program | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CreateProgramResult"),
]


CREATE_PROGRAM = Arguments(prefix=INPUT.prefix, keyed={"weights": Criterion})
_LEARNING_PATH = ["input", "learningPathId"]


async def unknown_learning_path(info: GatewayInfo, path_id: str) -> ValidationError | None:
    """Learning paths live in the progress service, which mentoring never asks: the gateway asks
    it before a program is created on one, and refuses a path it does not know."""
    try:
        path = segment(path_id, "learningPathId")
    except GraphQLError:
        return invalid(_LEARNING_PATH, f"{path_id!r} is not a learning path id")
    try:
        await info.context.services.get("progress", f"/learning-paths/{path}")
    except ServiceRejected as exc:
        if exc.status == 401:
            raise unauthenticated("the service refused the token") from None
        if exc.status == 404:
            return invalid(
                _LEARNING_PATH, f"no learning path {path!r}: choose one of learningPaths"
            )
        return invalid(_LEARNING_PATH, detail_of(exc.body))
    except ServiceUnavailable as exc:
        raise unavailable(exc) from None
    return None


@strawberry.type
class Query:
    @strawberry.field(description="A program you administer or take part in.")
    async def program(self, info: GatewayInfo, id: strawberry.ID) -> Program | None:
        principal_of(info)
        return Program.of(await info.context.loaders.program.load(str(id)))

    @strawberry.field(description="The programs you administer.")
    async def programs(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> Connection[Program] | None:
        principal_of(info)
        size = page_size(info, first)
        params: dict[str, Any] = {"first": min(size + 1, 100)}
        if cursor_argument(after) is not None:
            params["after"] = after
        try:
            found = await info.context.services.get("mentoring", "/programs", params)
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "programs") from None
        info.context.loaders.program.prime_many({p["id"]: p for p in found})
        more = len(found) > size
        return connection(found[:size], found[size - 1]["id"] if more else None, Program.of)

    @strawberry.field(description="Counts by status and the learning-path funnel (admins).")
    async def program_health(
        self, info: GatewayInfo, program_id: strawberry.ID
    ) -> ProgramHealth | None:
        principal_of(info)
        try:
            body = await info.context.services.get(
                "progress", f"/programs/{segment(program_id)}/health"
            )
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "program", str(program_id)) from None
        return ProgramHealth(
            program_id=strawberry.ID(body["program_id"]),
            mentees=body["mentees"],
            by_status=by_status(body["by_status"]),
            funnel=[
                FunnelStep(
                    module_id=strawberry.ID(f["module_id"]),
                    title=f["title"],
                    completed=f["completed"],
                )
                for f in body.get("funnel", [])
            ],
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create a program (admins); you become its admin. Its learning path must be "
        "one of learningPaths (else a ValidationError on input.learningPathId; nothing is "
        "created while the progress service cannot say)."
    )
    async def create_program(
        self, info: GatewayInfo, input: CreateProgramInput, idempotency_key: IdempotencyKey = None
    ) -> CreateProgramResult | None:
        principal_of(info)
        body: dict[str, Any] = {
            "name": input.name,
            "description": input.description,
            "learning_path_id": str(input.learning_path_id),
            "department_preference": input.department_preference.value,
            "proposal_expiry_days": input.proposal_expiry_days,
            "default_mentor_capacity": input.default_mentor_capacity,
            "status": input.status.value,
            "mutual_acceptance": input.mutual_acceptance,
        }
        if input.weights is not None:
            weights: dict[str, float] = {}
            for given in input.weights:
                if given.criterion.value in weights:
                    where = [*INPUT.prefix, "weights", given.criterion.name]
                    return invalid(where, "this criterion is weighed twice")
                weights[given.criterion.value] = given.weight
            body["weights"] = weights
        if input.stall_window_days is not None:
            body["stall_window_days"] = input.stall_window_days
        if input.check_in_reminder_days is not None:
            body["check_in_reminder_days"] = input.check_in_reminder_days
        unknown = await unknown_learning_path(info, str(input.learning_path_id))
        if unknown is not None:
            return unknown
        return await mutate(
            info.context.services.post(
                "mentoring", "/programs", body, idempotency_key=idempotency_key
            ),
            Program.of,
            CREATE_PROGRAM,
        )

    @strawberry.mutation(
        description="Match a whole cohort at once and propose each pair (a program's admins); "
        f"each proposal is announced to its mentor and its mentee. {RUN_RULE} The report is "
        "stored: matchingRun, matchingRuns, Program.lastMatchingRun."
    )
    async def run_matching(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        objective: MatchingObjective = MatchingObjective.BEST_FIT,
        idempotency_key: IdempotencyKey = None,
    ) -> RunMatchingResult | None:
        principal_of(info)
        program = segment(str(program_id), "programId")
        seconds = info.context.settings.matching_timeout_seconds
        info.context.allow_up_to(seconds)
        return await mutate(
            info.context.services.request(
                "mentoring",
                "POST",
                f"/programs/{program}/matching-runs",
                json={"objective": objective.value},
                idempotency_key=idempotency_key,
                timeout=seconds,
            ),
            MatchingRun.of,
            RUN_MATCHING,
        )
