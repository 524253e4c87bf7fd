# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""A program's report for its admins: mentoring's funnel, time to match and mentors' load, and
progress's weekly counts by status, confidence per module and sessions, in one answer (two calls,
made at once). The same figures download as CSV (``gateway.report_csv``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import strawberry

from gateway.context import GatewayContext, GatewayInfo, principal_of
from gateway.errors import (
    Arguments,
    Conflict,
    Forbidden,
    MutationFailure,
    NotFound,
    ValidationError,
    mutation_failure,
    unauthenticated,
    unavailable,
)
from gateway.features.enums import ParticipantRole
from gateway.features.programs import StatusCount, by_status
from gateway.features.reader_language import caller_language
from gateway.services import ServiceCalls, ServiceRejected, ServiceUnavailable, segment

REPORT_ARGUMENTS = Arguments(
    fields={"program_id": ("programId",), "from": ("from",), "to": ("to",)}
)
CSV_ROUTE = "/reports/programs/{program_id}.csv"


@strawberry.enum(description="A stage of a program's funnel, each reached by fewer mentees.")
class FunnelStage(Enum):
    REGISTERED = "registered"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    COMPLETED = "completed"


@strawberry.type
class ReportFunnelStep:
    stage: FunnelStage
    count: int = strawberry.field(description="Mentees of the cohort who reached the stage.")
    conversion: float | None = strawberry.field(
        description="count over the previous stage's count (null for the first, or after 0)."
    )


@strawberry.type
class TimeToMatch:
    matched: int = strawberry.field(description="Mentees of the cohort a mentor accepted.")
    median_hours: float | None = strawberry.field(
        description="From registration to the first acceptance; null when none was matched."
    )
    mean_hours: float | None


@strawberry.type
class ReportWeek:
    week_start: date = strawberry.field(description="The Monday starting the ISO week.")
    by_status: list[StatusCount] = strawberry.field(
        description="Mentees by status at the end of the week (now, for the week under way)."
    )


@strawberry.type
class ReportModuleConfidence:
    module_id: strawberry.ID
    title: str | None = strawberry.field(
        description="The module's title on the program's learning path, in your language where "
        "the platform has its texts in it; null when the path has no such module."
    )
    assessed_by: ParticipantRole
    mentees: int = strawberry.field(description="Mentees with a check-in on the module.")
    at_start: float = strawberry.field(description="The mean of their first check-in's level.")
    now: float = strawberry.field(description="The mean of their latest check-in's level.")


@strawberry.type
class ReportMentorLoad:
    mentor_id: strawberry.ID
    name: str
    capacity: int
    active: int = strawberry.field(description="Active matches now.")
    proposed: int = strawberry.field(description="Proposals awaiting an answer now.")
    load: float | None = strawberry.field(description="active over capacity.")


@strawberry.type(
    description="A program's report (its admins): the funnel of the mentees registered from "
    "`from` to `to`, their time to match, mentees by progress status week by week, and, now: "
    "confidence per module at the start and now, sessions per active match, mentors' load."
)
class ProgramReport:
    program_id: strawberry.ID
    start: date = strawberry.field(name="from")
    end: date = strawberry.field(name="to")
    funnel: list[ReportFunnelStep]
    time_to_match: TimeToMatch
    weeks: list[ReportWeek]
    confidence: list[ReportModuleConfidence]
    active_matches: int
    sessions_in_active_matches: int = strawberry.field(
        description="Sessions logged with the current mentor of each active match."
    )
    sessions_per_active_match: float | None = strawberry.field(
        description="sessionsInActiveMatches over activeMatches (null without any)."
    )
    mentors: list[ReportMentorLoad] = strawberry.field(
        description="The program's mentors still in it, in registration order."
    )
    csv_path: str = strawberry.field(
        description="The gateway's path (GET, with the same bearer token) that downloads this "
        "report as CSV for a spreadsheet."
    )


ProgramReportResult = Annotated[
    ProgramReport | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ProgramReportResult"),
]


@dataclass(frozen=True)
class ReportBodies:
    """The two services' answers."""

    program_id: str
    start: date
    end: date
    funnel: dict[str, Any]
    progress: dict[str, Any]
    titles: dict[str, str] = field(default_factory=dict)
    """The titles of the program's learning path's modules, by id, in the reader's language."""


def csv_path(program_id: str, start: date, end: date) -> str:
    query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
    return CSV_ROUTE.format(program_id=quote(program_id, safe="")) + f"?{query}"


async def fetch_report(
    services: ServiceCalls, program_id: str, start: date, end: date
) -> ReportBodies | MutationFailure:
    """Both services' parts, asked at once. A refusal is answered as the schema's error types
    (mentoring's first: it tells a program that does not exist); a service that cannot answer
    raises ``ServiceUnavailable``."""
    path = segment(program_id, "programId")
    params = {"from": start.isoformat(), "to": end.isoformat()}
    outcomes = await asyncio.gather(
        services.get("mentoring", f"/programs/{path}/report", params),
        services.get("progress", f"/programs/{path}/report", params),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, ServiceRejected):
            if outcome.status == 401:
                raise unauthenticated("the service refused the token")
            return mutation_failure(outcome, REPORT_ARGUMENTS)
    funnel, progress = outcomes
    if isinstance(funnel, BaseException):
        raise funnel
    if isinstance(progress, BaseException):
        raise progress
    return ReportBodies(program_id, start, end, funnel, progress)


async def with_module_titles(context: GatewayContext, bodies: ReportBodies) -> ReportBodies:
    """``bodies`` with the titles of the modules of the program's learning path, in the
    caller's language (``caller_language``); without titles when the program or its path
    cannot be read, the modules then being named by id."""
    services = context.services
    try:
        language, program = await asyncio.gather(
            caller_language(context),
            services.get("mentoring", f"/programs/{segment(bodies.program_id, 'programId')}"),
        )
        path = segment(str(program["learning_path_id"]), "learningPathId")
        params = None if language is None else {"language": language}
        found = await services.get("progress", f"/learning-paths/{path}", params)
    except (ServiceRejected, ServiceUnavailable):
        return bodies
    return replace(bodies, titles={m["id"]: m["title"] for m in found["modules"]})


def program_report(bodies: ReportBodies) -> ProgramReport:
    funnel, progress = bodies.funnel, bodies.progress
    ttm = funnel["time_to_match"]
    active, sessions = progress["active_matches"], progress["sessions_in_active_matches"]
    return ProgramReport(
        program_id=strawberry.ID(bodies.program_id),
        start=bodies.start,
        end=bodies.end,
        funnel=[
            ReportFunnelStep(
                stage=FunnelStage(f["stage"]), count=f["count"], conversion=f["conversion"]
            )
            for f in funnel["funnel"]
        ],
        time_to_match=TimeToMatch(
            matched=ttm["matched"], median_hours=ttm["median_hours"], mean_hours=ttm["mean_hours"]
        ),
        weeks=[
            ReportWeek(
                week_start=date.fromisoformat(w["week"]), by_status=by_status(w["by_status"])
            )
            for w in progress["weeks"]
        ],
        confidence=[
            ReportModuleConfidence(
                module_id=strawberry.ID(c["module_id"]),
                title=bodies.titles.get(c["module_id"]),
                assessed_by=ParticipantRole(c["assessed_by"]),
                mentees=c["mentees"],
                at_start=c["at_start"],
                now=c["now"],
            )
            for c in progress["confidence"]
        ],
        active_matches=active,
        sessions_in_active_matches=sessions,
        sessions_per_active_match=round(sessions / active, 2) if active else None,
        mentors=[
            ReportMentorLoad(
                mentor_id=strawberry.ID(m["mentor_id"]),
                name=m["display_name"],
                capacity=m["capacity"],
                active=m["active"],
                proposed=m["proposed"],
                load=m["load"],
            )
            for m in funnel["mentors"]
        ],
        csv_path=csv_path(bodies.program_id, bodies.start, bodies.end),
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="A program's report for its admins (a ValidationError when `from` is after "
        "`to` or the period is longer than 53 weeks; Forbidden for anyone else). Also as CSV: "
        "csvPath."
    )
    async def program_report(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        start: Annotated[date, strawberry.argument(name="from")],
        end: Annotated[date, strawberry.argument(name="to")],
    ) -> ProgramReportResult | None:
        principal_of(info)
        try:
            found = await fetch_report(info.context.services, str(program_id), start, end)
        except ServiceUnavailable as exc:
            raise unavailable(exc) from None
        if isinstance(found, ReportBodies):
            return program_report(await with_module_titles(info.context, found))
        return found
