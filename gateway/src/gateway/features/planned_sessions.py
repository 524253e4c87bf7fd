# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Sessions planned ahead (progress), with the calendar invitations notify sends for them."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    INPUT,
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    as_field_error,
)
from gateway.features.enums import ParticipantRole
from gateway.features.mutations import IdempotencyKey, mutate
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment


@strawberry.enum(description="Where a planned session stands.")
class PlannedSessionStatus(Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"


@strawberry.type(
    description="A session planned ahead by a mentee or their mentor. Both receive an e-mail "
    "with a calendar invitation when it is planned, rescheduled or cancelled. When the match "
    "ends or the mentee withdraws, the sessions still ahead are cancelled for both."
)
class PlannedSession:
    id: strawberry.ID
    mentee_id: strawberry.ID
    mentor_id: strawberry.ID
    program_id: strawberry.ID
    status: PlannedSessionStatus
    sequence: int = strawberry.field(
        description="The invitation's revision: 0 when planned, one more for each change."
    )
    starts_at: dt.datetime
    ends_at: dt.datetime
    time_zone: str = strawberry.field(description="The IANA zone it was planned in.")
    local_start: str = strawberry.field(description="The start on that zone's clock.")
    duration_minutes: int
    location: str | None
    video_url: str | None
    module_ids: list[strawberry.ID]
    planned_by: ParticipantRole
    cancel_reason: str | None
    unconfirmed: bool = strawberry.field(
        description="Still scheduled after its end: nobody confirmed it was held."
    )

    @classmethod
    def of(cls, body: dict[str, Any]) -> PlannedSession:
        return cls(
            id=strawberry.ID(body["id"]),
            mentee_id=strawberry.ID(body["mentee_id"]),
            mentor_id=strawberry.ID(body["mentor_id"]),
            program_id=strawberry.ID(body["program_id"]),
            status=PlannedSessionStatus(body["status"]),
            sequence=body["sequence"],
            starts_at=dt.datetime.fromisoformat(body["starts_at"]),
            ends_at=dt.datetime.fromisoformat(body["ends_at"]),
            time_zone=body["time_zone"],
            local_start=body["local_start"],
            duration_minutes=body["duration_minutes"],
            location=body.get("location"),
            video_url=body.get("video_url"),
            module_ids=[strawberry.ID(m) for m in body.get("module_ids", [])],
            planned_by=ParticipantRole(body["planned_by"]),
            cancel_reason=body.get("cancel_reason"),
            unconfirmed=bool(body.get("unconfirmed")),
        )


@strawberry.input(description="When and where a session takes place.")
class SessionScheduleInput:
    local_start: str = strawberry.field(
        description="The date and time on the clock of timeZone, e.g. 2027-01-12T14:30: in the "
        "future, at most a year ahead. A time the clocks skip is refused; one they repeat is "
        "its first occurrence."
    )
    time_zone: str = strawberry.field(description="An IANA time zone, e.g. Europe/Paris.")
    duration_minutes: int = strawberry.field(description="5 to 480 minutes.")
    location: str | None = strawberry.field(
        default=None, description="Where you meet (one line, up to 300 characters)."
    )
    video_url: str | None = strawberry.field(
        default=None, description="An https:// meeting link (at least a place or a link)."
    )
    module_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The modules of the mentee's path you plan to cover."
    )

    def body(self) -> dict[str, Any]:
        return {
            "local_start": self.local_start,
            "time_zone": self.time_zone,
            "duration_minutes": self.duration_minutes,
            "location": self.location,
            "video_url": self.video_url,
            "module_ids": [str(m) for m in self.module_ids],
        }


PlannedSessionResult = Annotated[
    PlannedSession | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("PlannedSessionResult"),
]
PLAN = Arguments(
    prefix=INPUT.prefix,
    fields={"mentee_id": ("menteeId",), "planned_session_id": ("plannedSessionId",)},
)
CHANGE = Arguments(prefix=INPUT.prefix, fields={"planned_session_id": ("plannedSessionId",)})
ARGUMENTS = Arguments()


def _planned_path(planned_session_id: strawberry.ID) -> str:
    return f"/planned-sessions/{segment(str(planned_session_id), 'plannedSessionId')}"


async def planned_session_of(info: GatewayInfo, planned_session_id: str) -> PlannedSession:
    """One planned session, as progress shows it to the caller (its mentee and current mentor; a
    field error with a code for anyone else, or for an id that names none)."""
    planned = segment(planned_session_id, "plannedSessionId")
    try:
        body = await info.context.services.get("progress", f"/planned-sessions/{planned}")
    except (ServiceRejected, ServiceUnavailable) as exc:
        raise as_field_error(exc, "planned session", planned) from None
    return PlannedSession.of(body)


@strawberry.enum(description="Which of a mentee's planned sessions to list.")
class PlannedSessionsWhen(Enum):
    UPCOMING = strawberry.enum_value(
        "upcoming", description="Those not started yet, the earliest first."
    )
    PAST = strawberry.enum_value(
        "past",
        description="Those whose start has passed (the ones to confirm as held), the latest first.",
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="A mentee's planned sessions, a page at a time: the upcoming ones, the "
        "earliest first (the default), or the past ones, the latest first; each whatever its "
        "status (a cancelled one shows as CANCELLED, a past one nobody confirmed as "
        "unconfirmed). For the mentee and their current mentor (FORBIDDEN for anyone else, "
        "admins included: the place and the link are theirs). A cursor continues the list "
        "(`when`) that gave it: another is BAD_USER_INPUT, as is `first` outside 1 to 100."
    )
    async def planned_sessions(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        when: PlannedSessionsWhen = PlannedSessionsWhen.UPCOMING,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[PlannedSession] | None:
        principal_of(info)
        mentee = segment(str(mentee_id), "menteeId")
        params: dict[str, Any] = {"when": when.value, "first": page_size(info, first)}
        if cursor_argument(after) is not None:
            params["after"] = after
        try:
            page = await info.context.services.get(
                "progress", f"/mentees/{mentee}/planned-sessions", params
            )
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "mentee", str(mentee_id)) from None
        return connection(page["items"], page.get("next_cursor"), PlannedSession.of)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Plan a session with your mentee or your mentor (either side of an active "
        "match). Both get an e-mail with a calendar invitation (METHOD:REQUEST)."
    )
    async def plan_session(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        input: SessionScheduleInput,
        planned_session_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Your id for it: retries are safe."),
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> PlannedSessionResult | None:
        principal_of(info)
        body = input.body()
        if planned_session_id is not None:
            body["planned_session_id"] = str(planned_session_id)
        result: PlannedSessionResult = await mutate(
            info.context.services.post(
                "progress",
                f"/mentees/{segment(str(mentee_id), 'menteeId')}/planned-sessions",
                body,
                idempotency_key=idempotency_key,
            ),
            PlannedSession.of,
            PLAN,
        )
        return result

    @strawberry.mutation(
        description="Move a planned session, or change its place, link, duration or modules. "
        "Both sides get the updated invitation (same event, higher SEQUENCE)."
    )
    async def reschedule_planned_session(
        self, info: GatewayInfo, planned_session_id: strawberry.ID, input: SessionScheduleInput
    ) -> PlannedSessionResult | None:
        principal_of(info)
        result: PlannedSessionResult = await mutate(
            info.context.services.request(
                "progress", "PUT", _planned_path(planned_session_id), json=input.body()
            ),
            PlannedSession.of,
            CHANGE,
        )
        return result

    @strawberry.mutation(
        description="Cancel a planned session (final). Both sides get a cancellation "
        "(METHOD:CANCEL) that removes it from their calendars."
    )
    async def cancel_planned_session(
        self,
        info: GatewayInfo,
        planned_session_id: strawberry.ID,
        reason: Annotated[
            str | None, strawberry.argument(description="Told to both sides.")
        ] = None,
    ) -> PlannedSessionResult | None:
        principal_of(info)
        result: PlannedSessionResult = await mutate(
            info.context.services.post(
                "progress", f"{_planned_path(planned_session_id)}/cancel", {"reason": reason}
            ),
            PlannedSession.of,
            ARGUMENTS,
        )
        return result

    @strawberry.mutation(
        description="Say a planned session took place, once it has started: it is logged as "
        "a session of the mentee (its id the planned session's) and counts like one. A planned "
        "session nobody confirms is never counted as held."
    )
    async def confirm_planned_session(
        self,
        info: GatewayInfo,
        planned_session_id: strawberry.ID,
        notes: str | None = None,
        rating: Annotated[
            int | None, strawberry.argument(description="Your rating, 1 to 5.")
        ] = None,
    ) -> PlannedSessionResult | None:
        principal_of(info)
        result: PlannedSessionResult = await mutate(
            info.context.services.post(
                "progress",
                f"{_planned_path(planned_session_id)}/held",
                {"notes": notes, "rating": rating},
            ),
            PlannedSession.of,
            ARGUMENTS,
        )
        return result
