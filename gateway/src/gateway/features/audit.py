# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""A program's audit trail for its admins: who did what to which object, when, with the values
before and after, newest first (one mentoring call per page). The whole trail downloads as CSV
(``gateway.audit_csv``)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any
from urllib.parse import quote

import strawberry
from strawberry.scalars import JSON

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    Arguments,
    Conflict,
    Forbidden,
    MutationFailure,
    NotFound,
    ValidationError,
    mutation_failure,
    unauthenticated,
    unavailable,
)
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceCalls, ServiceRejected, ServiceUnavailable, segment

AUDIT_ARGUMENTS = Arguments(
    fields={"program_id": ("programId",), "first": ("first",), "after": ("after",)}
)
CSV_ROUTE = "/audit/programs/{program_id}.csv"


@strawberry.enum(description="What an administrative action was (the audit trail's kinds).")
class AuditAction(Enum):
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


@strawberry.enum(description="What an administrative action was done to.")
class AuditedObjectKind(Enum):
    PROGRAM = "program"
    ADMIN = "admin"
    PARTICIPANT = "participant"
    MATCH = "match"
    MATCHING_RUN = "matching_run"
    IMPORT = "import"
    DATA_EXPORT = "data_export"
    DATA_ERASURE = "data_erasure"
    SCIM_TOKEN = "scim_token"  # noqa: S105 (a kind's name)


@strawberry.type(
    description="One administrative action, as recorded when it was done. People are named by "
    "their ids only (a user id for the actor and for admins, a participant id otherwise)."
)
class AuditRecord:
    id: strawberry.ID
    at: datetime = strawberry.field(description="When the action was done.")
    actor_id: strawberry.ID = strawberry.field(description="The user id of who did it.")
    action: AuditAction
    object_kind: AuditedObjectKind
    object_id: strawberry.ID = strawberry.field(
        description="The program, admin (a user id), participant, match, matching run, "
        "import, data export or erasure, or SCIM token acted on."
    )
    before: JSON | None = strawberry.field(
        description="The values the action changed, as they were (null when nothing was)."
    )
    after: JSON | None = strawberry.field(
        description="The values the action set, or what it did in counts (null when none)."
    )

    @classmethod
    def of(cls, body: dict[str, Any]) -> AuditRecord:
        return cls(
            id=strawberry.ID(body["id"]),
            at=datetime.fromisoformat(body["at"]),
            actor_id=strawberry.ID(body["actor_id"]),
            action=AuditAction(body["action"]),
            object_kind=AuditedObjectKind(body["object_kind"]),
            object_id=strawberry.ID(body["object_id"]),
            before=body["before"],
            after=body["after"],
        )


@strawberry.type(description="A page of a program's audit trail, newest first.")
class AuditLog(Connection[AuditRecord]):
    csv_path: str = strawberry.field(
        description="The gateway's path (GET, with the same bearer token) that downloads the "
        "whole trail as CSV for a spreadsheet."
    )


AuditLogResult = Annotated[
    AuditLog | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("AuditLogResult"),
]


def csv_path(program_id: str) -> str:
    return CSV_ROUTE.format(program_id=quote(program_id, safe=""))


async def fetch_page(
    services: ServiceCalls, program_id: str, first: int, after: str | None
) -> dict[str, Any] | MutationFailure:
    """A page of the trail from mentoring, or its refusal as the schema's error types; a service
    that cannot answer raises ``ServiceUnavailable``."""
    params: dict[str, Any] = {"first": first, **({"after": after} if after is not None else {})}
    path = segment(program_id, "programId")
    try:
        page: dict[str, Any] = await services.get("mentoring", f"/programs/{path}/audit", params)
    except ServiceRejected as exc:
        if exc.status == 401:
            raise unauthenticated("the service refused the token") from None
        return mutation_failure(exc, AUDIT_ARGUMENTS)
    return page


@strawberry.type
class Query:
    @strawberry.field(
        description="A program's audit trail, newest first (its admins; Forbidden for anyone "
        "else): every administrative action done in it, who did it, when, on which object, "
        "with the values before and after. Also as CSV: csvPath."
    )
    async def audit_log(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        first: int = 20,
        after: str | None = None,
    ) -> AuditLogResult | None:
        principal_of(info)
        size = page_size(info, first)
        try:
            found = await fetch_page(
                info.context.services, str(program_id), size, cursor_argument(after)
            )
        except ServiceUnavailable as exc:
            raise unavailable(exc) from None
        if not isinstance(found, dict):
            return found
        page = connection(found["items"], found.get("next_cursor"), AuditRecord.of)
        return AuditLog(
            edges=page.edges, page_info=page.page_info, csv_path=csv_path(str(program_id))
        )
