"""Exports of a person's data: the request (the person's own, or an admin's for one
participation), its status, mentoring's part, and the reports of every service's part.

The request is mentoring's own small aggregate, written with its ``PersonalDataExportRequested``
in its outbox. Each service, mentoring included, answers that event with its part, kept by the
service and announced by a ``*ExportPartReady`` event; the export completes when the three are in
(``ports.DataExports.record_part``). Every handler is safe to re-run: a part is kept once under the
export's id, and a report counts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mentoring.domain.data_exports import (
    KIND,
    DataExport,
    DataSubject,
    PartReceipt,
    Scope,
)
from mentoring.domain.errors import Conflict, NotFound
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.data_requests import readable, recorded
from mentoring.service_layer.handlers import new_id, require_admin
from mentoring.service_layer.ports import (
    DataExports,
    ExportPart,
    PeopleAndPrograms,
    PersonalDataSource,
)
from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    AdminAction,
    MentoringExportPartReady,
    PersonalDataExportRequested,
)
from mentorship_contracts.personal_data import KEPT_FOR, part_json
from mentorship_runtime.logging import get_logger
from mentorship_runtime.moments import as_stored
from mentorship_runtime.principal import Principal
from mentorship_runtime.request_keys import KeyReused

log = get_logger("mentoring.data_exports")
PRODUCER = "mentoring"


@dataclass
class ExportContext:
    store: PeopleAndPrograms
    exports: DataExports
    personal: PersonalDataSource
    clock: Callable[[], datetime]
    correlation_id: str | None = None

    def wrap(self, payload: EventPayload) -> Envelope[Any]:
        return new_envelope(
            payload, producer=PRODUCER, correlation_id=self.correlation_id, clock=self.clock
        )


async def _subject(ctx: ExportContext, actor: Principal, participant_id: str | None) -> DataSubject:
    if participant_id is not None:
        participant = await ctx.store.participant(participant_id)
        program = await ctx.store.program(participant.program_id)
        require_admin(program, actor)
        return DataSubject(
            participant.user_id, (participant.id,), (program.id,), Scope.PARTICIPATION
        )
    ids = await ctx.store.participant_ids_of_user(actor.user_id)
    participants = await ctx.store.participants_by_ids(sorted(ids))
    programs = sorted({p.program_id for p in participants})
    return DataSubject(
        actor.user_id, tuple(p.id for p in participants), tuple(programs), Scope.PERSON
    )


async def request_export(c: cmd.RequestDataExport, ctx: ExportContext) -> DataExport:
    """Record a request for a copy of the data of ``participant_id`` (an admin of their program)
    or of the caller (everything about their account), and announce it to every service."""
    actor, idempotency_key = c.actor, c.idempotency_key
    subject = await _subject(ctx, actor, c.participant_id)
    export = DataExport(
        id=new_id("dx", idempotency_key, actor.user_id),
        subject=subject,
        requested_by=actor.user_id,
        requested_at=as_stored(ctx.clock()),
    )
    event = ctx.wrap(
        PersonalDataExportRequested(
            export_id=export.id,
            subject_user_id=subject.user_id,
            participant_ids=list(subject.participant_ids),
            program_ids=list(subject.program_ids),
            scope=subject.scope.value,
            requested_by=export.requested_by,
            requested_at=export.requested_at,
        )
    )
    records = recorded(
        ctx.wrap,
        subject,
        action=AdminAction.DATA_EXPORTED,
        kind="data_export",
        request_id=export.id,
        requested_by=export.requested_by,
    )
    earlier = await ctx.exports.add(export, [event, *records])
    if earlier is None:
        log.info("data_export_requested", export_id=export.id, scope=subject.scope.value)
        return export
    if idempotency_key is None:  # a random id is never taken
        raise Conflict(f"data export {export.id!r} exists already")
    if earlier.subject != subject:  # the key and the caller make the id: the subject differs
        raise KeyReused(idempotency_key, export.id)
    return earlier


async def export_of(ctx: ExportContext, actor: Principal, export_id: str) -> DataExport:
    """The export, for the person and the admins of every program it covers; NotFound for
    anyone else, as for an id that names nothing."""
    export = await ctx.exports.find(export_id)
    if export is None or not await readable(
        ctx.store, actor, export.subject.user_id, export.subject.program_ids
    ):
        raise NotFound(KIND, export_id)
    return export


async def part_of(ctx: ExportContext, actor: Principal, export_id: str) -> str:
    """Mentoring's part of the export as JSON text, to those who may read the export, until it
    expires."""
    part = await ctx.exports.part(export_id)
    if part is None or as_stored(ctx.clock()) >= part.expires_at:
        raise NotFound("data export part", export_id)
    if not await readable(ctx.store, actor, part.subject_user_id, part.program_ids):
        raise NotFound("data export part", export_id)
    return part.content


async def on_export_requested(event: Envelope[Any], ctx: ExportContext) -> None:
    """Build mentoring's part from its own records and keep it with its announcement."""
    data: PersonalDataExportRequested = event.data
    subject = DataSubject(
        data.subject_user_id,
        tuple(data.participant_ids),
        tuple(data.program_ids),
        Scope(data.scope),
    )
    made_at = as_stored(ctx.clock())
    content, counts = part_json(
        service=PRODUCER,
        export_id=data.export_id,
        made_at=made_at,
        subject={
            "user_id": subject.user_id,
            "scope": subject.scope.value,
            "participant_ids": subject.participant_ids,
            "program_ids": subject.program_ids,
        },
        sections={s.name: s.records for s in await ctx.personal.sections(subject)},
    )
    expires_at = data.requested_at + KEPT_FOR
    ready = new_envelope(
        MentoringExportPartReady(
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
        subject_user_id=subject.user_id,
        program_ids=subject.program_ids,
        content=content,
        counts=counts,
        made_at=made_at,
        expires_at=expires_at,
    )
    kept = await ctx.exports.add_part(part, [ready])
    log.info(
        "data_export_part_built",
        export_id=data.export_id,
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        kept=kept,
    )


async def on_part_ready(event: Envelope[Any], ctx: ExportContext) -> None:
    """Count a service's part in (once); the export completes with the last of the three."""
    data = event.data
    found = await ctx.exports.record_part(
        data.export_id, PartReceipt(data.service, dict(data.counts), data.ready_at)
    )
    log.info(
        "data_export_part_ready",
        export_id=data.export_id,
        service=data.service,
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        known=found is not None,
        complete=found is not None and found.completed_at is not None,
    )


async def delete_expired_parts(ctx: ExportContext) -> int:
    """Delete mentoring's parts past their day: how many."""
    return await ctx.exports.delete_expired_parts(ctx.clock())
