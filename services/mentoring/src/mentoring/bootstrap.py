"""The one place that wires the mentoring service: settings in, a running app out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from mentoring.adapters.repository import MentoringStore
from mentoring.config import Settings
from mentoring.entrypoints.http import router
from mentoring.entrypoints.worker import Worker
from mentoring.service_layer.handlers import Context
from mentorship_runtime.auth import TokenVerifier
from mentorship_runtime.health import health_router, infrastructure_checks
from mentorship_runtime.http_errors import install_error_handlers
from mentorship_runtime.kafka import ensure_topics, make_broker, platform_topics
from mentorship_runtime.logging import configure_logging
from mentorship_runtime.mongo import Document, make_mongo_client
from mentorship_runtime.outbox import OutboxRelay


@dataclass
class Service:
    settings: Settings
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document]
    store: MentoringStore
    relay: OutboxRelay
    clock: Callable[[], datetime]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(self.store, self.clock, correlation_id)

    async def start(self) -> None:
        await ensure_topics(
            self.settings.kafka_bootstrap_servers, platform_topics(self.settings.kafka_topic_prefix)
        )
        await self.broker.start()
        await self.store.ensure_indexes()
        if self.settings.runs_worker:
            worker = Worker(self, self.settings)
            self.tasks = [asyncio.create_task(job) for job in worker.jobs()]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError):
                await task
        await self.broker.stop()
        await self.mongo.close()


def build_service(
    settings: Settings, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Service:
    broker = make_broker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        description="Mentoring: programs, participants, matches",
    )
    mongo = make_mongo_client(settings.mongodb_url, app_name=settings.service_name)
    relay = OutboxRelay(broker, clock=clock)
    store = MentoringStore(
        mongo[settings.mongodb_database],
        relay,
        clock=clock,
        topic_prefix=settings.kafka_topic_prefix,
    )
    return Service(settings, broker, mongo, store, relay, clock)


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
        title="Mentoring service",
        description="Programs, participants, explainable matching and the match lifecycle.",
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
