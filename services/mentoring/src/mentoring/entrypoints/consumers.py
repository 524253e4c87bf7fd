"""The mentoring service's subscriptions: its own audit trail, stored by its workers, and its own
participants' events, after which program admins' languages follow their profiles."""

from __future__ import annotations

from collections.abc import Callable

from faststream.kafka import KafkaBroker

from mentoring.service_layer import audit_trail, governance
from mentoring.service_layer.audit_trail import AuditContext
from mentoring.service_layer.handlers import Context
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context

GROUP = "mentoring"


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], AuditContext],
    core: Callable[[str | None], Context],
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
    follow = with_context(core, governance.on_participant_changed)
    consumer.subscribe(
        topic_name(Topic.MENTORING_PARTICIPANTS, topic_prefix),
        {"mentoring.participant.registered": follow, "mentoring.participant.updated": follow},
        description="Writes a person to, as an admin of their programs, in the language their "
        "participations now give (a registration, or a change of language).",
    )
    return consumer
