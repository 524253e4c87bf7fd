"""The order of events that set the same state, kept beside that state (``EventOrder``; the
write that keeps a state only if its event is newer is ``mongo.keep_if_newer``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from mentorship_contracts import Envelope

Document = dict[str, Any]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class EventOrder:
    """When an event happened, to compare it with the event that last set some state of its
    aggregate (a mentee's mentor, a person's e-mail, a program's admins): an event replayed or
    redelivered after newer ones is older than what they set, and must not roll it back.

    Compared to the microsecond (stored as ``micros``: the database keeps a date to the
    millisecond only, and two events may happen within one). Event ids carry no order (random
    UUIDs), so of two different events of the same moment the one handled later wins, as it
    does when they are delivered in order; the id recognises the same event delivered again."""

    at: datetime
    event_id: str

    @classmethod
    def of(cls, event: Envelope[Any]) -> EventOrder:
        return cls(event.occurred_at.astimezone(UTC), str(event.event_id))

    def supersedes(self, last: EventOrder | None) -> bool:
        """This event may replace what ``last`` set (None: set before this was kept)."""
        if last is None:
            return True
        return self.micros > last.micros or (
            self.micros == last.micros and self.event_id != last.event_id
        )

    @property
    def micros(self) -> int:
        return (self.at - EPOCH) // timedelta(microseconds=1)

    def document(self) -> Document:
        return {"at": self.at, "micros": self.micros, "event_id": self.event_id}

    @classmethod
    def from_document(cls, document: Document | None) -> EventOrder | None:
        if not document:
            return None
        return cls(EPOCH + timedelta(microseconds=document["micros"]), document["event_id"])
