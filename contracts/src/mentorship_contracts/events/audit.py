"""The audit trail of administrative actions (producer: mentoring; topic ``mentoring.audit``,
keyed by program).

Each event records one action, written in the same outbox write as the change it records, so
that a change is never without its record nor a record without its change. It names people by
their user or participant id only, never by name or e-mail address, so that a record outlives a
person's erasure without holding their personal data.
"""

from enum import StrEnum
from typing import Literal

from pydantic import Field, JsonValue

from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.common import Id
from mentorship_contracts.topics import Topic


class AdminAction(StrEnum):
    """The closed set of actions the audit trail records. A new kind is one more member here
    (an added enum value is a compatible change: ``make contracts-snapshot``)."""

    PROGRAM_CREATED = "program_created"
    PROGRAM_CHANGED = "program_changed"
    PROGRAM_OPENED = "program_opened"
    PROGRAM_CLOSED = "program_closed"
    ADMIN_ADDED = "admin_added"
    ADMIN_REMOVED = "admin_removed"
    PARTICIPANTS_IMPORTED = "participants_imported"
    PARTICIPANT_PROVISIONED = "participant_provisioned"
    PARTICIPANT_REGISTERED = "participant_registered"
    PARTICIPANT_CHANGED = "participant_changed"
    MATCHING_PREVIEWED = "matching_previewed"
    MATCHING_RUN = "matching_run"
    MATCH_PROPOSED = "match_proposed"
    PROPOSAL_CANCELLED = "proposal_cancelled"
    MATCH_ENDED = "match_ended"
    PARTICIPANT_WITHDRAWN = "participant_withdrawn"
    DATA_EXPORTED = "data_exported"
    DATA_ERASED = "data_erased"
    SCIM_TOKEN_CREATED = "scim_token_created"  # noqa: S105 (an action's name)
    SCIM_TOKEN_REVOKED = "scim_token_revoked"  # noqa: S105 (an action's name)


AuditedKind = Literal[
    "program",
    "admin",
    "participant",
    "match",
    "matching_run",
    "import",
    "data_export",
    "data_erasure",
    "scim_token",
]
"""What an action was done to: ``admin`` is a user id, ``import`` an import's id, ``scim_token``
a SCIM token's id (never its secret), the others the service's own ids."""


class AdminActionRecorded(
    EventPayload,
    type="mentoring.admin_action.recorded",
    version=1,
    topic=Topic.MENTORING_AUDIT,
    key_field="program_id",
):
    """An administrative action done in a program: who (``actor_id``, a user id), what
    (``action``), on which object, and the values it changed (``before`` and ``after``: a
    setting's old and new value, a person's ids and status; absent where nothing was before or
    nothing stays). When: the envelope's ``occurred_at``."""

    program_id: Id
    actor_id: Id
    action: AdminAction
    object_kind: AuditedKind
    object_id: Id
    before: dict[str, JsonValue] | None = Field(
        default=None, description="the values the action changed, as they were"
    )
    after: dict[str, JsonValue] | None = Field(
        default=None, description="the values the action set, or what it did (counts)"
    )
