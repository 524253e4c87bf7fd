"""Which of two events that set the same state happened later, as progress's and notify's
handlers compare them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from mentorship_runtime.event_order import EventOrder

NOW = datetime(2026, 11, 2, 9, 0, 0, 1_000, tzinfo=UTC)


def order(at: datetime, event_id: str | None = None) -> EventOrder:
    return EventOrder(at, event_id or str(uuid.uuid4()))


def test_an_event_supersedes_what_an_earlier_one_set_within_the_same_millisecond() -> None:
    earlier = order(NOW)
    later = order(NOW + timedelta(microseconds=400))

    assert later.supersedes(earlier)
    assert not earlier.supersedes(later)


def test_an_event_replayed_after_a_newer_one_supersedes_nothing() -> None:
    assert not order(NOW - timedelta(days=3)).supersedes(order(NOW))


def test_of_two_events_of_the_same_microsecond_the_one_handled_later_wins() -> None:
    first, second = order(NOW), order(NOW)

    assert second.supersedes(first)
    assert first.supersedes(second)


def test_the_same_event_delivered_again_supersedes_nothing() -> None:
    once = order(NOW, "e-1")

    assert not order(NOW, "e-1").supersedes(once)


def test_any_event_supersedes_state_set_before_the_order_was_kept() -> None:
    assert order(NOW - timedelta(days=3)).supersedes(None)


def test_the_stored_order_keeps_the_microseconds_the_stored_date_loses() -> None:
    kept = order(NOW + timedelta(microseconds=401), "e-1")
    document = kept.document()
    document["at"] = document["at"].replace(microsecond=1_000)  # what the database keeps

    assert EventOrder.from_document(document) == kept
    assert EventOrder.from_document(None) is None
