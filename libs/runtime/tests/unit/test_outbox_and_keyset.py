"""The outbox's one call builds what a store writes; the keyset pages the same way everywhere."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import CheckInRecorded
from mentorship_runtime.errors import Invalid
from mentorship_runtime.outbox import (
    OUTBOX,
    OUTBOX_PENDING,
    OUTBOX_SINCE,
    Outbox,
    OutboxRelay,
    without_outbox,
    written_entries,
)
from mentorship_runtime.pagination import Keyset, decode_cursor, encode_cursor

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def checked_in(n: int) -> Envelope[CheckInRecorded]:
    return new_envelope(
        CheckInRecorded(
            mentee_id="e-1",
            program_id="p-1",
            check_in_id=f"c-{n}",
            module_id="purpose",
            confidence=3,
            assessed_by="mentee",
        ),
        producer="progress",
    )


def outbox() -> Outbox:
    relay: Any = OutboxRelay.__new__(OutboxRelay)  # never asked to publish here
    return Outbox(relay, clock=lambda: NOW, topic_prefix="t1.")


def test_an_update_carries_its_events_beside_the_state_change_it_was_given() -> None:
    events = [checked_in(1), checked_in(2)]
    update = outbox().update({"$set": {"state": "active"}, "$inc": {"n": 1}}, events)
    assert update["$set"] == {"state": "active", OUTBOX_SINCE: NOW, OUTBOX_PENDING: True}
    assert update["$inc"] == {"n": 1}
    entries = update["$push"][OUTBOX]["$each"]
    assert [e["event_id"] for e in entries] == [str(e.event_id) for e in events]
    assert {e["topic"] for e in entries} == {"t1.progress.events"}


def test_an_update_without_events_is_left_as_it_was() -> None:
    assert outbox().update({"$set": {"state": "paused"}}, []) == {"$set": {"state": "paused"}}


def test_a_new_document_carries_its_events_and_gives_them_back() -> None:
    events = [checked_in(3)]
    document = outbox().document({"_id": "e-1", "state": "active"}, events)
    assert document["state"] == "active"
    assert document[OUTBOX_PENDING] is True
    assert [e["event_id"] for e in written_entries(document)] == [str(events[0].event_id)]
    assert written_entries({"_id": "e-2"}) == []
    assert outbox().document({"_id": "e-3"}, []) == {"_id": "e-3"}


def test_the_hidden_projection_leaves_out_every_outbox_field_and_those_named() -> None:
    assert without_outbox("seen_events") == {
        OUTBOX: 0,
        OUTBOX_SINCE: 0,
        OUTBOX_PENDING: 0,
        "seen_events": 0,
    }


@pytest.mark.parametrize("newest_first", [False, True])
def test_keyset_pages_cover_every_item_once_in_order(newest_first: bool) -> None:
    keyset = Keyset("at", newest_first=newest_first)
    # several items share a moment: the id breaks the tie
    items = [(NOW + timedelta(minutes=i // 3), f"id-{i:02d}") for i in range(20)]
    ordered = sorted(items, reverse=newest_first)

    def read(after: str | None, first: int) -> list[tuple[datetime, str]]:
        """What a store returns for ``where`` and ``order``: the items past the cursor."""
        if after is None:
            return ordered[: first + 1]
        moment, identifier = decode_cursor(after)
        past = [
            i
            for i in ordered
            if (i > (moment, identifier) if not newest_first else i < (moment, identifier))
        ]
        return past[: first + 1]

    seen: list[tuple[datetime, str]] = []
    cursor: str | None = None
    while True:
        page, cursor = keyset.page(read(cursor, 6), 6, lambda i: i)
        seen += page
        if cursor is None:
            break
    assert seen == ordered


def test_keyset_where_adds_the_position_and_keeps_a_query_of_its_own() -> None:
    cursor = encode_cursor(NOW, "m-9")
    assert Keyset("proposed_at").where({"program_id": "p-1"}, None) == {"program_id": "p-1"}
    assert Keyset("proposed_at").where({"program_id": "p-1"}, cursor) == {
        "program_id": "p-1",
        "$or": [
            {"proposed_at": {"$gt": NOW}},
            {"proposed_at": NOW, "_id": {"$gt": "m-9"}},
        ],
    }
    own = {"$or": [{"mentee_id": "a"}, {"mentor_id": "a"}]}
    narrowed = Keyset("ran_at", newest_first=True).where(own, cursor)
    assert narrowed["$or"] == own["$or"]
    assert narrowed["$and"] == [
        {"$or": [{"ran_at": {"$lt": NOW}}, {"ran_at": NOW, "_id": {"$lt": "m-9"}}]}
    ]
    assert Keyset("at", newest_first=True).order == [("at", -1), ("_id", -1)]


def test_keyset_refuses_a_cursor_it_did_not_make() -> None:
    with pytest.raises(Invalid):
        Keyset("at").where({}, "not-a-cursor")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_cursor_whose_moment_is_beyond_the_years_bson_encodes_is_refused(moment: str) -> None:
    forged = base64.urlsafe_b64encode(json.dumps([moment, "a"]).encode()).decode()
    with pytest.raises(Invalid):
        decode_cursor(forged)


def test_a_last_page_has_no_cursor_and_an_empty_page_neither() -> None:
    keyset = Keyset("at")
    assert keyset.page([(NOW, "a")], 1, lambda i: i) == ([(NOW, "a")], None)
    assert keyset.page([], 5, lambda i: i) == ([], None)
    items, cursor = keyset.page([(NOW, "a"), (NOW, "b")], 1, lambda i: i)
    assert items == [(NOW, "a")]
    assert cursor is not None
    assert decode_cursor(cursor) == (NOW, "a")
