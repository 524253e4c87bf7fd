"""The progress service's subscriptions, in one place: what it learns from mentoring (its own
state), the events that feed the report's read model, and the requests about personal data.
Each of the three is its own consumer group, so that one's backlog never holds the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, Handler, RetryPolicy, with_context
from progress.service_layer import data_exports, erasures, handlers, planned_sessions, report
from progress.service_layer.data_exports import ExportContext
from progress.service_layer.erasures import ErasureContext
from progress.service_layer.handlers import Context

GROUP = "progress"
REPORT_GROUP = "progress-report"
DATA_REQUESTS_GROUP = "progress-data-exports"

C = TypeVar("C")


def _router(
    context: Callable[[str | None], C],
) -> Callable[[Callable[[Envelope[Any], C], Awaitable[object]]], Handler]:
    def route(handler: Callable[[Envelope[Any], C], Awaitable[object]]) -> Handler:
        return with_context(context, handler)

    return route


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], Context],
    export_context: Callable[[str | None], ExportContext],
    erasure_context: Callable[[str | None], ErasureContext],
    *,
    topic_prefix: str,
    retry: RetryPolicy,
    concurrency: int = 1,
) -> list[EventConsumer]:
    def consumer(group: str) -> EventConsumer:
        return EventConsumer(
            broker, group_id=group, group_prefix=topic_prefix, retry=retry, concurrency=concurrency
        )

    route = _router(context)
    matches = topic_name(Topic.MENTORING_MATCHES, topic_prefix)
    participants = topic_name(Topic.MENTORING_PARTICIPANTS, topic_prefix)

    tracking = consumer(GROUP)
    tracking.subscribe(
        matches,
        {
            "mentoring.match.accepted": route(handlers.on_match_accepted),
            "mentoring.match.declined": route(handlers.on_match_closed),
            "mentoring.match.ended": route(planned_sessions.on_match_ended),
        },
        description="Starts tracking a mentee when a match is accepted; pauses it when it ends "
        "(and cancels the match's planned sessions still ahead).",
    )
    tracking.subscribe(
        participants,
        {"mentoring.participant.withdrawn": route(planned_sessions.on_participant_withdrawn)},
        description="Stops tracking a mentee who withdrew from their program (and cancels their "
        "planned sessions still ahead).",
    )
    tracking.subscribe(
        topic_name(Topic.MENTORING_PROGRAMS, topic_prefix),
        {"mentoring.program.published": route(handlers.on_program_published)},
        description="Keeps each program's admins, who may see its mentees' progress.",
    )

    reporting = consumer(REPORT_GROUP)
    reporting.subscribe(
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
    reporting.subscribe(
        matches,
        {
            "mentoring.match.accepted": route(report.on_match_accepted),
            "mentoring.match.declined": route(report.on_match_closed),
            "mentoring.match.ended": route(report.on_match_closed),
        },
        description="Marks when each mentee is followed by a mentor in the report's read model.",
        documented=False,  # the group above documents mentoring's topics
    )
    reporting.subscribe(
        participants,
        {"mentoring.participant.withdrawn": route(report.on_participant_withdrawn)},
        description="Marks a withdrawal in the report's read model.",
        documented=False,
    )

    data_requests = consumer(DATA_REQUESTS_GROUP)
    data_requests.subscribe(
        topic_name(Topic.MENTORING_DATA_REQUESTS, topic_prefix),
        {
            "mentoring.personal_data.export_requested": _router(export_context)(
                data_exports.on_export_requested
            ),
            "mentoring.personal_data.erasure_requested": _router(erasure_context)(
                erasures.on_erasure_requested
            ),
        },
        description="Builds progress's part of each data export (check-ins, milestones, "
        "sessions, planned sessions) and announces it ready; erases the texts of a person's "
        "participations and announces it done.",
    )
    return [tracking, reporting, data_requests]
