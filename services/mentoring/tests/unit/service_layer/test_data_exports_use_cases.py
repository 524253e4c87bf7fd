"""Data exports through the service layer, on fakes: who may ask for whose data, what a request
announces and records, mentoring's part, and how the parts complete an export."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mentoring.domain.data_exports import DataExport, ExportStatus, Scope
from mentoring.domain.errors import Forbidden, NotFound
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import data_exports
from mentoring.service_layer.data_exports import ExportContext
from mentorship_contracts import new_envelope
from mentorship_contracts.events import (
    AdminActionRecorded,
    MentoringExportPartReady,
    NotifyExportPartReady,
    PersonalDataExportRequested,
    ProgressExportPartReady,
)
from mentorship_contracts.personal_data import KEPT_FOR
from mentorship_runtime.principal import Principal
from mentorship_runtime.request_keys import KeyReused
from mentorship_testing.clock import Clock
from services.mentoring.tests.unit.fakes_personal_data import (
    FakeDataExports,
    FakePeopleAndPrograms,
    FakePersonalData,
    participant,
    program,
)

ADA = Principal("ada", frozenset())
ADMIN = Principal("boss", frozenset({"admin"}))
OTHER_ADMIN = Principal("other", frozenset({"admin"}))
STRANGER = Principal("eve", frozenset())


def _context() -> ExportContext:
    clock = Clock()
    people = FakePeopleAndPrograms(
        participants=[
            participant("pt_1", "pg_1", "ada"),
            participant("pt_2", "pg_2", "ada"),
            participant("pt_3", "pg_1", "bob"),
        ],
        programs=[program("pg_1", "boss"), program("pg_2", "other"), program("pg_3", "ada")],
    )
    return ExportContext(people, FakeDataExports(clock), FakePersonalData(people), clock)


def _exports(ctx: ExportContext) -> FakeDataExports:
    assert isinstance(ctx.exports, FakeDataExports)
    return ctx.exports


def _payloads(ctx: ExportContext) -> list[Any]:
    return [e.data for e in _exports(ctx).events]


async def test_a_person_asks_for_everything_about_their_account() -> None:
    ctx = _context()

    export = await data_exports.request_export(cmd.RequestDataExport(ADA), ctx)

    assert export.subject.scope is Scope.PERSON
    assert export.subject.participant_ids == ("pt_1", "pt_2")
    assert export.subject.program_ids == ("pg_1", "pg_2")
    assert _exports(ctx).exports[export.id] == export
    requested, *recorded = _payloads(ctx)
    assert isinstance(requested, PersonalDataExportRequested)
    assert (requested.export_id, requested.scope) == (export.id, "person")
    assert [(r.program_id, r.action.value) for r in recorded] == [
        ("pg_1", "data_exported"),
        ("pg_2", "data_exported"),
    ]


async def test_an_admin_asks_for_one_participation_of_their_program() -> None:
    ctx = _context()

    export = await data_exports.request_export(cmd.RequestDataExport(ADMIN, "pt_1"), ctx)

    assert export.subject.scope is Scope.PARTICIPATION
    assert (export.subject.user_id, export.subject.participant_ids) == ("ada", ("pt_1",))
    recorded = _payloads(ctx)[1]
    assert isinstance(recorded, AdminActionRecorded)
    assert recorded.after == {"scope": "participation", "user_id": "ada", "participant_id": "pt_1"}


async def test_only_an_admin_of_the_program_asks_for_a_participation() -> None:
    ctx = _context()

    for caller in (STRANGER, OTHER_ADMIN):
        with pytest.raises(Forbidden):
            await data_exports.request_export(cmd.RequestDataExport(caller, "pt_1"), ctx)
    with pytest.raises(NotFound):
        await data_exports.request_export(cmd.RequestDataExport(ADMIN, "pt_404"), ctx)
    assert _exports(ctx).exports == {}


async def test_a_request_repeated_with_its_key_answers_the_first_export_without_new_events() -> (
    None
):
    ctx = _context()
    first = await data_exports.request_export(
        cmd.RequestDataExport(ADMIN, "pt_1", idempotency_key="k-1"), ctx
    )
    events = len(_exports(ctx).events)

    again = await data_exports.request_export(
        cmd.RequestDataExport(ADMIN, "pt_1", idempotency_key="k-1"), ctx
    )

    assert again == first
    assert len(_exports(ctx).events) == events
    with pytest.raises(KeyReused):
        await data_exports.request_export(
            cmd.RequestDataExport(ADMIN, "pt_3", idempotency_key="k-1"), ctx
        )


async def test_an_export_is_shown_to_its_person_and_the_admins_of_its_programs_only() -> None:
    ctx = _context()
    export = await data_exports.request_export(cmd.RequestDataExport(ADMIN, "pt_1"), ctx)

    assert await data_exports.export_of(ctx, ADA, export.id) == export
    assert await data_exports.export_of(ctx, ADMIN, export.id) == export
    for caller in (STRANGER, OTHER_ADMIN):
        with pytest.raises(NotFound):
            await data_exports.export_of(ctx, caller, export.id)
    with pytest.raises(NotFound):
        await data_exports.export_of(ctx, ADA, "dx_404")


def _requested(ctx: ExportContext, export: DataExport) -> Any:
    (event,) = [
        e
        for e in _exports(ctx).events
        if isinstance(e.data, PersonalDataExportRequested) and e.data.export_id == export.id
    ]
    return event


async def test_mentorings_part_is_built_once_from_its_records_and_announced() -> None:
    ctx = _context()
    export = await data_exports.request_export(cmd.RequestDataExport(ADA), ctx)
    requested = _requested(ctx, export)

    await data_exports.on_export_requested(requested, ctx)
    await data_exports.on_export_requested(requested, ctx)  # redelivered

    part = _exports(ctx).parts[export.id]
    content = json.loads(part.content)
    assert content["service"] == "mentoring"
    assert [r["id"] for r in content["sections"]["participations"]] == ["pt_1", "pt_2"]
    assert content["sections"]["administered_programs"] == [{"id": "pg_3", "name": "Program pg_3"}]
    assert dict(part.counts) == content["counts"]
    assert part.expires_at == export.requested_at + KEPT_FOR
    ready = [p for p in _payloads(ctx) if isinstance(p, MentoringExportPartReady)]
    assert len(ready) == 1
    assert (ready[0].export_id, ready[0].counts) == (export.id, dict(part.counts))


async def test_mentorings_part_is_read_by_those_who_may_until_it_expires() -> None:
    ctx = _context()
    export = await data_exports.request_export(cmd.RequestDataExport(ADMIN, "pt_1"), ctx)
    await data_exports.on_export_requested(_requested(ctx, export), ctx)

    content = await data_exports.part_of(ctx, ADA, export.id)

    assert json.loads(content)["export_id"] == export.id
    assert await data_exports.part_of(ctx, ADMIN, export.id) == content
    with pytest.raises(NotFound):
        await data_exports.part_of(ctx, STRANGER, export.id)
    assert isinstance(ctx.clock, Clock)
    ctx.clock.advance(days=1)
    with pytest.raises(NotFound):
        await data_exports.part_of(ctx, ADA, export.id)


def _ready(kind: Any, service: str, export_id: str, ctx: ExportContext) -> Any:
    return new_envelope(
        kind(
            export_id=export_id,
            service=service,
            counts={"records": 1},
            ready_at=ctx.clock(),
            expires_at=ctx.clock() + KEPT_FOR,
        ),
        producer=service,
    )


async def test_the_export_completes_with_the_last_of_the_three_parts_counted_once() -> None:
    ctx = _context()
    export = await data_exports.request_export(cmd.RequestDataExport(ADA), ctx)
    notify = _ready(NotifyExportPartReady, "notify", export.id, ctx)

    await data_exports.on_part_ready(notify, ctx)
    await data_exports.on_part_ready(notify, ctx)
    await data_exports.on_part_ready(
        _ready(ProgressExportPartReady, "progress", export.id, ctx), ctx
    )
    pending = _exports(ctx).exports[export.id]
    await data_exports.on_part_ready(
        _ready(MentoringExportPartReady, "mentoring", export.id, ctx), ctx
    )

    assert pending.status(ctx.clock()) is ExportStatus.PENDING
    assert sorted(pending.parts) == ["notify", "progress"]
    done = _exports(ctx).exports[export.id]
    assert done.status(ctx.clock()) is ExportStatus.COMPLETE
    assert done.completed_at == ctx.clock()


async def test_a_part_of_an_unknown_export_changes_nothing() -> None:
    ctx = _context()

    await data_exports.on_part_ready(_ready(NotifyExportPartReady, "notify", "dx_404", ctx), ctx)

    assert _exports(ctx).exports == {}


async def test_parts_past_their_day_are_deleted() -> None:
    ctx = _context()
    first = await data_exports.request_export(cmd.RequestDataExport(ADA), ctx)
    await data_exports.on_export_requested(_requested(ctx, first), ctx)
    assert isinstance(ctx.clock, Clock)
    ctx.clock.advance(hours=12)
    second = await data_exports.request_export(cmd.RequestDataExport(ADMIN, "pt_1"), ctx)
    await data_exports.on_export_requested(_requested(ctx, second), ctx)
    ctx.clock.advance(hours=12)

    assert await data_exports.delete_expired_parts(ctx) == 1
    assert list(_exports(ctx).parts) == [second.id]
    ctx.clock.advance(hours=12)
    assert await data_exports.delete_expired_parts(ctx) == 1
    assert await data_exports.delete_expired_parts(ctx) == 0
