"""The one place that wires the notify service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import APIRouter, FastAPI

from mentorship_runtime.consumer import EventConsumer, retry_policy
from mentorship_runtime.export_parts import ExportPartStore
from mentorship_runtime.kafka import ensure_topics
from mentorship_runtime.service_app import Runtime, connect, service_app
from notify.adapters.dead_letters import KafkaDeadLetters, delivery_dead_letter_topic
from notify.adapters.deliveries import DeliveryStore
from notify.adapters.erasures import ErasureStore
from notify.adapters.nudges import NudgeStore
from notify.adapters.personal_data import NotifyPersonalData
from notify.adapters.senders import HttpWebhookSender, SmtpSender, SmtpSettings
from notify.adapters.store import NotifyStore
from notify.adapters.weekly_digests import WeeklyDigestStore
from notify.config import Settings
from notify.domain.delivery import RetryPolicy
from notify.domain.weekly_digest import Schedule
from notify.entrypoints import consumers, data_exports
from notify.entrypoints.http import router
from notify.entrypoints.jobs import jobs
from notify.service_layer.context import Context
from notify.service_layer.data_exports import ExportContext
from notify.service_layer.delivery import DeliveryWorker, WorkerConfig
from notify.service_layer.erasures import ErasureContext


@dataclass
class Service:
    runtime: Runtime
    store: NotifyStore
    deliveries: DeliveryStore
    nudges: NudgeStore
    digests: WeeklyDigestStore
    reminder_delay: timedelta
    parts: ExportPartStore
    personal: NotifyPersonalData
    erasures: ErasureStore
    digest_schedule: Schedule = field(default_factory=Schedule)
    consumer: EventConsumer | None = None

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(
            store=self.store,
            deliveries=self.deliveries,
            ratings=self.deliveries,
            nudges=self.nudges,
            digests=self.digests,
            clock=self.runtime.clock,
            correlation_id=correlation_id,
            reminder_delay=self.reminder_delay,
            digest_schedule=self.digest_schedule,
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
        return ErasureContext(self.erasures, self.runtime.clock, correlation_id)


def smtp_settings(settings: Settings) -> SmtpSettings:
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        tls=settings.smtp_tls,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        sender=settings.smtp_from,
        timeout=settings.smtp_timeout_seconds,
    )


def worker_config(settings: Settings) -> WorkerConfig:
    base = settings.delivery_retry_base_seconds
    cap = max(settings.delivery_retry_cap_seconds, base)
    return WorkerConfig(
        concurrency=settings.delivery_concurrency,
        batch=settings.delivery_batch,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        policy=RetryPolicy(
            base=timedelta(seconds=base),
            cap=timedelta(seconds=cap),
            max_attempts=settings.delivery_max_attempts,
        ),
    )


def build_service(settings: Settings, clock: Callable[[], datetime]) -> Service:
    runtime = connect(settings, clock, "Notify: alerts for mentors, mentees and admins")
    store = NotifyStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    deliveries = DeliveryStore(runtime.database)
    parts = ExportPartStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    personal = NotifyPersonalData(runtime.database)
    erasures = ErasureStore(
        runtime.database, runtime.relay, clock=clock, topic_prefix=settings.kafka_topic_prefix
    )
    schedule = Schedule.parse(settings.weekly_digest_weekday, settings.weekly_digest_time)
    nudges = NudgeStore(runtime.database)
    digests = WeeklyDigestStore(runtime.database)
    service = Service(
        runtime,
        store,
        deliveries,
        nudges,
        digests,
        timedelta(days=settings.rating_reminder_days),
        parts,
        personal,
        erasures,
        schedule,
    )

    async def prepare() -> None:
        await store.ensure_indexes()
        await deliveries.ensure_indexes()
        await nudges.ensure_indexes()
        await digests.ensure_indexes()
        await parts.ensure_indexes()
        await personal.ensure_indexes()
        await erasures.ensure_indexes()
        dead_letters = delivery_dead_letter_topic(settings.kafka_topic_prefix)
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            [(dead_letters, 3)],
            security=settings.kafka_security(),
        )

    @asynccontextmanager
    async def delivery_worker() -> AsyncIterator[DeliveryWorker]:
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            yield DeliveryWorker(
                deliveries,
                store,
                SmtpSender(smtp_settings(settings), clock),
                HttpWebhookSender(client, clock),
                KafkaDeadLetters(runtime.broker, settings.kafka_topic_prefix, clock),
                clock,
                worker_config(settings),
            )

    runtime.prepare = prepare
    runtime.outbox_collections = [*store.outbox_collections, parts.collection, erasures.collection]
    runtime.sweep_seconds = settings.outbox_sweep_seconds
    if settings.runs_worker:
        runtime.jobs += jobs(
            service.context,
            settings,
            export_context=service.export_context,
            delivery_worker=delivery_worker,
        )
        service.consumer = consumers.subscribe(
            runtime.broker,
            service.context,
            topic_prefix=settings.kafka_topic_prefix,
            retry=retry_policy(settings),
            concurrency=settings.consumer_concurrency,
            batch_size=settings.consumer_batch_size,
            group=settings.consumer_group,
        )
        data_exports.subscribe(
            runtime.broker,
            service.export_context,
            service.erasure_context,
            topic_prefix=settings.kafka_topic_prefix,
            retry=retry_policy(settings),
            concurrency=settings.consumer_concurrency,
        )
    return service


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    service = build_service(settings, clock or (lambda: datetime.now(UTC)))
    routes = APIRouter()
    routes.include_router(router)
    routes.include_router(data_exports.router)
    app = service_app(
        service.runtime,
        title="Notify service",
        description="Alerts for mentors, mentees and program admins, with their inbox.",
        router=routes,
        context=service.context,
        service=service,
    )
    app.state.data_exports = service.export_context
    return app
