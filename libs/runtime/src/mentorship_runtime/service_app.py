"""What every service's ``bootstrap`` shares: connections, start and stop, and the FastAPI app.

A service supplies its store's set-up, its worker jobs and its routes; this module runs them the
same way everywhere: topics ensured, indexes created, the producer connected, jobs (and the
outbox sweep) only in the worker role, routes only in the API role, health endpoints always.

The worker's subscriptions join their consumer groups in the background: the start-up (and so
the HTTP API, ``/healthz`` and ``/readyz``) does not wait for them, since a group may wait for a
dead member's session to time out before it rebalances. ``/readyz`` reports them (``consumers``:
``none``, ``joining``, ``consuming``, or why they failed; a failed start is retried) and waits
for them only in a process that is a worker alone (``ROLE=worker``), whose whole work they are.
Stopping (SIGTERM) makes them leave their groups, static members too; consumers still joining,
and the cancelled tasks that started them, are waited for at most ``STOP_WHILE_JOINING_SECONDS``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from mentorship_runtime.asyncapi import asyncapi_router, declare_publications
from mentorship_runtime.auth import TokenVerifier
from mentorship_runtime.health import health_router, infrastructure_checks
from mentorship_runtime.http_errors import install_error_handlers
from mentorship_runtime.jobs import every
from mentorship_runtime.kafka import (
    consumer_lag,
    ensure_topics,
    leave_groups_on_stop,
    make_broker,
    platform_topics,
    subscribed_groups,
)
from mentorship_runtime.logging import configure_logging, get_logger
from mentorship_runtime.metrics import CONSUMER_LAG, HttpMetrics, metrics_router
from mentorship_runtime.mongo import Document, make_mongo_client
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.settings import ServiceSettings
from mentorship_runtime.storable_input import refuse_unstorable_input
from mentorship_runtime.tracing import configure_tracing

Job = Callable[[], Coroutine[Any, Any, None]]
log = get_logger("runtime")
RESUBSCRIBE_MAX_SECONDS = 30.0
STOP_WHILE_JOINING_SECONDS = 3.0


@dataclass
class Runtime:
    settings: ServiceSettings
    clock: Callable[[], datetime]
    broker: KafkaBroker
    mongo: AsyncMongoClient[Document]
    relay: OutboxRelay
    outbox_collections: Sequence[AsyncCollection[Document]] = ()
    prepare: Callable[[], Awaitable[None]] | None = None
    jobs: list[Job] = field(default_factory=list)
    sweep_seconds: float = 5.0
    lag_seconds: float = 15.0
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    consumers: str = "none"
    """Where the subscriptions are: none, joining, consuming, or ``failed: <error>``."""

    @property
    def database(self) -> Any:
        return self.mongo[self.settings.mongodb_database]

    async def start(self) -> None:
        if self.settings.kafka_create_topics:
            await ensure_topics(
                self.settings.kafka_bootstrap_servers,
                platform_topics(self.settings.kafka_topic_prefix),
                replication_factor=self.settings.kafka_replication_factor,
                security=self.settings.kafka_security(),
            )
        if self.prepare is not None:
            await self.prepare()
        await self.broker.connect()  # the producer: the API and the outbox publish
        if self.broker.subscribers:
            self.consumers = "joining"
            self.tasks.append(asyncio.create_task(self.subscribe()))
        if self.settings.runs_worker:
            sweeper = self.relay.run_sweeper(self.outbox_collections, every=self.sweep_seconds)
            self.tasks += [asyncio.create_task(job()) for job in self.jobs]
            self.tasks.append(asyncio.create_task(sweeper))
            lag = every(self.lag_seconds, "consumer_lag", self.measure_lag)
            self.tasks.append(asyncio.create_task(lag))

    async def subscribe(self) -> None:
        """Start every subscription at once (each joins its consumer group and gets its
        partitions); if one cannot start, stop them all and try again, waiting longer each time
        (up to ``RESUBSCRIBE_MAX_SECONDS``), until they all run."""
        subscribers = list(self.broker.subscribers)
        pause = 1.0
        while True:
            self.consumers = "joining"
            outcomes = await asyncio.gather(
                *(subscriber.start() for subscriber in subscribers), return_exceptions=True
            )
            failed = next((o for o in outcomes if isinstance(o, BaseException)), None)
            if failed is None:
                self.consumers = "consuming"
                log.info("consumers_joined", subscriptions=len(subscribers))
                return
            self.consumers = f"failed: {failed!r}"[:300]
            log.error("consumers_failed", error=repr(failed), retry_in=pause)
            for subscriber in subscribers:
                with suppress(Exception):
                    await subscriber.stop()
            await asyncio.sleep(pause)
            pause = min(pause * 2, RESUBSCRIBE_MAX_SECONDS)

    async def consuming(self) -> str:
        """The readiness check of a process that only consumes: ``ok`` once every
        subscription runs, else where they are."""
        return "ok" if self.consumers in ("consuming", "none") else self.consumers

    async def measure_lag(self) -> None:
        """Refresh ``mentorship_consumer_lag`` for this worker's consumer groups."""
        for group in sorted(subscribed_groups(self.broker)):
            lag = await consumer_lag(
                self.settings.kafka_bootstrap_servers,
                group,
                security=self.settings.kafka_security(),
            )
            for (topic, partition), behind in lag.items():
                CONSUMER_LAG.labels(group, topic, str(partition)).set(behind)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        # a subscription cancelled while its consumers join can keep waiting for the group's
        # rebalance (up to a dead member's session): it is left to the broker's stop below
        if self.tasks:
            done, _ = await asyncio.wait(self.tasks, timeout=STOP_WHILE_JOINING_SECONDS)
            for task in done:
                with suppress(asyncio.CancelledError):
                    await task
        leave_groups_on_stop(self.broker)  # told to stop, it may not come back: free its partitions
        if self.consumers == "joining":
            # a consumer still joining waits for the rebalance before it closes (up to a dead
            # member's session); it has nothing to commit yet, so it is not waited for
            with suppress(TimeoutError):
                await asyncio.wait_for(self.broker.stop(), STOP_WHILE_JOINING_SECONDS)
        else:
            await self.broker.stop()
        await self.mongo.close()


def connect(settings: ServiceSettings, clock: Callable[[], datetime], description: str) -> Runtime:
    # before anything binds a logger: a logger bound earlier keeps structlog's default set-up
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name)
    broker = make_broker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        description=description,
        group_instance_id=settings.kafka_group_instance_id,
        security=settings.kafka_security(),
    )
    mongo = make_mongo_client(settings.mongodb_url, app_name=settings.service_name)
    return Runtime(settings, clock, broker, mongo, OutboxRelay(broker, clock=clock))


def service_app(
    runtime: Runtime,
    *,
    title: str,
    description: str,
    router: APIRouter,
    context: Callable[[str | None], Any],
    service: Any,
) -> FastAPI:
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title,
        description=description,
        version="1",
        lifespan=lifespan,
        docs_url="/docs" if settings.profile != "prod" else None,
        dependencies=[Depends(refuse_unstorable_input)],  # before any route: see its module
    )
    app.state.service = service
    app.state.verifier = TokenVerifier(settings.token_settings())
    app.state.context = context
    install_error_handlers(app)
    checks = infrastructure_checks(runtime.mongo, runtime.broker)
    if settings.role == "worker":  # its consumers are its work; an API serves without them
        checks["consumers"] = runtime.consuming
    app.include_router(health_router(checks, states={"consumers": lambda: runtime.consumers}))
    app.include_router(metrics_router())
    declare_publications(runtime.broker, settings.service_name, prefix=settings.kafka_topic_prefix)
    app.include_router(asyncapi_router(runtime.broker, title=title, description=description))
    app.add_middleware(HttpMetrics)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    if settings.runs_api:
        app.include_router(router)
    return app
