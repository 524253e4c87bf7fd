"""Metrics and trace propagation: counted by outcome, labelled by route, traced across Kafka."""

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import CheckInRecorded
from mentorship_runtime.consumer import EventConsumer, ParkedRecords, PermanentError, RetryPolicy
from mentorship_runtime.metrics import HttpMetrics, metrics_router
from mentorship_runtime.outbox import outbox_entries
from mentorship_runtime.tracing import configure_tracing

from .test_event_consumer import RecordingBroker, Sleeps

CHECK_IN = "progress.check_in.recorded"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    configure_tracing("runtime-tests")
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def event() -> Envelope[CheckInRecorded]:
    return new_envelope(
        CheckInRecorded(
            mentee_id="e-obs",
            program_id="p-1",
            check_in_id="c-obs",
            module_id="purpose",
            confidence=4,
            assessed_by="mentee",
        ),
        producer="progress",
    )


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def consumer(group: str, attempts: int = 3) -> tuple[EventConsumer, RecordingBroker]:
    broker = RecordingBroker()
    retry = RetryPolicy(max_attempts=attempts, sleep=Sleeps())
    parked = ParkedRecords()  # no topics to look in
    consumer = EventConsumer(broker, group_id=group, retry=retry, parked=parked)  # type: ignore[arg-type]
    return consumer, broker


OFFSETS = itertools.count()


async def process(c: EventConsumer, body: bytes, handler: Any, headers: Any = ()) -> str:
    """Handle ``body`` as the next record of a partition (a record read again is not handled)."""
    outcome = await c.process(
        body,
        headers=list(headers),
        topic="progress.events",
        partition=0,
        offset=next(OFFSETS),
        key=b"e-obs",
        handlers={CHECK_IN: handler},
    )
    return outcome.status


async def test_consumed_events_are_counted_by_outcome_with_failures_and_dead_letters() -> None:
    c, _ = consumer("obs-group")

    async def ok(_: Envelope[Any]) -> None:
        return None

    async def broken(_: Envelope[Any]) -> None:
        raise PermanentError("cannot")

    flaky_calls = 0

    async def flaky(_: Envelope[Any]) -> None:
        nonlocal flaky_calls
        flaky_calls += 1
        if flaky_calls == 1:
            raise RuntimeError("the first attempt fails")

    labels = {"group": "obs-group", "topic": "progress.events", "type": CHECK_IN}
    body = event().to_bytes()
    assert await process(c, body, ok) == "handled"
    assert await process(c, body, flaky) == "handled"
    assert await process(c, body, broken) == "dead_lettered"
    assert await process(c, b"{not json", ok) == "dead_lettered"
    unknown = body.replace(CHECK_IN.encode(), b"progress.unheard_of")
    assert await process(c, unknown, ok) == "skipped"

    consumed = "mentorship_events_consumed_total"
    assert sample(consumed, **labels, outcome="handled") == 2
    assert sample(consumed, **labels, outcome="dead_lettered") == 1
    assert sample(consumed, **{**labels, "type": "", "outcome": "invalid"}) == 1
    # an unknown type is one series, whatever the sender wrote: labels never take raw input
    assert sample(consumed, **{**labels, "type": "unknown", "outcome": "skipped"}) == 1
    assert sample("mentorship_event_failures_total", **labels, kind="retry") == 1
    assert (
        sample("mentorship_events_dead_lettered_total", group="obs-group", topic="progress.events")
        == 2
    )
    assert sample("mentorship_event_handler_seconds_count", **labels) == 3


async def test_http_requests_are_labelled_by_route_template_and_exposed() -> None:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    app.include_router(metrics_router())
    app.add_middleware(HttpMetrics)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://obs") as http:
        for item_id in ("a", "b", "c"):
            assert (await http.get(f"/items/{item_id}")).status_code == 200
        assert (await http.get("/nowhere/x1")).status_code == 404
        exposed = (await http.get("/metrics")).text

    route = {"method": "GET", "route": "/items/{item_id}"}
    assert sample("mentorship_http_requests_total", **route, status="200") == 3
    assert sample("mentorship_http_request_seconds_count", **route) == 3
    assert sample("mentorship_http_requests_total", method="GET", route="unrouted", status="404")
    assert 'route="/items/{item_id}"' in exposed
    assert "/nowhere/x1" not in exposed


async def test_trace_context_rides_in_the_outbox_and_the_consumer_continues_it(
    spans: InMemorySpanExporter,
) -> None:
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("request") as request_span:
        (entry,) = outbox_entries([event()])
    trace_id = request_span.get_span_context().trace_id
    assert f"{trace_id:032x}" in entry["headers"]["traceparent"]

    seen: list[int] = []

    async def handler(_: Envelope[Any]) -> None:
        seen.append(trace.get_current_span().get_span_context().trace_id)

    c, _ = consumer("obs-trace")
    headers = [(k, v.encode()) for k, v in entry["headers"].items()]
    assert await process(c, entry["body"].encode(), handler, headers) == "handled"

    assert seen == [trace_id]
    (process_span,) = [s for s in spans.get_finished_spans() if s.name == "progress.events process"]
    assert process_span.context is not None
    assert process_span.context.trace_id == trace_id
    assert process_span.parent is not None
    assert process_span.parent.span_id == request_span.get_span_context().span_id
    assert process_span.attributes is not None
    assert process_span.attributes["mentorship.event.type"] == CHECK_IN
