"""Notify's subscriptions: everything it hears about, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from faststream.kafka import KafkaBroker

from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.batched import Batched
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context
from notify.service_layer import handlers, nudges, reminders, weekly_digests
from notify.service_layer.context import Context
from notify.service_layer.translate import KINDS

GROUP = "notify"


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], Context],
    *,
    topic_prefix: str,
    retry: RetryPolicy,
    concurrency: int = 1,
    batch_size: int = 1,
    group: str = GROUP,
) -> EventConsumer:
    """``batch_size`` above 1: mentoring's and progress's events are read that many per poll and
    their notifications written together (``handlers.on_occurrences``); the directory's
    subscriptions stay one event at a time, with ``concurrency``."""
    consumer = EventConsumer(
        broker, group_id=group, group_prefix=topic_prefix, retry=retry, concurrency=concurrency
    )

    def route(
        handler: Callable[[Envelope[Any], Context], Awaitable[object]],
    ) -> Callable[[Envelope[Any]], Awaitable[None]]:
        return with_context(context, _then_nudges(handler))

    async def occurrences(items: Sequence[Batched]) -> None:
        # each announcement takes its correlation id from the event that caused it
        ctx = context(None)
        await handlers.on_occurrences(items, ctx)
        for item in items:
            await nudges.on_event(item.event, ctx)
            await weekly_digests.on_event(item.event, ctx)

    notifying = {cls.event_type: route(handlers.on_occurrence) for cls in KINDS}
    batched = {cls.event_type: occurrences for cls in KINDS}
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
        batch={t: h for t, h in batched.items() if t.startswith("mentoring.")},
        batch_size=batch_size,
    )
    consumer.subscribe(
        topic_name(Topic.PROGRESS_EVENTS, topic_prefix),
        {
            **{t: h for t, h in notifying.items() if t.startswith("progress.")},
            "progress.session.logged": route(reminders.on_session_logged),
            "progress.session.rated": route(reminders.on_session_rated),
            "progress.check_in.recorded": with_context(context, nudges.on_event),
        },
        description=(
            "Alerts mentors when a mentee stalls or loses confidence, admins if it lasts; "
            "reminds each side to rate a session and to confirm a planned session once over, "
            "and a mentee who has not checked in lately."
        ),
        batch={t: h for t, h in batched.items() if t.startswith("progress.")},
        batch_size=batch_size,
    )
    return consumer


def _then_nudges(
    handler: Callable[[Envelope[Any], Context], Awaitable[object]],
) -> Callable[[Envelope[Any], Context], Awaitable[None]]:
    """The handler, then the reminders the event schedules, moves or cancels (none for most)
    and the change it records for a mentor's weekly digest: a failure of any retries all, and
    each is idempotent."""

    async def handle(event: Envelope[Any], ctx: Context) -> None:
        await handler(event, ctx)
        await nudges.on_event(event, ctx)
        await weekly_digests.on_event(event, ctx)

    return handle
