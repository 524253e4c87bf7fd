"""The mentoring service's subscriptions: its own audit trail, stored by its workers."""

from __future__ import annotations

from collections.abc import Callable

from faststream.kafka import KafkaBroker

from mentoring.service_layer import audit_trail
from mentoring.service_layer.audit_trail import AuditContext
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context

GROUP = "mentoring"


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], AuditContext],
    *,
    topic_prefix: str,
    retry: RetryPolicy,
    concurrency: int = 1,
) -> EventConsumer:
    consumer = EventConsumer(
        broker, group_id=GROUP, group_prefix=topic_prefix, retry=retry, concurrency=concurrency
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_AUDIT, topic_prefix),
        {"mentoring.admin_action.recorded": with_context(context, audit_trail.on_recorded)},
        description="Stores each administrative action once in the audit trail.",
    )
    return consumer
