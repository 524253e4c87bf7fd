"""The progress service's subscriptions: all it learns from mentoring, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context
from progress.service_layer import handlers, planned_sessions
from progress.service_layer.handlers import Context

GROUP = "progress"


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
        topic_name(Topic.MENTORING_MATCHES, topic_prefix),
        {
            "mentoring.match.accepted": route(handlers.on_match_accepted),
            "mentoring.match.declined": route(handlers.on_match_closed),
            "mentoring.match.ended": route(planned_sessions.on_match_ended),
        },
        description="Starts tracking a mentee when a match is accepted; pauses it when it ends "
        "(and cancels the match's planned sessions still ahead).",
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_PARTICIPANTS, topic_prefix),
        {"mentoring.participant.withdrawn": route(planned_sessions.on_participant_withdrawn)},
        description="Stops tracking a mentee who withdrew from their program (and cancels their "
        "planned sessions still ahead).",
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_PROGRAMS, topic_prefix),
        {"mentoring.program.published": route(handlers.on_program_published)},
        description="Keeps each program's admins, who may see its mentees' progress.",
    )
    return consumer
