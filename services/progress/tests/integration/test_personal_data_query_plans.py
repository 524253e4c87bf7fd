"""What an export reads of a person in progress is served by indexes on the real server: their
trackings by id, the trackings they follow as mentor, the sessions planned with them, and the
part kept for the export. ``scans`` pads each collection with documents matching none of the
filters and asks the server how it would answer each."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.export_parts import ExportPartStore
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import QueryRecorder, scans
from progress.adapters.personal_data import ProgressPersonalData
from progress.adapters.planned_sessions import PlannedSessionStore
from progress.adapters.store import ProgressStore


async def test_what_an_export_reads_of_a_person_is_served_by_indexes(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    db, recorder = recorded_db
    recorder.recording = False
    clock = Clock()
    async with publishing_as(kafka_bootstrap, topic_prefix, "progress", "test-export") as broker:
        relay = OutboxRelay(broker, clock=clock)
        await ProgressStore(db, relay, clock=clock).prepare()
        await PlannedSessionStore(db, relay, clock=clock).ensure_indexes()
        parts = ExportPartStore(db, relay, clock=clock)
        await parts.ensure_indexes()
        personal = ProgressPersonalData(db)
        await personal.ensure_indexes()

        recorder.recording = True
        found = await personal.sections(("pt_mentee", "pt_mentor"))
        assert await parts.get("dx_1") is None
        recorder.recording = False

    assert found == {"trackings": [], "recorded_as_mentor": [], "planned_sessions": []}
    assert {q.collection for q in recorder.queries} == {
        "trackings",
        "planned_sessions",
        "export_parts",
    }
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
