"""What an erasure reads and writes in notify is served by indexes on the real server: the
erasure's record, the directory entries and programs by id, the notifications by subject,
recipient or account, their deliveries by notification or account, the records about the person
(reminders, watches, weekly-digest records, parked events) by participant, and the export parts
by account. ``scans`` pads each collection with documents matching none of the filters and asks
the server how it would answer each."""

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
from notify.adapters.deliveries import DeliveryStore
from notify.adapters.erasures import ErasureStore
from notify.adapters.nudges import NudgeStore
from notify.adapters.personal_data import NotifyPersonalData
from notify.adapters.store import NotifyStore
from notify.adapters.weekly_digests import WeeklyDigestStore
from notify.service_layer.erasures import ErasureContext, on_erasure_requested

SEEN = datetime(2026, 11, 2, tzinfo=UTC)


async def test_what_an_erasure_reads_and_writes_is_served_by_indexes(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    db, recorder = recorded_db
    recorder.recording = False
    clock = Clock()
    async with publishing_as(kafka_bootstrap, topic_prefix, "notify", "test-erasure") as broker:
        relay = OutboxRelay(broker, clock=clock)
        await NotifyStore(db, relay, clock=clock).ensure_indexes()
        await DeliveryStore(db).ensure_indexes()
        await NudgeStore(db).ensure_indexes()
        await WeeklyDigestStore(db).ensure_indexes()
        await ExportPartStore(db, relay, clock=clock).ensure_indexes()
        await NotifyPersonalData(db).ensure_indexes()
        erasures = ErasureStore(db, relay, clock=clock)
        await erasures.ensure_indexes()
        await db.people.insert_one({"_id": "pt_gone", "display_name": "Gone Name", "version": 1})
        await db.programs.insert_one(
            {
                "_id": "pg_1",
                "admins": [
                    {"user_id": "u_admin", "language": "fr"},
                    {"user_id": "u_gone", "email": "g"},
                ],
            }
        )
        await db.confirmation_reminders.insert_one(
            {"_id": "confirm:ps_1", "mentee_id": "pt_gone", "mentor_id": "pt_m", "status": "sent"}
        )
        await db.weekly_digest_matches.insert_one(
            {"_id": "m_1", "mentor_id": "pt_m", "mentee_id": "pt_gone"}
        )
        notification = {"title": "Gone Name dropped", "body": "b", "html_body": "<p>b</p>"}
        await db.notifications.insert_many(
            [
                {"_id": "n_1", "recipient_id": "pt_m", "subject_id": "pt_gone", **notification},
                {"_id": "n_2", "recipient_id": "pt_gone", "user_id": "u_gone", **notification},
                {"_id": "n_3", "recipient_id": "u_admin", "user_id": "u_admin", **notification},
            ]
        )
        await db.delivery_log.insert_one(
            {"_id": "d_1", "notification_id": "n_1", "notification": notification}
        )
        request = new_envelope(
            PersonalDataErasureRequested(
                erasure_id="er_1",
                subject_user_id="u_gone",
                participant_ids=["pt_gone"],
                program_ids=["pg_1"],
                scope="person",
                requested_by="u_admin",
                requested_at=SEEN,
            ),
            producer="mentoring",
            clock=clock,
        )

        recorder.recording = True
        await on_erasure_requested(request, ErasureContext(erasures, clock))
        recorder.recording = False

    kept = await db.notifications.find_one({"_id": "n_1"})
    assert kept is not None
    assert kept["title"] == "A former participant dropped"
    assert await db.notifications.find_one({"_id": "n_2"}) is None
    for_admin = await db.notifications.find_one({"_id": "n_3"})
    assert for_admin is not None
    assert for_admin["title"] == "Un ancien participant dropped"  # the admin reads French
    copy = await db.delivery_log.find_one({"_id": "d_1"})
    assert copy is not None
    assert copy["notification"]["title"] == "A former participant dropped"
    assert await db.confirmation_reminders.find_one({"_id": "confirm:ps_1"}) is None
    assert {q.collection for q in recorder.queries} >= {
        "erasures",
        "people",
        "programs",
        "notifications",
        "deliveries",
        "delivery_log",
        "preferences",
        "reminders",
        "proposal_reminders",
        "confirmation_reminders",
        "check_in_watches",
        "weekly_digest_changes",
        "weekly_digest_matches",
        "parked_events",
        "export_parts",
    }
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
