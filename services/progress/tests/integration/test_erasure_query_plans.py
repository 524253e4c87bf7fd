"""What an erasure reads and writes in progress is served by indexes on the real server: the
erasure's record and the tombstones by participation, the trackings of the person and those they
mentored, the sessions planned with them, the events parked about them and their export parts.
``scans`` pads each collection with documents matching none of the filters and asks the server
how it would answer each."""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import new_envelope
from mentorship_contracts.events import PersonalDataErasureRequested
from mentorship_runtime.export_parts import ExportPartStore
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import QueryRecorder, scans
from progress.adapters.erasures import ErasureStore
from progress.adapters.personal_data import ProgressPersonalData
from progress.adapters.planned_sessions import PlannedSessionStore
from progress.adapters.store import ProgressStore
from progress.service_layer.erasures import ErasureContext, on_erasure_requested


async def test_what_an_erasure_reads_and_writes_is_served_by_indexes(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    db, recorder = recorded_db
    recorder.recording = False
    clock = Clock()
    async with publishing_as(kafka_bootstrap, topic_prefix, "progress", "test-erasure") as broker:
        relay = OutboxRelay(broker, clock=clock)
        store = ProgressStore(db, relay, clock=clock)
        await store.prepare()
        await PlannedSessionStore(db, relay, clock=clock).ensure_indexes()
        await ExportPartStore(db, relay, clock=clock).ensure_indexes()
        await ProgressPersonalData(db).ensure_indexes()
        erasures = ErasureStore(db, relay, clock=clock)
        await erasures.ensure_indexes()
        await db.planned_sessions.insert_one(
            {"_id": "ps_1", "mentee_id": "pt_gone", "mentor_id": "pt_m", "location": "a room"}
        )
        request = new_envelope(
            PersonalDataErasureRequested(
                erasure_id="er_1",
                subject_user_id="u_gone",
                participant_ids=["pt_gone"],
                program_ids=["pg_1"],
                scope="person",
                requested_by="u_admin",
                requested_at=datetime(2026, 11, 2, tzinfo=UTC),
            ),
            producer="mentoring",
            clock=clock,
        )

        recorder.recording = True
        await on_erasure_requested(request, ErasureContext(store, erasures, clock))
        tombstoned = await erasures.erased(("pt_gone", "pt_other"))
        recorder.recording = False

    assert tombstoned
    assert await db.planned_sessions.find_one({"_id": "ps_1"}, {"_id": 0, "location": 1}) == {
        "location": None
    }
    assert {q.collection for q in recorder.queries} == {
        "erasures",
        "trackings",
        "planned_sessions",
        "parked_events",
        "export_parts",
    }
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
