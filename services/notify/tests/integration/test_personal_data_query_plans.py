"""What an export reads of a person in notify is served by indexes on the real server: their
directory entries by id, their notifications, queued and settled deliveries by account, their
preferences by account, and the part kept for the export. ``scans`` pads each collection with
documents matching none of the filters and asks the server how it would answer each."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.export_parts import ExportPartStore
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import QueryRecorder, scans
from notify.adapters.deliveries import DeliveryStore
from notify.adapters.personal_data import NotifyPersonalData
from notify.adapters.store import NotifyStore


async def test_what_an_export_reads_of_a_person_is_served_by_indexes(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    db, recorder = recorded_db
    recorder.recording = False
    clock = Clock()
    async with publishing_as(kafka_bootstrap, topic_prefix, "notify", "test-export") as broker:
        relay = OutboxRelay(broker, clock=clock)
        await NotifyStore(db, relay, clock=clock).ensure_indexes()
        await DeliveryStore(db).ensure_indexes()
        parts = ExportPartStore(db, relay, clock=clock)
        await parts.ensure_indexes()
        personal = NotifyPersonalData(db)
        await personal.ensure_indexes()

        recorder.recording = True
        found = await personal.sections("u-1", {"pt_1", "pt_2"}, whole_account=True)
        assert await parts.get("dx_1") is None
        recorder.recording = False

    assert set(found) == {"directory", "notifications", "deliveries", "preferences"}
    assert {q.collection for q in recorder.queries} == {
        "people",
        "notifications",
        "deliveries",
        "delivery_log",
        "preferences",
        "export_parts",
    }
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
