"""The internal HTTP route of a program's audit trail. Read only: the trail has no route that
changes or removes a record (any other method on it is a 405)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, JsonValue

from mentoring.entrypoints.http import MAX_PAGE, Caller
from mentoring.service_layer import audit_trail
from mentoring.service_layer.audit_trail import AuditContext
from mentoring.service_layer.ports import AuditRecord
from mentorship_contracts.events import AdminAction
from mentorship_contracts.events.audit import AuditedKind

router = APIRouter()


def _context(request: Request) -> AuditContext:
    factory: Callable[[str | None], AuditContext] = request.app.state.audit
    return factory(request.headers.get("x-correlation-id"))


Ctx = Annotated[AuditContext, Depends(_context)]


class AuditRecordOut(BaseModel):
    id: str
    at: datetime
    actor_id: str
    action: AdminAction
    object_kind: AuditedKind
    object_id: str
    before: dict[str, JsonValue] | None
    after: dict[str, JsonValue] | None

    @classmethod
    def of(cls, record: AuditRecord) -> AuditRecordOut:
        return cls.model_validate(
            {
                "id": record.id,
                "at": record.at,
                "actor_id": record.actor_id,
                "action": record.action,
                "object_kind": record.object_kind,
                "object_id": record.object_id,
                "before": record.before,
                "after": record.after,
            }
        )


class AuditPage(BaseModel):
    items: list[AuditRecordOut]
    next_cursor: str | None


@router.get("/programs/{program_id}/audit")
async def audit_log(
    program_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    ctx: Ctx,
    first: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    after: Annotated[str | None, Query(max_length=400)] = None,
) -> AuditPage:
    """The program's audit trail, newest first (its admins): who did what to which object,
    when, with the values before and after."""
    page = await audit_trail.audit_log(ctx, caller, program_id, first, after)
    return AuditPage(
        items=[AuditRecordOut.of(r) for r in page.records], next_cursor=page.next_cursor
    )
