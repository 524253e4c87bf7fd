"""OpenTelemetry traces that follow a request across HTTP and Kafka.

* HTTP: FastAPI's instrumentation opens a server span per request, continuing the caller's
  ``traceparent`` (the gateway's httpx client sends it).
* Kafka: the W3C trace context travels in the event's headers (``traceparent``, ``tracestate``).
  It is captured when an event enters an outbox, so an event published later by the relay or the
  sweep still belongs to the request that caused it. A consumer continues that context in a
  ``process`` span around its handler; whatever the handler writes to its own outbox follows.
* Export: OTLP over HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or the traces-specific variable) is
  set, nothing otherwise. The standard ``OTEL_*`` variables configure the exporter.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind

from mentorship_contracts import Envelope

TRACE_HEADERS = ("traceparent", "tracestate")
_tracer = trace.get_tracer("mentorship_runtime")


def configure_tracing(service_name: str) -> None:
    """Install a tracer provider for this process, once; export only if an endpoint is set."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return  # already installed (by an earlier app in this process, or by a test)
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    ):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def trace_headers() -> dict[str, str]:
    """The current trace context as Kafka headers (empty outside a span)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {name: value for name, value in carrier.items() if name in TRACE_HEADERS}


def _carrier(headers: Collection[tuple[str, bytes]] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(headers, Mapping):
        return {k: v for k, v in headers.items() if k in TRACE_HEADERS}
    return {k: v.decode("utf-8", "replace") for k, v in headers if k in TRACE_HEADERS}


@contextmanager
def consuming(
    envelope: Envelope[Any],
    headers: Collection[tuple[str, bytes]],
    group: str,
    where: Mapping[str, Any],
) -> Iterator[None]:
    """A consumer span continuing the producer's trace, around one event's handling."""
    parent = propagate.extract(_carrier(headers))
    with _tracer.start_as_current_span(
        f"{where['topic']} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": str(where["topic"]),
            "messaging.consumer.group.name": group,
            "messaging.kafka.offset": int(where["offset"]),
            "messaging.destination.partition.id": str(where["partition"]),
            "messaging.message.id": str(envelope.event_id),
            "mentorship.event.type": envelope.type,
        },
    ):
        yield


@contextmanager
def continuing(carrier: Mapping[str, str], name: str) -> Iterator[None]:
    """A span continuing a trace kept aside (``trace_headers()`` stored with work that waits,
    such as an event parked until someone arrives), so that what the work causes later still
    belongs to the trace that started it. Without a kept trace, a span of the current one."""
    parent = propagate.extract(_carrier(carrier)) if carrier else None
    with _tracer.start_as_current_span(name, context=parent, kind=SpanKind.INTERNAL):
        yield
