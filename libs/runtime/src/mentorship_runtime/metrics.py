"""Prometheus metrics, the same names in every service and the gateway.

The process is the unit Prometheus scrapes (its ``job`` and ``instance`` labels say which service
it is), so the metrics carry no service label of their own. Names:

* ``mentorship_http_requests_total`` / ``mentorship_http_request_seconds``: by method, route
  template (never the raw path: ids would explode the series) and status;
* ``mentorship_events_consumed_total``: by consumer group, topic, event type and outcome
  (``handled``, ``skipped``, ``dead_lettered``, ``invalid``);
* ``mentorship_event_handler_seconds``: handler duration, retries included;
* ``mentorship_event_failures_total``: failed handler attempts (``retry``, ``infrastructure``);
* ``mentorship_events_dead_lettered_total``: by group and original topic;
* ``mentorship_events_published_total``: by topic and event type;
* ``mentorship_consumer_lag``: per group, topic and partition, refreshed by the worker;
* ``mentorship_outbox_backlog``: documents with unpublished events, per collection.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HTTP_REQUESTS = Counter(
    "mentorship_http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "mentorship_http_request_seconds",
    "HTTP request duration",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
EVENTS_CONSUMED = Counter(
    "mentorship_events_consumed_total",
    "Events read by a consumer group, by outcome",
    ["group", "topic", "type", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "mentorship_event_handler_seconds",
    "Event handler duration, retries included",
    ["group", "topic", "type"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0),
)
HANDLER_FAILURES = Counter(
    "mentorship_event_failures_total",
    "Failed handler attempts: retried in-process, or left uncommitted for an outage",
    ["group", "topic", "type", "kind"],
)
DEAD_LETTERED = Counter(
    "mentorship_events_dead_lettered_total",
    "Events sent to a dead-letter topic",
    ["group", "topic"],
)
PUBLISHED = Counter(
    "mentorship_events_published_total", "Events published (acknowledged)", ["topic", "type"]
)
CONSUMER_LAG = Gauge(
    "mentorship_consumer_lag",
    "Messages not yet committed by a consumer group",
    ["group", "topic", "partition"],
)
OUTBOX_BACKLOG = Gauge(
    "mentorship_outbox_backlog",
    "Documents holding events not yet published",
    ["collection"],
)
UNROUTED = "unrouted"
"""The ``route`` label of a request that matched no route (a 404), so paths never become labels."""


def metrics_router() -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class HttpMetrics:
    """ASGI middleware counting requests and timing them by route template."""

    def __init__(self, app: ASGIApp, *, skip: frozenset[str] = frozenset({"/metrics"})) -> None:
        self._app = app
        self._skip = skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self._skip:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNROUTED
            method = str(scope.get("method", "GET"))
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - started)
