"""Progress's part of data requests: the route that reads an export part. (The subscription that
builds its part of an export and erases a person's data is in ``entrypoints.consumers``.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from progress.entrypoints.http import Caller
from progress.service_layer import data_exports
from progress.service_layer.data_exports import ExportContext

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
    """Progress's part of the export (``mentorship_contracts.personal_data``), as JSON."""
    content = await data_exports.part_of(ctx, caller, export_id)
    return Response(content.encode(), media_type="application/json")
