"""Two services, each with its own database, talking only through Kafka: a match accepted in
mentoring starts the mentee's tracking in progress, and a drop in confidence alerts the mentor."""

from __future__ import annotations

from mentorship_contracts import decode_event
from mentorship_contracts.topics import Topic, topic_name
from mentorship_testing.kafka import read_topic

from .conftest import Platform, matched_pair


async def test_a_mentor_is_alerted_when_their_new_mentee_loses_confidence(
    platform: Platform,
) -> None:
    pair = await matched_pair(platform)
    mentor, mentee, program = pair.mentor, pair.mentee, pair.program
    for confidence in (4, 1):
        answer = await platform.progress.post(
            f"/mentees/{mentee['id']}/check-ins",
            headers=pair.ada,
            json={"module_id": "purpose", "confidence": confidence},
        )
        assert answer.status_code == 201, answer.text

    records = await read_topic(
        platform.bootstrap,
        topic_name(Topic.PROGRESS_EVENTS, platform.prefix),
        until=lambda rs: any(b"confidence.dropped" in r.value for r in rs),
    )
    [alert] = [
        e for e in map(decode_event, (r.value for r in records)) if e.type.endswith("dropped")
    ]
    assert alert.data.mentor_id == mentor["id"]
    assert alert.data.mentee_id == mentee["id"]
    assert alert.data.program_id == program["id"]
    view = (
        await platform.progress.get(f"/mentees/{mentee['id']}/progress", headers=pair.grace)
    ).json()
    assert view["modules"][0]["confidence_dropped"] is True
