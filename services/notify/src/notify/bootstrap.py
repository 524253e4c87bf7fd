"""The one place that wires the notify service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import APIRouter, FastAPI

from mentorship_runtime.consumer import EventConsumer, retry_policy
from mentorship_runtime.export_parts import ExportPartStore
from mentorship_runtime.jobs import every
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
from notify.service_layer.data_exports import ExportContext, delete_expired_parts
from notify.service_layer.delivery import DeliveryWorker, WorkerConfig
from notify.service_layer.erasures import ErasureContext
from notify.service_layer.handlers import OVERDUE_BATCH, OVERDUE_POLL_SECONDS, Context, plan_overdue
from notify.service_layer.nudges import send_due_nudges
from notify.service_layer.reminders import send_due_reminders
from notify.service_layer.weekly_digests import send_due_weekly_digests

EXPORT_PURGE_SECONDS = 600.0
"""How often the worker deletes the export parts past their day."""


@dataclass
class Service:
    runtime: Runtime
    store: NotifyStore
    deliveries: DeliveryStore
    reminder_delay: timedelta
    parts: ExportPartStore
    personal: NotifyPersonalData
    erasures: ErasureStore
    digest_schedule: Schedule = field(default_factory=Schedule)
    consumer: EventConsumer | None = None

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(
            self.store,
            self.deliveries,
            self.runtime.clock,
            correlation_id,
            self.reminder_delay,
            self.digest_schedule,
        )

    def export_context(self, correlation_id: str | None = None) -> ExportContext:
        return ExportContext(
            self.store, self.parts, self.personal, self.runtime.clock, correlation_id
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
    service = Service(
        runtime,
        store,
        deliveries,
        timedelta(days=settings.rating_reminder_days),
        parts,
        personal,
        erasures,
        schedule,
    )

    async def prepare() -> None:
        await store.ensure_indexes()
        await deliveries.ensure_indexes()
        await NudgeStore(runtime.database).ensure_indexes()
        await WeeklyDigestStore(runtime.database).ensure_indexes()
        await parts.ensure_indexes()
        await personal.ensure_indexes()
        await erasures.ensure_indexes()
        dead_letters = delivery_dead_letter_topic(settings.kafka_topic_prefix)
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            [(dead_letters, 3)],
            security=settings.kafka_security(),
        )

    async def deliver() -> None:
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            worker = DeliveryWorker(
                deliveries,
                store,
                SmtpSender(smtp_settings(settings), clock),
                HttpWebhookSender(client, clock),
                KafkaDeadLetters(runtime.broker, settings.kafka_topic_prefix, clock),
                clock,
                worker_config(settings),
            )
            # a backlog is worked through without pausing between full rounds
            await every(
                settings.delivery_poll_seconds,
                "deliveries",
                worker.run_once,
                again=lambda round_: round_.full,
            )

    async def remind() -> None:
        await every(
            settings.reminder_poll_seconds,
            "rating_reminders",
            lambda: send_due_reminders(service.context()),
        )

    async def nudge() -> None:
        await every(
            settings.reminder_poll_seconds,
            "nudges",
            lambda: send_due_nudges(service.context()),
        )

    async def weekly_digests() -> None:
        await every(
            settings.reminder_poll_seconds,
            "weekly_digests",
            lambda: send_due_weekly_digests(service.context()),
        )

    async def purge_export_parts() -> None:
        await every(
            EXPORT_PURGE_SECONDS,
            "delete_expired_export_parts",
            lambda: delete_expired_parts(service.export_context()),
        )

    async def plan_waited_enough() -> None:
        # events parked for a name that never came are planned with the generic wording
        await every(
            OVERDUE_POLL_SECONDS,
            "overdue_parked_events",
            lambda: plan_overdue(service.context()),
            again=lambda planned: planned >= OVERDUE_BATCH,
        )

    runtime.prepare = prepare
    runtime.outbox_collections = [*store.outbox_collections, parts.collection, erasures.collection]
    runtime.sweep_seconds = settings.outbox_sweep_seconds
    if settings.runs_worker:
        runtime.jobs += [
            deliver,
            remind,
            nudge,
            weekly_digests,
            plan_waited_enough,
            purge_export_parts,
        ]
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
