# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""A mentee's progress in detail: milestones, check-ins, confidence series and sessions, each a
page at a time, as the progress service lets the caller see them.

Who sees what (decided by progress, told here by ``sight``): the mentee and their current mentor
see everything; an admin of the mentee's program sees the figures (levels, dates, who, durations,
ratings) and null for every text a person wrote (notes, evidence, reasons); anyone else, a former
mentor included, gets FORBIDDEN, as for ``menteeProgress``.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import as_field_error
from gateway.features.enums import ParticipantRole
from gateway.features.progress_types import MenteeProgress
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.timestamps import moment, moment_or_none


@strawberry.enum(description="How much of a mentee's history you see.")
class HistorySight(Enum):
    FULL = strawberry.enum_value("full", description="Everything (the mentee, their mentor).")
    FIGURES = strawberry.enum_value(
        "figures",
        description="Figures and dates only (the program's admins): notes, evidence and "
        "reasons are null.",
    )


@strawberry.enum
class MilestoneEntryKind(Enum):
    COMPLETED = "completed"
    REOPENED = "reopened"


@strawberry.type(description="One completion or reopening of a milestone.")
class MilestoneHistoryEntry:
    kind: MilestoneEntryKind
    by: ParticipantRole
    at: dt.datetime
    evidence: str | None = strawberry.field(description="Given with a completion.")
    reason: str | None = strawberry.field(description="Why the mentor reopened it.")

    @classmethod
    def of(cls, body: dict[str, Any]) -> MilestoneHistoryEntry:
        return cls(
            kind=MilestoneEntryKind(body["kind"]),
            by=ParticipantRole(body["by"]),
            at=moment(body["at"]),
            evidence=body.get("evidence"),
            reason=body.get("reason"),
        )


@strawberry.type(description="One milestone of the mentee's path: done or not, and its history.")
class MilestoneProgress:
    milestone_id: strawberry.ID
    module_id: strawberry.ID
    title: str
    done: bool
    completed_at: dt.datetime | None = strawberry.field(description="When, if done.")
    completed_by: ParticipantRole | None
    evidence: str | None
    history: list[MilestoneHistoryEntry] = strawberry.field(description="Oldest first.")

    @classmethod
    def of(cls, body: dict[str, Any]) -> MilestoneProgress:
        by = body.get("completed_by")
        return cls(
            milestone_id=strawberry.ID(body["milestone_id"]),
            module_id=strawberry.ID(body["module_id"]),
            title=body["title"],
            done=body["done"],
            completed_at=moment_or_none(body.get("completed_at")),
            completed_by=None if by is None else ParticipantRole(by),
            evidence=body.get("evidence"),
            history=[MilestoneHistoryEntry.of(e) for e in body.get("history", [])],
        )


@strawberry.type(description="A confidence level a mentee or mentor recorded for a module.")
class CheckIn:
    id: strawberry.ID
    mentee_id: strawberry.ID
    module_id: strawberry.ID
    confidence: int
    assessed_by: ParticipantRole
    note: str | None
    recorded_at: dt.datetime

    @classmethod
    def of(cls, mentee_id: str, body: dict[str, Any]) -> CheckIn:
        return cls(
            id=strawberry.ID(body["check_in_id"]),
            mentee_id=strawberry.ID(mentee_id),
            module_id=strawberry.ID(body["module_id"]),
            confidence=body["confidence"],
            assessed_by=ParticipantRole(body["assessed_by"]),
            note=body.get("note"),
            recorded_at=moment(body["recorded_at"]),
        )


@strawberry.type(description="One point of a module's confidence series.")
class ConfidencePoint:
    check_in_id: strawberry.ID
    recorded_at: dt.datetime
    confidence: int
    assessed_by: ParticipantRole

    @classmethod
    def of(cls, body: dict[str, Any]) -> ConfidencePoint:
        return cls(
            check_in_id=strawberry.ID(body["check_in_id"]),
            recorded_at=moment(body["recorded_at"]),
            confidence=body["confidence"],
            assessed_by=ParticipantRole(body["assessed_by"]),
        )


@strawberry.type(description="A mentoring session that was held and logged.")
class LoggedSession:
    id: strawberry.ID
    mentee_id: strawberry.ID
    held_on: dt.date
    duration_minutes: int
    module_ids: list[strawberry.ID]
    notes: str | None
    logged_at: dt.datetime
    mentee_rating: int | None
    mentor_rating: int | None

    @classmethod
    def of(cls, mentee_id: str, body: dict[str, Any]) -> LoggedSession:
        return cls(
            id=strawberry.ID(body["session_id"]),
            mentee_id=strawberry.ID(mentee_id),
            held_on=dt.date.fromisoformat(body["held_on"]),
            duration_minutes=body["duration_minutes"],
            module_ids=[strawberry.ID(m) for m in body.get("module_ids", [])],
            notes=body.get("notes"),
            logged_at=moment(body["logged_at"]),
            mentee_rating=body.get("mentee_rating"),
            mentor_rating=body.get("mentor_rating"),
        )


async def history_read(
    info: GatewayInfo,
    mentee_id: str,
    path: str,
    params: Any = None,
    *,
    about: tuple[str, str] | None = None,
) -> Any:
    """A read of a mentee's history from progress; its refusals as the field's error (``about``:
    the kind and id a refusal names, the mentee by default)."""
    try:
        return await info.context.services.get("progress", f"/mentees/{mentee_id}{path}", params)
    except (ServiceRejected, ServiceUnavailable) as exc:
        raise as_field_error(exc, *(about or ("mentee", mentee_id))) from None


async def check_in_of(info: GatewayInfo, mentee_id: str, check_in_id: str) -> CheckIn:
    check_in = segment(check_in_id, "checkInId")
    body = await history_read(
        info, mentee_id, f"/check-ins/{check_in}", about=("check-in", check_in)
    )
    return CheckIn.of(mentee_id, body)


async def session_of(info: GatewayInfo, mentee_id: str, session_id: str) -> LoggedSession:
    session = segment(session_id, "sessionId")
    body = await history_read(info, mentee_id, f"/sessions/{session}", about=("session", session))
    return LoggedSession.of(mentee_id, body)


def _page_params(info: GatewayInfo, first: int, after: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"first": page_size(info, first)}
    if cursor_argument(after) is not None:
        params["after"] = after
    return params


@strawberry.type(description="A mentee's history in detail, a page at a time.")
class ProgressDetail:
    mentee_id: strawberry.ID
    sight: HistorySight

    @strawberry.field(description="Where the mentee stands (counts and trends per module).")
    async def progress(self, info: GatewayInfo) -> MenteeProgress | None:
        return MenteeProgress.of(await info.context.loaders.progress.load(str(self.mentee_id)))

    @strawberry.field(description="The milestones of the mentee's path, in the path's order.")
    async def milestones(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> Connection[MilestoneProgress] | None:
        mentee = str(self.mentee_id)
        page = await history_read(info, mentee, "/milestones", _page_params(info, first, after))
        return connection(page["items"], page.get("next_cursor"), MilestoneProgress.of)

    @strawberry.field(description="Check-ins, newest first: of every module, or of one.")
    async def check_ins(
        self,
        info: GatewayInfo,
        module_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[CheckIn] | None:
        mentee = str(self.mentee_id)
        params = _page_params(info, first, after)
        if module_id is not None:
            params["module_id"] = segment(str(module_id), "moduleId")
        page = await history_read(info, mentee, "/check-ins", params)
        return connection(
            page["items"], page.get("next_cursor"), lambda body: CheckIn.of(mentee, body)
        )

    @strawberry.field(
        description="One module's confidence levels, oldest first, by mentee and mentor."
    )
    async def confidence_series(
        self, info: GatewayInfo, module_id: strawberry.ID, first: int = 20, after: str | None = None
    ) -> Connection[ConfidencePoint] | None:
        module = segment(str(module_id), "moduleId")
        page = await history_read(
            info, str(self.mentee_id), f"/confidence/{module}", _page_params(info, first, after)
        )
        return connection(page["items"], page.get("next_cursor"), ConfidencePoint.of)

    @strawberry.field(description="Logged sessions, the latest held first.")
    async def sessions(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> Connection[LoggedSession] | None:
        mentee = str(self.mentee_id)
        page = await history_read(info, mentee, "/sessions", _page_params(info, first, after))
        return connection(
            page["items"], page.get("next_cursor"), lambda body: LoggedSession.of(mentee, body)
        )

    @strawberry.field(description="One check-in by its id.")
    async def check_in(self, info: GatewayInfo, id: strawberry.ID) -> CheckIn | None:
        return await check_in_of(info, str(self.mentee_id), str(id))

    @strawberry.field(description="One logged session by its id.")
    async def session(self, info: GatewayInfo, id: strawberry.ID) -> LoggedSession | None:
        return await session_of(info, str(self.mentee_id), str(id))


async def progress_detail(info: GatewayInfo, mentee_id: str) -> ProgressDetail:
    body = await history_read(info, mentee_id, "/sight")
    return ProgressDetail(mentee_id=strawberry.ID(mentee_id), sight=HistorySight(body["sight"]))


@strawberry.type
class Query:
    @strawberry.field(
        description="A mentee's history in detail: milestones, check-ins, confidence series "
        "and sessions. The mentee and their current mentor see everything; the program's "
        "admins see figures and dates, not notes, evidence or reasons (sight: FIGURES); "
        "anyone else gets FORBIDDEN."
    )
    async def mentee_progress_detail(
        self, info: GatewayInfo, mentee_id: strawberry.ID
    ) -> ProgressDetail | None:
        principal_of(info)
        return await progress_detail(info, segment(str(mentee_id), "menteeId"))
