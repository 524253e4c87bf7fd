"""Notify's part of data requests: the subscription that builds its part of an export and erases
a person's data, the route that reads an export part."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from faststream.kafka import KafkaBroker

from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context
from notify.entrypoints.http import Caller
from notify.service_layer import data_exports, erasures
from notify.service_layer.data_exports import ExportContext
from notify.service_layer.erasures import ErasureContext

GROUP = "notify-data-exports"
router = APIRouter()


def _context(request: Request) -> ExportContext:
    factory: Callable[[str | None], ExportContext] = request.app.state.data_exports
    return factory(request.headers.get("x-correlation-id"))


@router.get("/data-exports/{export_id}/part")
async def export_part(
    export_id: Annotated[str, Path(min_length=1, max_length=64)],
    caller: Caller,
    ctx: Annotated[ExportContext, Depends(_context)],
) -> Response:
    """Notify's part of the export (``mentorship_contracts.personal_data``), as JSON."""
    content = await data_exports.part_of(ctx, caller, export_id)
    return Response(content.encode(), media_type="application/json")


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], ExportContext],
    erasure_context: Callable[[str | None], ErasureContext],
    *,
    topic_prefix: str,
    retry: RetryPolicy,
    concurrency: int = 1,
) -> EventConsumer:
    consumer = EventConsumer(
        broker, group_id=GROUP, group_prefix=topic_prefix, retry=retry, concurrency=concurrency
    )
    consumer.subscribe(
        topic_name(Topic.MENTORING_DATA_REQUESTS, topic_prefix),
        {
            "mentoring.personal_data.export_requested": with_context(
                context, data_exports.on_export_requested
            ),
            "mentoring.personal_data.erasure_requested": with_context(
                erasure_context, erasures.on_erasure_requested
            ),
        },
        description="Builds notify's part of each data export (notifications, deliveries, "
        "preferences, contact data) and announces it ready; erases a person's contact data, "
        "notifications and preferences and their name from others' notifications, and "
        "announces it done.",
    )
    return consumer
