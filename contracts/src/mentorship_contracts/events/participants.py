"""Who takes part in which program (producer: mentoring; topic ``mentoring.participants``)."""

from pydantic import Field

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Email, Id, Language, Name, Role, Text
from mentorship_contracts.topics import Topic


class ParticipantRegistered(
    EventPayload,
    type="mentoring.participant.registered",
    version=1,
    topic=Topic.MENTORING_PARTICIPANTS,
    key_field="participant_id",
):
    """Someone joined a program as a mentor, a mentee or both."""

    participant_id: Id
    program_id: Id
    user_id: Id | None = Field(default=None, description="The person's account (JWT subject).")
    roles: list[Role] = Field(min_length=1)
    display_name: Name
    email: Email
    language: Language = "en"
    timezone: str = Field(default="UTC", description="IANA time zone, e.g. Europe/Paris.")
    department: Name | None = None


class ParticipantUpdated(
    EventPayload,
    type="mentoring.participant.updated",
    version=1,
    topic=Topic.MENTORING_PARTICIPANTS,
    key_field="participant_id",
):
    """A profile changed: the fields that are set carry their new value."""

    participant_id: Id
    program_id: Id
    roles: list[Role] | None = None
    display_name: Name | None = None
    email: Email | None = None
    language: Language | None = None
    timezone: str | None = None
    department: Name | None = None


class ParticipantWithdrawn(
    EventPayload,
    type="mentoring.participant.withdrawn",
    version=1,
    topic=Topic.MENTORING_PARTICIPANTS,
    key_field="participant_id",
):
    """Someone left a program."""

    participant_id: Id
    program_id: Id
    reason: Text | None = None
