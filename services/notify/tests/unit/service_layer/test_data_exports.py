"""Notify's part of a data export: built once, read by the person and their programs' admins
until it expires."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from mentorship_contracts.events import NotifyExportPartReady, PersonalDataExportRequested
from mentorship_runtime.errors import NotFound
from mentorship_runtime.principal import Principal
from notify.service_layer import data_exports
from services.notify.tests.unit.fakes import FakeExportParts, FakePersonalData, export_context

from .events import T0, event, knowing

REQUEST = PersonalDataExportRequested(
    export_id="dx-1",
    subject_user_id="u-ada",
    participant_ids=["pt-ada"],
    program_ids=["pg-1"],
    scope="person",
    requested_by="u-ada",
    requested_at=T0,
)
HELD = {"notifications": [{"_id": "n-1", "title": "Hello Ada"}], "deliveries": []}
ADA = Principal("u-ada", frozenset({"mentee"}))
ALAN = Principal("u-alan", frozenset({"admin"}))
OTHER_ADMIN = Principal("u-zoe", frozenset({"admin"}))


async def exported() -> tuple[data_exports.ExportContext, FakeExportParts]:
    world = await knowing()
    parts = FakeExportParts()
    personal = FakePersonalData(held=HELD)
    ctx = export_context(world.store, parts, personal, world.clock)
    await data_exports.on_export_requested(event(REQUEST), ctx)
    return ctx, parts


async def test_the_part_is_kept_once_and_announced_with_its_counts() -> None:
    ctx, parts = await exported()

    await data_exports.on_export_requested(event(REQUEST), ctx)  # redelivered

    [(part, [ready])] = parts.parts.values()
    assert isinstance(ready.data, NotifyExportPartReady)
    assert ready.data.counts == {"notifications": 1, "deliveries": 0}
    assert part.expires_at == T0 + timedelta(days=1)
    assert json.loads(part.content)["sections"]["notifications"][0]["title"] == "Hello Ada"


async def test_the_person_and_the_programs_admins_read_the_part_others_find_nothing() -> None:
    ctx, _ = await exported()

    assert "Hello Ada" in await data_exports.part_of(ctx, ADA, "dx-1")
    assert "Hello Ada" in await data_exports.part_of(ctx, ALAN, "dx-1")
    with pytest.raises(NotFound):
        await data_exports.part_of(ctx, OTHER_ADMIN, "dx-1")
    with pytest.raises(NotFound):
        await data_exports.part_of(ctx, ADA, "dx-unknown")


async def test_an_expired_part_is_not_found_and_then_deleted() -> None:
    ctx, parts = await exported()
    ctx.clock = lambda: T0 + timedelta(days=1)

    with pytest.raises(NotFound):
        await data_exports.part_of(ctx, ADA, "dx-1")
    assert await data_exports.delete_expired_parts(ctx) == 1
    assert not parts.parts
