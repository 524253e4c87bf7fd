"""The one place that wires the notify service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI

from mentorship_runtime.consumer import retry_policy
from mentorship_runtime.service_app import Runtime, connect, service_app
from notify.adapters.store import NotifyStore
from notify.config import Settings
from notify.entrypoints import consumers
from notify.entrypoints.http import router
from notify.service_layer.handlers import Context


@dataclass
class Service:
    runtime: Runtime
    store: NotifyStore

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(self.store, self.runtime.clock, correlation_id)


def build_service(settings: Settings, clock: Callable[[], datetime]) -> Service:
    runtime = connect(settings, clock, "Notify: alerts for mentors, mentees and admins")
    store = NotifyStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    runtime.prepare = store.ensure_indexes
    runtime.outbox_collections = store.outbox_collections
    runtime.sweep_seconds = settings.outbox_sweep_seconds
    service = Service(runtime, store)
    if settings.runs_worker:
        consumers.subscribe(
            runtime.broker,
            service.context,
            topic_prefix=settings.kafka_topic_prefix,
            retry=retry_policy(settings),
        )
    return service


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    service = build_service(settings, clock or (lambda: datetime.now(UTC)))
    return service_app(
        service.runtime,
        title="Notify service",
        description="Alerts for mentors, mentees and program admins, with their inbox.",
        router=router,
        context=service.context,
        service=service,
    )
