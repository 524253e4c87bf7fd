"""Progress's part of a person's data export: built from its own records when mentoring
announces the request, kept (``ports.ExportParts``) and announced ready with
counts only; read by the gateway for the archive. Re-running the handler keeps the first part
and announces nothing again (its announcement waits in the part's outbox until published)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import PersonalDataExportRequested, ProgressExportPartReady
from mentorship_contracts.personal_data import KEPT_FOR, may_read, part_json
from mentorship_runtime.export_part import ExportPart
from mentorship_runtime.logging import get_logger
from mentorship_runtime.moments import as_stored
from mentorship_runtime.principal import Principal
from progress.domain.errors import NotFound
from progress.service_layer.ports import Clock, ExportParts, PersonalData, Programs

log = get_logger("progress.data_exports")
PRODUCER = "progress"


@dataclass
class ExportContext:
    store: Programs
    parts: ExportParts
    personal: PersonalData
    clock: Clock
    correlation_id: str | None = None


async def on_export_requested(event: Envelope[Any], ctx: ExportContext) -> None:
    data: PersonalDataExportRequested = event.data
    made_at = as_stored(ctx.clock())
    content, counts = part_json(
        service=PRODUCER,
        export_id=data.export_id,
        made_at=made_at,
        subject={
            "user_id": data.subject_user_id,
            "scope": data.scope,
            "participant_ids": data.participant_ids,
            "program_ids": data.program_ids,
        },
        sections=(await ctx.personal.of_participants(tuple(data.participant_ids))).sections(),
    )
    expires_at = data.requested_at + KEPT_FOR
    ready = new_envelope(
        ProgressExportPartReady(
            export_id=data.export_id,
            service=PRODUCER,
            counts=counts,
            ready_at=made_at,
            expires_at=expires_at,
        ),
        producer=PRODUCER,
        cause=event,
        clock=ctx.clock,
    )
    part = ExportPart(
        export_id=data.export_id,
        subject_user_id=data.subject_user_id,
        program_ids=tuple(data.program_ids),
        content=content,
        counts=counts,
        made_at=made_at,
        expires_at=expires_at,
    )
    kept = await ctx.parts.add(part, [ready])
    log.info(
        "data_export_part_built",
        export_id=data.export_id,
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        kept=kept,
    )


async def part_of(ctx: ExportContext, actor: Principal, export_id: str) -> str:
    """The part as JSON text, for the person and the admins of every program it covers, until
    it expires; NotFound otherwise (as for an id that names nothing)."""
    part = await ctx.parts.get(export_id)
    if part is None or as_stored(ctx.clock()) >= part.expires_at:
        raise NotFound("data export part", export_id)
    program_ids = list(part.program_ids)
    admins = await ctx.store.admins_of(program_ids) if actor.is_admin and program_ids else {}
    if not may_read(
        user_id=actor.user_id,
        is_admin=actor.is_admin,
        subject_user_id=part.subject_user_id,
        program_ids=program_ids,
        administered={p for p, ids in admins.items() if actor.user_id in ids},
    ):
        raise NotFound("data export part", export_id)
    return part.content


async def delete_expired_parts(ctx: ExportContext) -> int:
    return await ctx.parts.delete_expired(ctx.clock())
