"""The audit trail's reads are served by an index on the real server, page after page."""

from __future__ import annotations

from datetime import timedelta

from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.repository import MentoringStore
from mentoring.service_layer import audit, audit_trail, handlers
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.audit_trail import AuditContext
from mentoring.service_layer.handlers import Context
from mentorship_contracts.events import AdminAction
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.plans import QueryRecorder, scans

from .test_query_plans import ADMIN, context, shapes

__all__ = ["context"]  # the fixture, shared with the query-plan test


async def test_a_programs_trail_is_read_page_by_page_from_an_index(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db
    program = await handlers.create_program(cmd.CreateProgram(ADMIN, "Audited", "", "p"), ctx)
    store = ctx.store
    assert isinstance(store, MentoringStore)
    trail = AuditContext(store.audit, store)
    for i in range(5):
        clock.advance(seconds=1 if i % 2 else 0)  # some records share their moment
        event = audit.record(
            ctx, "admin", AdminAction.PROGRAM_CHANGED, program.id, "program", program.id
        )
        await audit_trail.on_recorded(event, trail)
    recorder.recording = True
    seen, after = [], None
    while True:
        page = await audit_trail.audit_log(trail, ADMIN, program.id, 2, after)
        seen += page.records
        after = page.next_cursor
        if after is None:
            break
    recorder.recording = False
    assert len(seen) == 5
    moments = [(r.at, r.id) for r in seen]
    assert moments == sorted(moments, reverse=True)
    assert seen[0].at - seen[-1].at == timedelta(seconds=2)
    assert ("audit_log", "find", frozenset({"program_id"})) in shapes(recorder.queries)
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
