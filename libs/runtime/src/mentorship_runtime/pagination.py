"""Keyset pagination on (a timestamp, an id), the same in every API: opaque cursors, and the
query, order and page cut that a MongoDB store needs for them (``Keyset``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from mentorship_runtime.errors import Invalid

T = TypeVar("T")


def encode_cursor(moment: datetime, identifier: str) -> str:
    raw = json.dumps([moment.isoformat(), identifier]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, str]:
    """The (moment, id) of a cursor; ``Invalid`` on ``field`` for anything ``encode_cursor``
    could not have written, a moment at UTC outside years 1 to 9999 included (BSON cannot
    encode it: the query would fail in the driver)."""
    try:
        moment, identifier = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        found = datetime.fromisoformat(moment)
        return (found if found.tzinfo is None else found.astimezone(UTC)), str(identifier)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Invalid(field, "not a cursor returned by this API") from exc


@dataclass(frozen=True)
class Keyset:
    """Pages ordered by ``field`` (a timestamp) then ``_id``, oldest first or ``newest_first``.

    A store asks for ``first + 1`` documents matching ``where(query, after)`` in ``order``, and
    ``page`` keeps ``first`` of them with the cursor of the last one when there are more."""

    field: str
    newest_first: bool = False

    @property
    def order(self) -> list[tuple[str, int]]:
        direction = -1 if self.newest_first else 1
        return [(self.field, direction), ("_id", direction)]

    def where(self, query: Mapping[str, Any], after: str | None) -> dict[str, Any]:
        """``query`` narrowed to what comes after the cursor ``after`` (all of it without one);
        a query that has its own ``$or`` keeps it, the keyset joining it under ``$and``."""
        return self.beyond(query, None if after is None else decode_cursor(after))

    def beyond(
        self, query: Mapping[str, Any], position: tuple[datetime, str] | None
    ) -> dict[str, Any]:
        """``where`` for a cursor already decoded (and checked) into its (moment, id)."""
        narrowed = dict(query)
        if position is None:
            return narrowed
        moment, identifier = position
        beyond = "$lt" if self.newest_first else "$gt"
        keyset = [
            {self.field: {beyond: moment}},
            {self.field: moment, "_id": {beyond: identifier}},
        ]
        if "$or" in narrowed:
            narrowed["$and"] = [*narrowed.get("$and", []), {"$or": keyset}]
        else:
            narrowed["$or"] = keyset
        return narrowed

    def page(
        self, found: Sequence[T], first: int, key: Callable[[T], tuple[datetime, str]]
    ) -> tuple[list[T], str | None]:
        """The first ``first`` items of ``found`` (read with one more), and the cursor after
        the last of them when there were more."""
        items = list(found[:first])
        if len(found) <= first or not items:
            return items, None
        return items, encode_cursor(*key(items[-1]))
