"""Session-rating reminders: scheduled by a session logged, cancelled by a rating, sent once."""

from __future__ import annotations

from datetime import date, timedelta

from mentorship_contracts.events import SessionLogged, SessionRated
from notify.domain.events import EventKind
from notify.service_layer import reminders

from .events import PAIR, T0, event, knowing

LOGGED = SessionLogged(**PAIR, session_id="s-1", held_on=date(2026, 11, 1), duration_minutes=60)


async def test_a_session_logged_without_ratings_reminds_both_sides_after_the_delay() -> None:
    world = await knowing()
    ctx = world.context()
    await reminders.on_session_logged(event(LOGGED), ctx)

    assert await reminders.send_due_reminders(ctx) == 0  # not yet
    world.clock.advance(days=2)
    sent = await reminders.send_due_reminders(ctx)

    assert sent == 2
    kinds = {(s.user_id, s.notification.kind) for s in world.store.notifications.values()}
    assert kinds == {
        ("u-ada", EventKind.SESSION_NOT_RATED),
        ("u-grace", EventKind.SESSION_NOT_RATED),
    }
    assert await reminders.send_due_reminders(ctx) == 0  # each sent once


async def test_a_rating_cancels_that_sides_reminder_even_before_the_session_arrives() -> None:
    world = await knowing()
    ctx = world.context()
    rated = SessionRated(**PAIR, session_id="s-1", rated_by="mentee", rating=5)
    await reminders.on_session_rated(event(rated), ctx)
    await reminders.on_session_logged(event(LOGGED), ctx)
    world.clock.advance(days=3)

    assert await reminders.send_due_reminders(ctx) == 1

    [told] = world.store.notifications.values()
    assert told.user_id == "u-grace"


async def test_a_redelivered_session_schedules_nothing_twice() -> None:
    world = await knowing()
    ctx = world.context()
    logged = event(LOGGED)
    await reminders.on_session_logged(logged, ctx)
    await reminders.on_session_logged(logged, ctx)

    assert sorted(world.ratings.reminders) == ["rating:s-1:mentee", "rating:s-1:mentor"]
    for reminder, status in world.ratings.reminders.values():
        assert status == "waiting"
        assert reminder is not None
        assert reminder.due_at == T0 + timedelta(days=2)
