"""Exports of a person's data: the internal HTTP routes (request, status, mentoring's part) and
the subscriptions that build mentoring's part and count every service's part in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.responses import Response
from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from mentoring.domain.data_exports import DataExport, Scope
from mentoring.entrypoints.http import Caller
from mentoring.entrypoints.schemas import Id, Strict
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import data_exports
from mentoring.service_layer.data_exports import ExportContext
from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic, topic_name
from mentorship_runtime.consumer import EventConsumer, RetryPolicy, with_context
from mentorship_runtime.idempotency import IdempotencyKey

GROUP = "mentoring-data-exports"
ExportId = Annotated[str, Path(min_length=1, max_length=64)]
router = APIRouter()


def _context(request: Request) -> ExportContext:
    factory: Callable[[str | None], ExportContext] = request.app.state.data_exports
    return factory(request.headers.get("x-correlation-id"))


Ctx = Annotated[ExportContext, Depends(_context)]


class ExportIn(Strict):
    participant_id: Id | None = None


class PartOut(BaseModel):
    service: str
    counts: dict[str, int]
    ready_at: datetime


class ExportOut(BaseModel):
    id: str
    status: str
    scope: str
    subject_user_id: str
    participant_id: str | None
    participant_ids: list[str]
    program_ids: list[str]
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None
    expires_at: datetime
    parts: list[PartOut]

    @classmethod
    def of(cls, export: DataExport, now: datetime) -> ExportOut:
        subject = export.subject
        return cls(
            id=export.id,
            status=export.status(now).value,
            scope=subject.scope.value,
            subject_user_id=subject.user_id,
            participant_id=(
                subject.participant_ids[0] if subject.scope is Scope.PARTICIPATION else None
            ),
            participant_ids=list(subject.participant_ids),
            program_ids=list(subject.program_ids),
            requested_by=export.requested_by,
            requested_at=export.requested_at,
            completed_at=export.completed_at,
            expires_at=export.expires_at,
            parts=[
                PartOut(service=p.service, counts=dict(p.counts), ready_at=p.ready_at)
                for p in sorted(export.parts.values(), key=lambda p: p.service)
            ],
        )


@router.post("/data-exports", status_code=status.HTTP_201_CREATED)
async def request_export(
    body: ExportIn, caller: Caller, ctx: Ctx, idempotency_key: IdempotencyKey
) -> ExportOut:
    """Ask for a copy of a person's data: the caller's own (no ``participant_id``: every
    participation of their account), or one participation's (an admin of its program)."""
    export = await data_exports.request_export(
        cmd.RequestDataExport(caller, body.participant_id, idempotency_key), ctx
    )
    return ExportOut.of(export, ctx.clock())


@router.get("/data-exports/{export_id}")
async def export_status(export_id: ExportId, caller: Caller, ctx: Ctx) -> ExportOut:
    """An export's status and the parts in, for the person and their program's admins."""
    return ExportOut.of(await data_exports.export_of(ctx, caller, export_id), ctx.clock())


@router.get("/data-exports/{export_id}/part")
async def export_part(export_id: ExportId, caller: Caller, ctx: Ctx) -> Response:
    """Mentoring's part of the export (``mentorship_contracts.personal_data``), as JSON."""
    content = await data_exports.part_of(ctx, caller, export_id)
    return Response(content.encode(), media_type="application/json")


def subscribe(
    broker: KafkaBroker,
    context: Callable[[str | None], ExportContext],
    *,
    topic_prefix: str,
    retry: RetryPolicy,
    concurrency: int = 1,
    more: Mapping[Topic, Mapping[str, Callable[[Envelope[Any]], Awaitable[None]]]] | None = None,
) -> EventConsumer:
    """The data requests' consumer group: exports' handlers, and ``more`` (erasures') on the
    same topics."""
    more = more or {}
    consumer = EventConsumer(
        broker, group_id=GROUP, group_prefix=topic_prefix, retry=retry, concurrency=concurrency
    )

    def route(
        handler: Callable[[Envelope[Any], ExportContext], Awaitable[object]],
    ) -> Callable[[Envelope[Any]], Awaitable[None]]:
        return with_context(context, handler)

    consumer.subscribe(
        topic_name(Topic.MENTORING_DATA_REQUESTS, topic_prefix),
        {
            "mentoring.personal_data.export_requested": route(data_exports.on_export_requested),
            "mentoring.personal_data.export_part_ready": route(data_exports.on_part_ready),
            **more.get(Topic.MENTORING_DATA_REQUESTS, {}),
        },
        description="Builds mentoring's part of each data export and erases mentoring's records "
        "of a person asked to be erased, and counts each in.",
    )
    consumer.subscribe(
        topic_name(Topic.PROGRESS_DATA_REQUESTS, topic_prefix),
        {
            "progress.personal_data.export_part_ready": route(data_exports.on_part_ready),
            **more.get(Topic.PROGRESS_DATA_REQUESTS, {}),
        },
        description="Counts progress's part of a data export, or its erasure, in.",
    )
    consumer.subscribe(
        topic_name(Topic.NOTIFY_DATA_REQUESTS, topic_prefix),
        {
            "notify.personal_data.export_part_ready": route(data_exports.on_part_ready),
            **more.get(Topic.NOTIFY_DATA_REQUESTS, {}),
        },
        description="Counts notify's part of a data export, or its erasure, in; the last of "
        "the three completes the export or the erasure.",
    )
    return consumer
