"""The audit trail stored and read: the worker consumes ``mentoring.audit`` and stores each record
once (``on_recorded``, keyed by the event id) in an insert-only trail; a program's admins read it
newest first (``audit_log``). The records themselves are built by ``audit``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from mentoring.domain.errors import Invalid
from mentoring.service_layer.handlers import require_admin
from mentoring.service_layer.ports import AuditPage, AuditRecord, AuditTrail, ProgramsReader
from mentorship_contracts import Envelope
from mentorship_contracts.events import AdminActionRecorded
from mentorship_runtime.pagination import decode_cursor
from mentorship_runtime.principal import Principal

RECORD_ID = re.compile(r"^[0-9a-f-]{32,36}$")
"""An event id, as a cursor's second half must be."""


@dataclass(frozen=True)
class AuditContext:
    trail: AuditTrail
    programs: ProgramsReader


async def on_recorded(event: Envelope[AdminActionRecorded], ctx: AuditContext) -> None:
    """Store a record once, under its event id (a redelivery or a second worker stores none)."""
    data = event.data
    await ctx.trail.add(
        AuditRecord(
            id=str(event.event_id),
            program_id=data.program_id,
            at=event.occurred_at,
            actor_id=data.actor_id,
            action=data.action.value,
            object_kind=data.object_kind,
            object_id=data.object_id,
            before=data.before,
            after=data.after,
        )
    )


def _position(after: str) -> tuple[datetime, str]:
    moment, identifier = decode_cursor(after)
    if moment.tzinfo is None or not RECORD_ID.match(identifier):
        raise Invalid("after", "not a cursor returned by this API")
    return moment, identifier


async def audit_log(
    ctx: AuditContext, actor: Principal, program_id: str, first: int, after: str | None
) -> AuditPage:
    """A page of the program's audit trail, newest first (its admins only)."""
    position = _position(after) if after is not None else None
    require_admin(await ctx.programs.program(program_id), actor)
    return await ctx.trail.of_program(program_id, first=first, after=position)
