"""The internal HTTP route of a program's audit trail. Read only: the trail has no route that
changes or removes a record (any other method on it is a 405)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, JsonValue

from mentoring.entrypoints.http import MAX_PAGE, Caller, Ctx
from mentoring.service_layer import audit_trail
from mentorship_contracts.events import AdminAction
from mentorship_contracts.events.audit import AuditedKind

router = APIRouter()


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
    def of(cls, stored: dict[str, Any]) -> AuditRecordOut:
        return cls(id=stored["_id"], **{k: v for k, v in stored.items() if k != "_id"})


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
    found, cursor = await audit_trail.audit_log(caller, program_id, first, after, ctx)
    return AuditPage(items=[AuditRecordOut.of(d) for d in found], next_cursor=cursor)
