"""Requests about a person's data: an export (GDPR articles 15 and 20) or an erasure (article 17)
asked of every service.

Mentoring records the request and announces it on ``mentoring.data_requests``; each service
(mentoring too) builds its part of an export from its own data, keeps it, and announces it ready,
or erases what it holds about the person and says it is done, on its own
``<service>.data_requests`` topic. Every event is keyed by the request id, so one request's
events stay in order on each topic. No event carries personal data: ids and counts only. The
parts themselves never travel through Kafka (a person's notes can exceed a message); the
gateway reads them from each service's HTTP API.
"""

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Id
from mentorship_contracts.topics import Topic

CountName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
DataService = Literal["mentoring", "progress", "notify"]


class PersonalDataExportRequested(
    EventPayload,
    type="mentoring.personal_data.export_requested",
    version=1,
    topic=Topic.MENTORING_DATA_REQUESTS,
    key_field="export_id",
):
    """Someone asked for a copy of a person's data: each service builds its part."""

    export_id: Id
    subject_user_id: Id = Field(description="The account of the person whose data is exported.")
    participant_ids: list[Id] = Field(
        max_length=500,
        description="The person's participations covered: all of them for the person's own "
        "request, the one given for an admin's request.",
    )
    program_ids: list[Id] = Field(
        max_length=500, description="The programs of those participations."
    )
    scope: Literal["person", "participation"] = Field(
        description="person: everything the platform holds about the account; participation: "
        "only what concerns the participations named (an admin's request)."
    )
    requested_by: Id = Field(description="The account that asked.")
    requested_at: AwareDatetime


class _PartReady(EventPayload):
    export_id: Id
    service: DataService
    counts: dict[CountName, Annotated[int, Field(ge=0)]] = Field(
        max_length=50, description="How many records of each kind the part holds."
    )
    ready_at: AwareDatetime
    expires_at: AwareDatetime = Field(description="When the service deletes the part.")


class MentoringExportPartReady(
    _PartReady,
    type="mentoring.personal_data.export_part_ready",
    version=1,
    topic=Topic.MENTORING_DATA_REQUESTS,
    key_field="export_id",
):
    """Mentoring's part of an export (profiles, matches, proposals) is built and kept."""


class ProgressExportPartReady(
    _PartReady,
    type="progress.personal_data.export_part_ready",
    version=1,
    topic=Topic.PROGRESS_DATA_REQUESTS,
    key_field="export_id",
):
    """Progress's part of an export (check-ins, milestones, sessions) is built and kept."""


class NotifyExportPartReady(
    _PartReady,
    type="notify.personal_data.export_part_ready",
    version=1,
    topic=Topic.NOTIFY_DATA_REQUESTS,
    key_field="export_id",
):
    """Notify's part of an export (notifications, preferences, deliveries) is built and kept."""


class PersonalDataErasureRequested(
    EventPayload,
    type="mentoring.personal_data.erasure_requested",
    version=1,
    topic=Topic.MENTORING_DATA_REQUESTS,
    key_field="erasure_id",
):
    """A person's data is to be erased (GDPR article 17): each service deletes what it holds
    about them, or replaces it with a pseudonym where a record must stay for others (a match in
    a mentor's history, a count in a report), and says so."""

    erasure_id: Id
    subject_user_id: Id = Field(description="The account of the person whose data is erased.")
    participant_ids: list[Id] = Field(
        max_length=500,
        description="The person's participations erased: all of them for the person's own "
        "request, the one given for an admin's request.",
    )
    program_ids: list[Id] = Field(
        max_length=500,
        description="The programs of those participations; for a person who takes part in "
        "none, the programs they run as an admin (scope person).",
    )
    scope: Literal["person", "participation"] = Field(
        description="person: everything the platform holds about the account; participation: "
        "only what concerns the participations named (an admin's request)."
    )
    requested_by: Id = Field(description="The account that asked.")
    requested_at: AwareDatetime


class _ErasureDone(EventPayload):
    erasure_id: Id
    service: DataService
    counts: dict[CountName, Annotated[int, Field(ge=0)]] = Field(
        max_length=50, description="How many records of each kind were deleted or pseudonymised."
    )
    done_at: AwareDatetime


class MentoringErasureDone(
    _ErasureDone,
    type="mentoring.personal_data.erasure_done",
    version=1,
    topic=Topic.MENTORING_DATA_REQUESTS,
    key_field="erasure_id",
):
    """Mentoring erased its records of the person (profiles, provisioned accounts, exports) and
    pseudonymised the matches others keep."""


class ProgressErasureDone(
    _ErasureDone,
    type="progress.personal_data.erasure_done",
    version=1,
    topic=Topic.PROGRESS_DATA_REQUESTS,
    key_field="erasure_id",
):
    """Progress erased what the person wrote and what was written about them (notes, evidence,
    session notes, places), keeping the figures reports count."""


class NotifyErasureDone(
    _ErasureDone,
    type="notify.personal_data.erasure_done",
    version=1,
    topic=Topic.NOTIFY_DATA_REQUESTS,
    key_field="erasure_id",
):
    """Notify erased the person's directory entry, notifications, deliveries and preferences,
    and the person's name from the notifications others keep."""
