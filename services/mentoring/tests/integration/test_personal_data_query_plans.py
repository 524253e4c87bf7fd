"""What an export reads of a person in mentoring is served by indexes on the real server: their
participations and provisioned accounts by id, the matches naming them on either side, the
programs they administer, an export request and a part by id. ``scans`` pads each collection
with documents matching none of the filters and asks the server how it would answer each."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.data_exports import DataExportStore
from mentoring.adapters.personal_data import MentoringPersonalData
from mentoring.adapters.provisioning_store import ProvisioningStore
from mentoring.adapters.repository import MentoringStore
from mentoring.domain.data_exports import DataSubject, Scope
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import QueryRecorder, scans


async def test_what_an_export_reads_of_a_person_is_served_by_indexes(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    db, recorder = recorded_db
    recorder.recording = False
    clock = Clock()
    async with publishing_as(kafka_bootstrap, topic_prefix, "mentoring", "test-export") as broker:
        relay = OutboxRelay(broker, clock=clock)
        await MentoringStore(db, relay, clock=clock).ensure_indexes()
        await ProvisioningStore(db, relay, clock=clock).ensure_indexes()
        exports = DataExportStore(db, relay, clock=clock)
        await exports.ensure_indexes()
        personal = MentoringPersonalData(db)

        recorder.recording = True
        subject = DataSubject("u-1", ("pt_1", "pt_2"), ("pg_1",), Scope.PERSON)
        found = await personal.sections(subject)
        assert await exports.find("dx_1") is None
        assert await exports.part("dx_1") is None
        recorder.recording = False

    assert all(section.records == [] for section in found)
    assert {q.collection for q in recorder.queries} == {
        "participants",
        "matches",
        "provisioned_users",
        "programs",
        "data_exports",
        "export_parts",
    }
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
