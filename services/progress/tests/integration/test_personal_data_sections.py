"""What an export reads of a mentor in progress, on the real database: the trackings of the
mentees they follow now and of those they followed before, each with only what was written
while they were its mentor (the records an erasure of them finds)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from mentorship_runtime.mongo import Document
from progress.adapters.documents import tracking_document
from progress.adapters.personal_data import ProgressPersonalData
from services.progress.tests.unit.builders import (
    MENTOR,
    NEXT,
    START,
    days,
    tracking_with_two_mentors,
)


def texts(record: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        "check_ins": [c["id"] for c in record["check_ins"]],
        "milestones": [(m["kind"], m["by"]) for m in record["milestones"]],
        "sessions": [s["id"] for s in record["sessions"]],
    }


async def test_a_mentor_finds_what_they_wrote_in_the_trackings_they_follow_and_followed(
    mongo_db: AsyncDatabase[Document],
) -> None:
    tracking = tracking_with_two_mentors()
    personal = ProgressPersonalData(mongo_db)
    await personal.ensure_indexes()
    await mongo_db.trackings.insert_one(
        {**tracking_document(tracking), "mentor_ids": sorted({MENTOR, NEXT})}
    )

    former = (await personal.sections((MENTOR,)))["recorded_as_mentor"]
    current = (await personal.sections((NEXT,)))["recorded_as_mentor"]

    assert [(r["mentee_id"], r["mentor_id"]) for r in former + current] == [
        (tracking.mentee_id, MENTOR),
        (tracking.mentee_id, NEXT),
    ]
    assert texts(former[0]) == {
        "check_ins": ["c-1", "c-4"],
        "milestones": [("reopened", "mentor")],
        "sessions": ["s-1"],
    }
    assert texts(current[0]) == {"check_ins": ["c-3"], "milestones": [], "sessions": ["s-2"]}
    assert [
        (m["since"].replace(tzinfo=UTC), m["until"].replace(tzinfo=UTC))
        for m in former[0]["mentored"]
    ] == [(START, START + days(5))]


async def test_a_tracking_written_before_mentor_ids_is_found_by_its_current_mentor(
    mongo_db: AsyncDatabase[Document],
) -> None:
    tracking = tracking_with_two_mentors()
    personal = ProgressPersonalData(mongo_db)
    await mongo_db.trackings.insert_one(tracking_document(tracking))

    (current,) = (await personal.sections((NEXT,)))["recorded_as_mentor"]

    assert texts(current) == {"check_ins": ["c-3"], "milestones": [], "sessions": ["s-2"]}
