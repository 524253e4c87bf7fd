"""The one place that wires the mentoring service: settings in, a running app out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI

from mentoring.adapters.audit_log import AuditLog
from mentoring.adapters.data_erasures import DataErasureStore, MentoringErasure
from mentoring.adapters.data_exports import DataExportStore
from mentoring.adapters.personal_data import MentoringPersonalData
from mentoring.adapters.provisioning_store import ProvisioningStore
from mentoring.adapters.repository import MentoringStore
from mentoring.config import AuditIndexSettings, Settings
from mentoring.domain.errors import AlreadyRegistered
from mentoring.entrypoints import (
    audit,
    consumers,
    data_erasures,
    data_exports,
    governance,
    imports,
    provisioning,
    report,
    reviewable_matching,
    upserts,
)
from mentoring.entrypoints.http import already_registered, router
from mentoring.entrypoints.jobs import jobs
from mentoring.service_layer.audit_trail import AuditContext
from mentoring.service_layer.data_erasures import ErasureContext
from mentoring.service_layer.data_exports import ExportContext
from mentoring.service_layer.handlers import Context, withdraw_participant
from mentoring.service_layer.provisioning import Provisioning
from mentoring.service_layer.upserts import upsert_participants
from mentorship_runtime.consumer import retry_policy
from mentorship_runtime.logging import configure_logging, get_logger
from mentorship_runtime.mongo import make_mongo_client
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.service_app import Runtime, connect, service_app


@dataclass
class Service:
    runtime: Runtime
    store: MentoringStore
    provisioning: ProvisioningStore
    exports: DataExportStore
    erasures: DataErasureStore

    @property
    def relay(self) -> OutboxRelay:
        return self.runtime.relay

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.runtime.clock

    def context(self, correlation_id: str | None = None) -> Context:
        store = self.store
        return Context(
            store, store.reports, store.imports, store.roster, self.runtime.clock, correlation_id
        )

    def audit_context(self, correlation_id: str | None = None) -> AuditContext:
        return AuditContext(self.store.audit, self.store)

    def provisioning_context(self, correlation_id: str | None = None) -> Provisioning:
        ctx = self.context(correlation_id)
        return Provisioning(
            self.store,
            self.provisioning,
            self.runtime.clock,
            lambda c: upsert_participants(c, ctx),
            lambda c: withdraw_participant(c, ctx),
            correlation_id,
        )

    def export_context(self, correlation_id: str | None = None) -> ExportContext:
        return ExportContext(
            self.store,
            self.exports,
            MentoringPersonalData(self.runtime.database),
            self.runtime.clock,
            correlation_id,
        )

    def erasure_context(self, correlation_id: str | None = None) -> ErasureContext:
        return ErasureContext(
            self.store,
            self.erasures,
            MentoringErasure(self.runtime.database),
            lambda c: withdraw_participant(c, self.context(correlation_id)),
            self.runtime.clock,
            correlation_id,
        )


def build_service(settings: Settings, clock: Callable[[], datetime]) -> Service:
    runtime = connect(settings, clock, "Mentoring: programs, participants, matches")
    store = MentoringStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    accounts = ProvisioningStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    exports = DataExportStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    erasures = DataErasureStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    service = Service(runtime, store, accounts, exports, erasures)

    async def prepare() -> None:
        await store.ensure_indexes(check_audit_index=settings.audit_log_index == "check")
        await accounts.ensure_indexes()
        await exports.ensure_indexes()
        await erasures.ensure_indexes()

    runtime.prepare = prepare
    runtime.outbox_collections = [
        *store.outbox_collections,
        *accounts.outbox_collections,
        *exports.outbox_collections,
        *erasures.outbox_collections,
    ]
    runtime.sweep_seconds = settings.outbox_sweep_seconds
    runtime.jobs = jobs(service.context, settings, service.export_context)
    if settings.runs_worker:
        consumers.subscribe(
            runtime.broker,
            service.audit_context,
            service.context,
            topic_prefix=settings.kafka_topic_prefix,
            retry=retry_policy(settings),
            concurrency=settings.consumer_concurrency,
        )
        data_exports.subscribe(
            runtime.broker,
            service.export_context,
            topic_prefix=settings.kafka_topic_prefix,
            retry=retry_policy(settings),
            concurrency=settings.consumer_concurrency,
            more=data_erasures.handlers(service.erasure_context),
        )
    return service


async def create_audit_index(settings: AuditIndexSettings) -> None:
    """The audit trail's index, created as the deployment's Job does it (nothing else)."""
    configure_logging("mentoring-audit-index", settings.log_level)
    mongo = make_mongo_client(settings.mongodb_url, app_name="mentoring-audit-index")
    try:
        audit = AuditLog(mongo[settings.mongodb_database])
        await audit.ensure_indexes()
        get_logger("mentoring.audit_log").info(
            "audit_log_index_created", database=settings.mongodb_database
        )
    finally:
        await mongo.close()


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    service = build_service(settings, clock or (lambda: datetime.now(UTC)))
    routes = APIRouter()
    routes.include_router(router)
    routes.include_router(upserts.router)
    routes.include_router(governance.router)
    routes.include_router(reviewable_matching.router)
    routes.include_router(provisioning.router)
    routes.include_router(report.router)
    routes.include_router(data_exports.router)
    routes.include_router(data_erasures.router)
    routes.include_router(audit.router)
    routes.include_router(imports.router)
    app = service_app(
        service.runtime,
        title="Mentoring service",
        description="Programs, participants, explainable matching and the match lifecycle.",
        router=routes,
        context=service.context,
        service=service,
    )
    app.add_exception_handler(AlreadyRegistered, already_registered)
    app.state.provisioning = service.provisioning_context
    app.state.audit = service.audit_context
    app.state.data_exports = service.export_context
    app.state.data_erasures = service.erasure_context
    return app
