"""A person's inbox: reading it, one notification, the unread counts, marking read."""

from __future__ import annotations

import pytest

from mentorship_contracts.events import NotificationRead
from mentorship_runtime.errors import NotFound
from mentorship_runtime.principal import Principal
from notify.service_layer import handlers, queries
from notify.service_layer.commands import MarkRead
from services.notify.tests.unit.fakes import Fakes

from .events import DROPPED, STALLED, event, knowing

GRACE_SIGNED_IN = Principal("u-grace", frozenset({"mentor"}))
ADA_SIGNED_IN = Principal("u-ada", frozenset({"mentee"}))


async def two_alerts_for_grace() -> tuple[Fakes, list[str]]:
    world = await knowing()
    for payload in (DROPPED, STALLED):
        await handlers.on_occurrence(event(payload), world.context())
    return world, sorted(world.store.notifications)


async def test_the_inbox_pages_the_callers_notifications_newest_first() -> None:
    world, ids = await two_alerts_for_grace()
    ctx = world.context()

    first = await queries.inbox(ctx, GRACE_SIGNED_IN, unread_only=False, first=1, after=None)
    second = await queries.inbox(
        ctx, GRACE_SIGNED_IN, unread_only=False, first=1, after=first.next_cursor
    )

    assert first.next_cursor is not None
    assert second.next_cursor is None
    assert sorted(e.notification_id for e in [*first.items, *second.items]) == ids
    assert first.unread == 2


async def test_someone_elses_inbox_shows_nothing_of_it() -> None:
    world, _ = await two_alerts_for_grace()

    page = await queries.inbox(
        world.context(), ADA_SIGNED_IN, unread_only=False, first=10, after=None
    )

    assert (page.items, page.unread) == ([], 0)


async def test_one_notification_is_read_by_its_reader_and_not_found_for_anyone_else() -> None:
    world, ids = await two_alerts_for_grace()
    ctx = world.context()

    found = await queries.notification(ctx, GRACE_SIGNED_IN, ids[0])

    assert found.notification_id == ids[0]
    with pytest.raises(NotFound):
        await queries.notification(ctx, ADA_SIGNED_IN, ids[0])
    with pytest.raises(NotFound):
        await queries.notification(ctx, GRACE_SIGNED_IN, "n-unknown")


async def test_marking_read_counts_the_callers_unread_ones_and_announces_each() -> None:
    world, ids = await two_alerts_for_grace()
    ctx = world.context("corr-1")
    announced = len(world.store.published)

    marked = await handlers.mark_read(MarkRead(GRACE_SIGNED_IN, (ids[0], ids[0], "n-x")), ctx)

    assert marked == 1
    assert await queries.unread_count(ctx, GRACE_SIGNED_IN) == 1
    [read] = world.store.published[announced:]
    assert isinstance(read.data, NotificationRead)
    assert read.data.notification_ids == [ids[0]]
    assert read.correlation_id == "corr-1"


async def test_marking_read_again_or_someone_elses_changes_nothing() -> None:
    world, ids = await two_alerts_for_grace()
    ctx = world.context()
    await handlers.mark_read(MarkRead(GRACE_SIGNED_IN, (ids[0],)), ctx)

    assert await handlers.mark_read(MarkRead(GRACE_SIGNED_IN, (ids[0],)), ctx) == 0
    assert await handlers.mark_read(MarkRead(ADA_SIGNED_IN, (ids[1],)), ctx) == 0
    assert await queries.unread_count(ctx, GRACE_SIGNED_IN) == 1


async def test_unread_counts_by_subject_name_every_asked_subject() -> None:
    world, _ = await two_alerts_for_grace()

    counts = await queries.unread_by_subject(world.context(), GRACE_SIGNED_IN, ["pt-ada", "x"])

    assert counts == {"pt-ada": 2, "x": 0}


async def test_the_unread_only_page_leaves_out_what_was_read() -> None:
    world, ids = await two_alerts_for_grace()
    ctx = world.context()
    await handlers.mark_read(MarkRead(GRACE_SIGNED_IN, (ids[0],)), ctx)

    page = await queries.inbox(ctx, GRACE_SIGNED_IN, unread_only=True, first=10, after=None)

    assert [e.notification_id for e in page.items] == [ids[1]]
