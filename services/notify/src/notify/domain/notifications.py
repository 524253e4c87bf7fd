"""A notification: one message for one person about one occurrence."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from notify.domain.events import EventKind
from notify.domain.subjects import About


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


def notification_id(event_id: str, recipient_id: str, kind: EventKind) -> str:
    """Derived, never random: planning the same event twice yields the same ids, so a redelivered
    event is recognised downstream and nobody is told twice."""
    key = json.dumps([event_id, recipient_id, kind.value]).encode()
    return "n-" + hashlib.sha256(key).hexdigest()[:32]


@dataclass(frozen=True)
class CalendarInvite:
    """An iCalendar object sent with the e-mail: ``method`` is its iTIP method (REQUEST,
    CANCEL), ``ics`` the text of the calendar (``notify.domain.invitations``)."""

    method: str
    ics: str


@dataclass(frozen=True)
class Notification:
    notification_id: str
    recipient_id: str
    kind: EventKind
    priority: Priority
    title: str
    body: str
    html_body: str
    subject_id: str | None
    """The mentee it is about; None for one about several (a mentor's weekly digest)."""
    created_at: datetime
    event_id: str
    about: About = field(default_factory=About)
    calendar: CalendarInvite | None = None
