"""Notify's subscriptions: everything it hears about, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context
from notify.service_layer import handlers, reminders
from notify.service_layer.handlers import Context
from notify.service_layer.translate import KINDS

GROUP = "notify"


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], Context],
    *,
    topic_prefix: str,
    retry: RetryPolicy,
    concurrency: int = 1,
    group: str = GROUP,
) -> EventConsumer:
    consumer = EventConsumer(
        broker, group_id=group, group_prefix=topic_prefix, retry=retry, concurrency=concurrency
    )

    def route(
        handler: Callable[[Envelope[Any], Context], Awaitable[object]],
    ) -> Callable[[Envelope[Any]], Awaitable[None]]:
        return with_context(context, handler)

    notifying = {cls.event_type: route(handlers.on_occurrence) for cls in KINDS}
    consumer.subscribe(
        topic_name(Topic.MENTORING_PARTICIPANTS, topic_prefix),
        {
            "mentoring.participant.registered": route(handlers.on_participant),
            "mentoring.participant.updated": route(handlers.on_participant),
            "mentoring.participant.withdrawn": route(handlers.on_participant),
        },
        description="Keeps the recipients' directory: names, e-mails, languages, time zones.",
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_PROGRAMS, topic_prefix),
        {"mentoring.program.published": route(handlers.on_program)},
        description="Keeps each program's admins and their contact details.",
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_MATCHES, topic_prefix),
        {t: h for t, h in notifying.items() if t.startswith("mentoring.")},
        description="Tells mentors of proposals and mentees and admins of answers.",
    )
    consumer.subscribe(
        topic_name(Topic.PROGRESS_EVENTS, topic_prefix),
        {
            **{t: h for t, h in notifying.items() if t.startswith("progress.")},
            "progress.session.logged": route(reminders.on_session_logged),
            "progress.session.rated": route(reminders.on_session_rated),
        },
        description=(
            "Alerts mentors when a mentee stalls or loses confidence, admins if it lasts; "
            "reminds each side to rate a session."
        ),
    )
    return consumer
