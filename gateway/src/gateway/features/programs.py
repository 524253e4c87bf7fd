# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Programs: what an admin creates, runs matching in, and watches the health of."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import Conflict, Forbidden, NotFound, ValidationError, as_field_error
from gateway.features.mutations import mutate
from gateway.node import Node
from gateway.pagination import Connection, connection, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.wire import at


@strawberry.enum
class ProgramStatus(Enum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


@strawberry.enum
class DepartmentPreference(Enum):
    SAME = "same"
    CROSS = "cross"
    NONE = "none"


@strawberry.enum
class Criterion(Enum):
    GOAL_COVERAGE = "goal_coverage"
    TIMEZONE_OVERLAP = "timezone_overlap"
    AVAILABILITY_OVERLAP = "availability_overlap"
    DEPARTMENT = "department"
    RANKED_PREFERENCE = "ranked_preference"
    LOAD_BALANCE = "load_balance"


@strawberry.enum
class MatchingObjective(Enum):
    BEST_FIT = "best_fit"
    MOST_MATCHED = "most_matched"


@strawberry.type
class CriterionWeight:
    criterion: str
    weight: float


@strawberry.type
class Program(Node):
    id: strawberry.ID
    name: str
    description: str
    learning_path_id: str
    admin_ids: list[str]
    weights: list[CriterionWeight]
    department_preference: str
    proposal_expiry_days: int
    default_mentor_capacity: int
    stall_window_days: int | None
    status: str
    created_at: datetime

    @classmethod
    def of(cls, body: dict[str, Any]) -> Program:
        return cls(
            id=strawberry.ID(body["id"]),
            name=body["name"],
            description=body.get("description", ""),
            learning_path_id=body["learning_path_id"],
            admin_ids=list(body.get("admin_ids", [])),
            weights=[
                CriterionWeight(criterion=k, weight=v) for k, v in body.get("weights", {}).items()
            ],
            department_preference=body.get("department_preference", "none"),
            proposal_expiry_days=body["proposal_expiry_days"],
            default_mentor_capacity=body["default_mentor_capacity"],
            stall_window_days=body.get("stall_window_days"),
            status=body["status"],
            created_at=at(body["created_at"]),
        )


@strawberry.type
class StatusCount:
    status: str
    count: int


@strawberry.type
class FunnelStep:
    module_id: str
    title: str
    completed: int


@strawberry.type(description="How a program's mentees are doing (its admins only).")
class ProgramHealth:
    program_id: strawberry.ID
    mentees: int
    by_status: list[StatusCount]
    funnel: list[FunnelStep]


@strawberry.type
class UnmatchedMentee:
    mentee_id: strawberry.ID
    reason: str


@strawberry.type(description="What a whole-cohort matching run proposed.")
class MatchingRun:
    id: strawberry.ID
    program_id: strawberry.ID
    objective: str
    matched_count: int
    total_score: float
    mean_score: float
    blocking_pairs: int
    proposal_ids: list[strawberry.ID]
    unmatched: list[UnmatchedMentee]

    @classmethod
    def of(cls, body: dict[str, Any]) -> MatchingRun:
        return cls(
            id=strawberry.ID(body["id"]),
            program_id=strawberry.ID(body["program_id"]),
            objective=body["objective"],
            matched_count=body["matched_count"],
            total_score=body["total_score"],
            mean_score=body["mean_score"],
            blocking_pairs=body["blocking_pairs"],
            proposal_ids=[strawberry.ID(p) for p in body.get("proposals", [])],
            unmatched=[
                UnmatchedMentee(mentee_id=strawberry.ID(u["mentee_id"]), reason=u["reason"])
                for u in body.get("unmatched", [])
            ],
        )


@strawberry.input
class CriterionWeightInput:
    criterion: Criterion
    weight: float


@strawberry.input
class CreateProgramInput:
    name: str
    description: str = ""
    learning_path_id: str = "social-business-accompaniment"
    weights: list[CriterionWeightInput] | None = None
    department_preference: DepartmentPreference = DepartmentPreference.NONE
    proposal_expiry_days: int = 7
    default_mentor_capacity: int = 3
    stall_window_days: int | None = None
    status: ProgramStatus = ProgramStatus.OPEN


CreateProgramResult = Annotated[
    Program | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("CreateProgramResult"),
]
RunMatchingResult = Annotated[
    MatchingRun | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("RunMatchingResult"),
]


@strawberry.type
class Query:
    @strawberry.field(description="A program you administer or take part in.")
    async def program(self, info: GatewayInfo, id: strawberry.ID) -> Program | None:
        principal_of(info)
        return Program.of(await info.context.loaders.program.load(str(id)))

    @strawberry.field(description="The programs you administer.")
    async def programs(self, info: GatewayInfo, first: int = 20) -> Connection[Program] | None:
        principal_of(info)
        size = page_size(info, first)
        try:
            found = await info.context.services.get(
                "mentoring", "/programs", {"first": min(size + 1, 100)}
            )
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "programs") from None
        info.context.loaders.program.prime_many({p["id"]: p for p in found})
        page = connection(found[:size], None, Program.of)
        page.page_info.has_next_page = len(found) > size
        return page

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
            by_status=[StatusCount(status=k, count=v) for k, v in body["by_status"].items()],
            funnel=[
                FunnelStep(module_id=f["module_id"], title=f["title"], completed=f["completed"])
                for f in body.get("funnel", [])
            ],
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a program (admins); you become its admin.")
    async def create_program(
        self, info: GatewayInfo, input: CreateProgramInput
    ) -> CreateProgramResult | None:
        principal_of(info)
        body: dict[str, Any] = {
            "name": input.name,
            "description": input.description,
            "learning_path_id": input.learning_path_id,
            "department_preference": input.department_preference.value,
            "proposal_expiry_days": input.proposal_expiry_days,
            "default_mentor_capacity": input.default_mentor_capacity,
            "status": input.status.value,
        }
        if input.weights is not None:
            body["weights"] = {w.criterion.value: w.weight for w in input.weights}
        if input.stall_window_days is not None:
            body["stall_window_days"] = input.stall_window_days
        return await mutate(info.context.services.post("mentoring", "/programs", body), Program.of)

    @strawberry.mutation(description="Match a whole cohort at once (a program's admins).")
    async def run_matching(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        objective: MatchingObjective = MatchingObjective.BEST_FIT,
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
                timeout=seconds,
            ),
            MatchingRun.of,
        )
