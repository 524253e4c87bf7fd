"""The one place that wires the progress service."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from mentorship_runtime.auth import TokenVerifier
from mentorship_runtime.consumer import RetryPolicy
from mentorship_runtime.health import health_router, infrastructure_checks
from mentorship_runtime.http_errors import install_error_handlers
from mentorship_runtime.jobs import every
from mentorship_runtime.kafka import ensure_topics, make_broker, platform_topics
from mentorship_runtime.logging import configure_logging
from mentorship_runtime.mongo import Document, make_mongo_client
from mentorship_runtime.outbox import OutboxRelay
from progress.adapters.store import ProgressStore
from progress.config import Settings
from progress.entrypoints import consumers
from progress.entrypoints.http import router
from progress.service_layer.handlers import Context, detect_stalls


@dataclass
class Service:
    settings: Settings
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document]
    store: ProgressStore
    relay: OutboxRelay
    clock: Callable[[], datetime]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def stall_window(self) -> timedelta:
        return timedelta(days=self.settings.stall_window_days)

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(self.store, self.clock, self.stall_window, correlation_id)

    async def start(self) -> None:
        await ensure_topics(
            self.settings.kafka_bootstrap_servers, platform_topics(self.settings.kafka_topic_prefix)
        )
        await self.store.ensure_indexes()
        await self.broker.start()
        if self.settings.runs_worker:
            self.tasks = [
                asyncio.create_task(
                    every(
                        self.settings.detection_seconds,
                        "detect_stalls",
                        lambda: detect_stalls(self.context()),
                    )
                ),
                asyncio.create_task(
                    self.relay.run_sweeper(
                        self.store.outbox_collections, every=self.settings.outbox_sweep_seconds
                    )
                ),
            ]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError):
                await task
        await self.broker.stop()
        await self.mongo.close()


def build_service(settings: Settings, clock: Callable[[], datetime]) -> Service:
    broker = make_broker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        description="Progress: learning paths, check-ins, milestones, sessions, stalls",
    )
    mongo = make_mongo_client(settings.mongodb_url, app_name=settings.service_name)
    relay = OutboxRelay(broker, clock=clock)
    store = ProgressStore(
        mongo[settings.mongodb_database],
        relay,
        clock=clock,
        topic_prefix=settings.kafka_topic_prefix,
    )
    service = Service(settings, broker, mongo, store, relay, clock)
    if settings.runs_worker:
        consumers.subscribe(
            broker,
            service.context,
            topic_prefix=settings.kafka_topic_prefix,
            retry=RetryPolicy(
                max_attempts=settings.consumer_max_attempts,
                base_delay=settings.consumer_retry_base_seconds,
            ),
        )
    return service


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    configure_logging(settings.service_name, settings.log_level)
    service = build_service(settings, clock or (lambda: datetime.now(UTC)))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = FastAPI(
        title="Progress service",
        description="Learning paths, check-ins with confidence, milestones, sessions, stalls.",
        version="1",
        lifespan=lifespan,
        docs_url="/docs" if settings.profile != "prod" else None,
    )
    app.state.service = service
    app.state.verifier = TokenVerifier(settings.token_settings())
    app.state.context = service.context
    install_error_handlers(app)
    app.include_router(health_router(infrastructure_checks(service.mongo, service.broker)))
    if settings.runs_api:
        app.include_router(router)
    return app
