"""A person's data: progress's part of their export, and the erasure of their texts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from mentorship_contracts import Envelope
from mentorship_contracts.events import PersonalDataErasureRequested, PersonalDataExportRequested
from progress.domain.errors import NotFound
from progress.service_layer import commands, data_exports, erasures, handlers
from progress.service_layer import planned_sessions as use
from progress.service_layer.ports import PersonalRecords

from .test_planned_sessions import plan
from .world import (
    ADMIN,
    MENTEE,
    MENTEE_ID,
    MENTOR,
    MENTOR_ID,
    OTHER_ADMIN,
    PROGRAM,
    STRANGER,
    World,
)


def export_requested(world: World, participant_id: str = MENTEE_ID) -> Envelope[Any]:
    return world.event(
        PersonalDataExportRequested(
            export_id="dx-1",
            subject_user_id=MENTEE.user_id,
            participant_ids=[participant_id],
            program_ids=[PROGRAM],
            scope="person",
            requested_by=MENTEE.user_id,
            requested_at=world.clock(),
        )
    )


def erasure_requested(world: World, participant_id: str, user_id: str) -> Envelope[Any]:
    return world.event(
        PersonalDataErasureRequested(
            erasure_id=f"er-{participant_id}",
            subject_user_id=user_id,
            participant_ids=[participant_id],
            program_ids=[PROGRAM],
            scope="person",
            requested_by=user_id,
            requested_at=world.clock(),
        )
    )


async def exported(world: World) -> None:
    await handlers.on_program_published(world.published(), world.ctx)
    world.personal.records[MENTEE_ID] = PersonalRecords(
        trackings=[{"_id": MENTEE_ID, "check_ins": [{"note": "mine"}]}],
        recorded_as_mentor=[],
        planned_sessions=[{"_id": "ps-1"}],
    )
    await data_exports.on_export_requested(export_requested(world), world.export_ctx)


async def test_an_export_request_keeps_the_part_and_announces_it_ready_with_counts() -> None:
    world = World()

    await exported(world)

    part = world.parts.parts["dx-1"]
    content = json.loads(part.content)
    assert content["sections"]["trackings"][0]["check_ins"] == [{"note": "mine"}]
    assert dict(part.counts) == {"trackings": 1, "recorded_as_mentor": 0, "planned_sessions": 1}
    assert world.outbox.types() == ["progress.personal_data.export_part_ready"]


async def test_an_export_request_delivered_again_keeps_the_first_part_and_announces_once() -> None:
    world = World()
    await exported(world)
    first = world.parts.parts["dx-1"]

    await data_exports.on_export_requested(export_requested(world), world.export_ctx)

    assert world.parts.parts["dx-1"] == first
    assert world.outbox.types() == ["progress.personal_data.export_part_ready"]


async def test_the_person_and_the_programs_admins_read_the_part_until_it_expires() -> None:
    world = World()
    await exported(world)

    for reader in (MENTEE, ADMIN):
        assert json.loads(await data_exports.part_of(world.export_ctx, reader, "dx-1"))
    world.clock.advance(days=1, seconds=1)
    with pytest.raises(NotFound):
        await data_exports.part_of(world.export_ctx, MENTEE, "dx-1")


async def test_anyone_else_is_told_the_part_is_not_found() -> None:
    world = World()
    await exported(world)

    for reader in (STRANGER, OTHER_ADMIN, MENTOR):
        with pytest.raises(NotFound):
            await data_exports.part_of(world.export_ctx, reader, "dx-1")
    with pytest.raises(NotFound):
        await data_exports.part_of(world.export_ctx, MENTEE, "dx-9")


async def test_the_parts_past_their_day_are_deleted() -> None:
    world = World()
    await exported(world)

    assert await data_exports.delete_expired_parts(world.export_ctx) == 0
    world.clock.advance(days=1, seconds=1)
    assert await data_exports.delete_expired_parts(world.export_ctx) == 1
    assert world.parts.parts == {}


async def with_texts(world: World) -> None:
    await world.tracked()
    await handlers.record_check_in(
        commands.RecordCheckIn(MENTEE, MENTEE_ID, "ci-1", "basics", 3, "a note"), world.ctx
    )
    await handlers.record_check_in(
        commands.RecordCheckIn(MENTOR, MENTEE_ID, "ci-2", "basics", 2, "the mentor's"), world.ctx
    )
    await use.plan_session(plan(world), world.ctx)


async def test_erasing_a_mentee_removes_their_texts_and_announces_it_done_once() -> None:
    world = World()
    await with_texts(world)
    request = erasure_requested(world, MENTEE_ID, MENTEE.user_id)

    await erasures.on_erasure_requested(request, world.erasure_ctx)
    await erasures.on_erasure_requested(request, world.erasure_ctx)

    tracking = (await world.store.get(MENTEE_ID)).tracking
    assert [(c.confidence, c.note) for c in tracking.check_ins] == [(3, None), (2, None)]
    assert (await world.planned.get("ps-1")).session.schedule.location is None
    assert world.outbox.types().count("progress.personal_data.erasure_done") == 1
    done = world.outbox.events[-1].data
    assert (done.counts["check_in_notes"], done.counts["planned_sessions"]) == (2, 1)


async def test_erasing_a_mentor_removes_what_they_wrote_and_keeps_the_mentees_texts() -> None:
    world = World()
    await with_texts(world)

    await erasures.on_erasure_requested(
        erasure_requested(world, MENTOR_ID, MENTOR.user_id), world.erasure_ctx
    )

    tracking = (await world.store.get(MENTEE_ID)).tracking
    assert [(c.id, c.note) for c in tracking.check_ins] == [("ci-1", "a note"), ("ci-2", None)]


async def test_an_erasure_deletes_the_persons_parked_events_and_export_parts() -> None:
    world = World()
    await exported(world)
    await handlers.on_match_closed(world.ended(), world.ctx)  # parked: Ada is not tracked
    assert world.store.parked

    await erasures.on_erasure_requested(
        erasure_requested(world, MENTEE_ID, MENTEE.user_id), world.erasure_ctx
    )

    assert world.store.parked == {}
    assert world.parts.parts == {}
    assert await world.erasures.erased([MENTEE_ID])
    assert world.clock() - world.erasures.records[f"er-{MENTEE_ID}"].done_at < timedelta(seconds=1)
