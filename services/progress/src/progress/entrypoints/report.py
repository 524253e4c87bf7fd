"""A program's report (its admins): the route, and the subscriptions feeding its read model."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context
from progress.domain.report import ProgressReport
from progress.entrypoints.http import Caller, Ctx
from progress.service_layer import report
from progress.service_layer.handlers import Context

GROUP = "progress-report"
router = APIRouter()


class WeekOut(BaseModel):
    week: date
    by_status: dict[str, int]


class ModuleConfidenceOut(BaseModel):
    module_id: str
    assessed_by: str
    mentees: int
    at_start: float
    now: float


class ReportOut(BaseModel):
    program_id: str
    weeks: list[WeekOut]
    confidence: list[ModuleConfidenceOut]
    active_matches: int
    sessions_in_active_matches: int

    @classmethod
    def of(cls, program_id: str, found: ProgressReport) -> ReportOut:
        return cls(
            program_id=program_id,
            weeks=[
                WeekOut(week=w.week, by_status={k.value: v for k, v in w.counts.items()})
                for w in found.weeks
            ],
            confidence=[
                ModuleConfidenceOut(
                    module_id=c.module_id,
                    assessed_by=c.assessed_by,
                    mentees=c.mentees,
                    at_start=c.at_start,
                    now=c.now,
                )
                for c in found.confidence
            ],
            active_matches=found.active_matches,
            sessions_in_active_matches=found.sessions_in_active_matches,
        )


@router.get("/programs/{program_id}/report")
async def program_report(
    program_id: Annotated[str, Path(max_length=64)],
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    caller: Caller,
    ctx: Ctx,
) -> ReportOut:
    """Mentees by status at the end of each week from ``from``'s to ``to``'s (at most 53), the
    confidence per module at the start and now, and the sessions of the active matches."""
    found = await report.program_report(ctx, caller, program_id, start, end)
    return ReportOut.of(program_id, found)


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], Context],
    *,
    topic_prefix: str,
    retry: RetryPolicy,
    concurrency: int = 1,
) -> EventConsumer:
    consumer = EventConsumer(
        broker, group_id=GROUP, group_prefix=topic_prefix, retry=retry, concurrency=concurrency
    )

    def route(
        handler: Callable[[Envelope[Any], Context], Awaitable[object]],
    ) -> Callable[[Envelope[Any]], Awaitable[None]]:
        return with_context(context, handler)

    consumer.subscribe(
        topic_name(Topic.PROGRESS_EVENTS, topic_prefix),
        {
            "progress.check_in.recorded": route(report.on_check_in),
            "progress.confidence.dropped": route(report.on_confidence_dropped),
            "progress.session.logged": route(report.on_session_logged),
            "progress.milestone.completed": route(report.on_activity),
            "progress.milestone.reopened": route(report.on_activity),
            "progress.path.completed": route(report.on_path_completed),
        },
        description="Marks each week's check-ins, sessions and completions in the report's "
        "read model.",
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_MATCHES, topic_prefix),
        {
            "mentoring.match.accepted": route(report.on_match_accepted),
            "mentoring.match.declined": route(report.on_match_closed),
            "mentoring.match.ended": route(report.on_match_closed),
        },
        description="Marks when each mentee is followed by a mentor in the report's read model.",
        documented=False,  # the service's main consumer documents mentoring's topics
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_PARTICIPANTS, topic_prefix),
        {"mentoring.participant.withdrawn": route(report.on_participant_withdrawn)},
        description="Marks a withdrawal in the report's read model.",
        documented=False,
    )
    return consumer
