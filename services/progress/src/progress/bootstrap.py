"""The one place that wires the progress service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, FastAPI

from mentorship_runtime.consumer import retry_policy
from mentorship_runtime.export_parts import ExportPartStore
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.service_app import Runtime, connect, service_app
from progress.adapters.erasures import ErasureStore
from progress.adapters.personal_data import ProgressPersonalData
from progress.adapters.planned_sessions import PlannedSessionStore
from progress.adapters.report import ReportStore
from progress.adapters.store import ProgressStore
from progress.config import Settings
from progress.entrypoints import (
    consumers,
    data_exports,
    history_http,
    planned_sessions_http,
    report,
)
from progress.entrypoints.http import router
from progress.entrypoints.jobs import jobs
from progress.service_layer.data_exports import ExportContext
from progress.service_layer.erasures import ErasureContext
from progress.service_layer.handlers import Context


@dataclass
class Service:
    runtime: Runtime
    store: ProgressStore
    stall_window: timedelta
    planned: PlannedSessionStore
    parts: ExportPartStore
    personal: ProgressPersonalData
    erasures: ErasureStore
    reports: ReportStore

    @property
    def relay(self) -> OutboxRelay:
        return self.runtime.relay

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(
            store=self.store,
            clock=self.runtime.clock,
            stall_window=self.stall_window,
            planned=self.planned,
            erasures=self.erasures,
            reports=self.reports,
            correlation_id=correlation_id,
        )

    def export_context(self, correlation_id: str | None = None) -> ExportContext:
        return ExportContext(
            self.store,
            self.parts,
            self.personal,
            self.runtime.clock,
            correlation_id,
        )

    def erasure_context(self, correlation_id: str | None = None) -> ErasureContext:
        return ErasureContext(self.store, self.erasures, self.runtime.clock, correlation_id)


def build_service(settings: Settings, clock: Callable[[], datetime]) -> Service:
    runtime = connect(
        settings, clock, "Progress: learning paths, check-ins, milestones, sessions, stalls"
    )
    store = ProgressStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    planned = PlannedSessionStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    parts = ExportPartStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    personal = ProgressPersonalData(runtime.database)
    erasures = ErasureStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    service = Service(
        runtime,
        store,
        timedelta(days=settings.stall_window_days),
        planned,
        parts,
        personal,
        erasures,
        ReportStore(runtime.database),
    )

    async def prepare() -> None:
        await store.prepare()
        await planned.ensure_indexes()
        await service.reports.ensure_indexes()
        await parts.ensure_indexes()
        await personal.ensure_indexes()
        await erasures.ensure_indexes()

    runtime.prepare = prepare
    runtime.outbox_collections = [
        *store.outbox_collections,
        planned.collection,
        parts.collection,
        erasures.collection,
    ]
    runtime.sweep_seconds = settings.outbox_sweep_seconds
    runtime.jobs = jobs(service.context, settings, service.export_context)
    if settings.runs_worker:
        consumers.subscribe(
            runtime.broker,
            service.context,
            service.export_context,
            service.erasure_context,
            topic_prefix=settings.kafka_topic_prefix,
            retry=retry_policy(settings),
            concurrency=settings.consumer_concurrency,
        )
    return service


def _routes() -> APIRouter:
    routes = APIRouter()
    routes.include_router(router)
    routes.include_router(history_http.router)
    routes.include_router(planned_sessions_http.router)
    routes.include_router(report.router)
    routes.include_router(data_exports.router)
    return routes


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    service = build_service(settings, clock or (lambda: datetime.now(UTC)))
    app = service_app(
        service.runtime,
        title="Progress service",
        description="Learning paths, check-ins with confidence, milestones, sessions, stalls.",
        router=_routes(),
        context=service.context,
        service=service,
    )
    app.state.data_exports = service.export_context
    return app
