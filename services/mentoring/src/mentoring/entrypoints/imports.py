"""The internal HTTP route that records a finished import of participants (its counts) in the
audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from mentoring.entrypoints import schemas as s
from mentoring.entrypoints.http import Caller, Ctx
from mentoring.service_layer.commands import ImportDone
from mentoring.service_layer.imports import record_import

router = APIRouter()
Count = Annotated[int, Field(ge=0, le=100_000_000)]


class ImportIn(s.Strict):
    source: Literal["csv"] = Field(description="where the rows came from")
    rows: Count
    created: Count
    updated: Count
    unchanged: Count
    refused: Count


class ImportOut(BaseModel):
    id: str


@router.post(
    "/programs/{program_id}/imports",
    status_code=status.HTTP_201_CREATED,
    summary="Record a finished import of the program's participants (its admins)",
)
async def imported(
    program_id: Annotated[str, Path(max_length=64)], body: ImportIn, caller: Caller, ctx: Ctx
) -> ImportOut:
    """One audit record per import, with its counts: sent once the import's rows went through
    the upsert by external id."""
    done = ImportDone(caller, program_id, **body.model_dump())
    return ImportOut(id=await record_import(done, ctx))
