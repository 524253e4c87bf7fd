"""Sessions planned ahead by a mentee or their mentor (producer: progress; topic
``progress.events``, keyed by mentee).

Each event carries the whole planned session as it stands after the change, so that notify can
send a complete calendar invitation without calling back: ``sequence`` starts at 0 and grows by
one with each reschedule and with the cancellation (RFC 5545's SEQUENCE), and
``planned_session_id`` is the invitation's stable identity.
"""

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Id, Text
from mentorship_contracts.topics import Topic

Side = Literal["mentee", "mentor"]
TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Place = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Link = Annotated[str, StringConstraints(min_length=8, max_length=2000, pattern=r"^https?://")]


class _PlannedSessionEvent(EventPayload):
    mentee_id: Id
    mentor_id: Id
    program_id: Id
    planned_session_id: Id
    sequence: int = Field(ge=0, le=10_000, description="0 when planned, +1 for each change")
    starts_at: AwareDatetime = Field(description="The start, as an instant (UTC).")
    time_zone: TimeZoneName = Field(description="The IANA zone the session was planned in.")
    duration_minutes: int = Field(gt=0, le=480)
    location: Place | None = None
    video_url: Link | None = None
    module_ids: list[Id] = Field(default_factory=list)
    changed_by: Literal["mentee", "mentor", "platform"] = Field(
        description="Who planned, rescheduled or cancelled it: the platform cancels the sessions "
        "still ahead when their match ends or the mentee withdraws."
    )
    planned_by: Side = Field(description="Who planned it: the invitation's organizer.")


class SessionPlanned(
    _PlannedSessionEvent,
    type="progress.session.planned",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """A session was planned for a future moment (sequence 0)."""


class PlannedSessionRescheduled(
    _PlannedSessionEvent,
    type="progress.session.rescheduled",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """A planned session moved, or its place, link, duration or modules changed."""

    previous_starts_at: AwareDatetime


class PlannedSessionCancelled(
    _PlannedSessionEvent,
    type="progress.session.cancelled",
    version=1,
    topic=Topic.PROGRESS_EVENTS,
    key_field="mentee_id",
):
    """A planned session will not take place; the fields say what was planned."""

    reason: Text | None = None
