"""An import of participants, recorded once it is done: the gateway reads the file and sends its
rows to the upsert by external id in many calls and passes, then reports the import's counts
here, which writes the import's document with its audit record (one record per import, not one
per row)."""

from __future__ import annotations

from mentoring.service_layer import audit
from mentoring.service_layer.commands import ImportDone
from mentoring.service_layer.handlers import Context, new_id, require_admin
from mentoring.service_layer.ports import ImportRecord
from mentorship_contracts.events import AdminAction
from mentorship_runtime.moments import as_stored


async def record_import(c: ImportDone, ctx: Context) -> str:
    """Record a finished import (the program's admins); returns its id."""
    require_admin(await ctx.store.program(c.program_id), c.actor)
    import_id = new_id("imp")
    counts = {
        "source": c.source,
        "rows": c.rows,
        "created": c.created,
        "updated": c.updated,
        "unchanged": c.unchanged,
        "refused": c.refused,
    }
    record = audit.record(
        ctx,
        c.actor.user_id,
        AdminAction.PARTICIPANTS_IMPORTED,
        c.program_id,
        "import",
        import_id,
        after=counts,
    )
    done = ImportRecord(
        id=import_id,
        program_id=c.program_id,
        by=c.actor.user_id,
        at=as_stored(ctx.clock()),
        source=c.source,
        rows=c.rows,
        created=c.created,
        updated=c.updated,
        unchanged=c.unchanged,
        refused=c.refused,
    )
    await ctx.imports.add(done, [record])
    return import_id
