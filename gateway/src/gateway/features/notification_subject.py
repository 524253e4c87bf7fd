# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""What a notification is about: the ids notify kept with it, each resolvable to its object
through the same loaders and visibility as every other field (a former mentor, for instance,
gets FORBIDDEN on ``checkIn``).

A notification stored before notify kept these ids names only its mentee (its ``subjectId``);
the other ids are then null, never an error.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from gateway.context import GatewayInfo
from gateway.features.matches import Match
from gateway.features.participants import Participant
from gateway.features.planned_sessions import PlannedSession, planned_session_of
from gateway.features.programs import Program
from gateway.features.progress_detail import (
    CheckIn,
    LoggedSession,
    ProgressDetail,
    check_in_of,
    progress_detail,
    session_of,
)
from gateway.services import segment
from mentorship_contracts.events import NotificationAbout

IDS = (
    "program_id",
    "mentee_id",
    "match_id",
    "module_id",
    "milestone_id",
    "check_in_id",
    "session_id",
    "learning_path_id",
    "planned_session_id",
)
WEEKLY_DIGEST = "mentor.weekly_digest"
"""The kind of a mentor's weekly digest: about their program only, it opens their dashboard."""


@strawberry.enum(description="The page a notification opens: the most precise thing it names.")
class NotificationTarget(Enum):
    SESSION = "session"
    PLANNED_SESSION = "planned_session"
    CHECK_IN = "check_in"
    MILESTONE = "milestone"
    MODULE = "module"
    MATCH = "match"
    LEARNING_PATH = "learning_path"
    MENTEE = "mentee"
    DASHBOARD = strawberry.enum_value(
        "dashboard", description="The mentor's dashboard, e.g. for their weekly digest."
    )


TARGETS: tuple[tuple[str, NotificationTarget], ...] = (
    ("session_id", NotificationTarget.SESSION),
    ("planned_session_id", NotificationTarget.PLANNED_SESSION),
    ("check_in_id", NotificationTarget.CHECK_IN),
    ("milestone_id", NotificationTarget.MILESTONE),
    ("module_id", NotificationTarget.MODULE),
    ("match_id", NotificationTarget.MATCH),
    ("learning_path_id", NotificationTarget.LEARNING_PATH),
    ("mentee_id", NotificationTarget.MENTEE),
)


@strawberry.type(
    description="What a notification is about. Each id is null when the notification does not "
    "name it (older notifications name only their mentee); each object field resolves its id "
    "as you may see it."
)
class NotificationSubject:
    program_id: strawberry.ID | None
    mentee_id: strawberry.ID | None = strawberry.field(description="The mentee's participant id.")
    match_id: strawberry.ID | None
    module_id: strawberry.ID | None
    milestone_id: strawberry.ID | None
    check_in_id: strawberry.ID | None
    session_id: strawberry.ID | None
    learning_path_id: strawberry.ID | None
    planned_session_id: strawberry.ID | None = strawberry.field(
        description="The session planned ahead, for its planning, reschedule or cancellation, "
        "or the reminder to confirm it took place."
    )
    kind: strawberry.Private[str | None] = None

    @classmethod
    def of(
        cls, about: dict[str, Any] | None, subject_id: str | None, kind: str | None = None
    ) -> NotificationSubject:
        """From notify's ids; without them, the mentee named by ``subject_id``."""
        found = {name: (about or {}).get(name) for name in IDS}
        if not found["mentee_id"] and subject_id:
            found["mentee_id"] = subject_id
        ids = {name: strawberry.ID(value) if value else None for name, value in found.items()}
        return cls(**ids, kind=kind)

    @classmethod
    def created(
        cls, about: NotificationAbout | None, subject_id: str | None, kind: str | None = None
    ) -> NotificationSubject:
        return cls.of(about.model_dump() if about else None, subject_id, kind)

    @strawberry.field(
        description="The page to open: the most precise thing it names; a mentor's weekly "
        "digest, about all their mentees, their dashboard."
    )
    def opens(self) -> NotificationTarget | None:
        if self.kind == WEEKLY_DIGEST:
            return NotificationTarget.DASHBOARD
        return next((target for name, target in TARGETS if getattr(self, name)), None)

    @strawberry.field
    async def program(self, info: GatewayInfo) -> Program | None:
        if self.program_id is None:
            return None
        return Program.of(await info.context.loaders.program.load(segment(self.program_id)))

    @strawberry.field
    async def mentee(self, info: GatewayInfo) -> Participant | None:
        if self.mentee_id is None:
            return None
        return Participant.of(await info.context.loaders.participant.load(segment(self.mentee_id)))

    @strawberry.field
    async def match(self, info: GatewayInfo) -> Match | None:
        if self.match_id is None:
            return None
        return Match.of(await info.context.loaders.match.load(segment(self.match_id)))

    @strawberry.field(description="The mentee's history in detail (milestones, check-ins...).")
    async def progress(self, info: GatewayInfo) -> ProgressDetail | None:
        if self.mentee_id is None:
            return None
        return await progress_detail(info, segment(self.mentee_id, "menteeId"))

    @strawberry.field(description="The check-in, e.g. the one whose confidence dropped.")
    async def check_in(self, info: GatewayInfo) -> CheckIn | None:
        if self.mentee_id is None or self.check_in_id is None:
            return None
        return await check_in_of(info, segment(self.mentee_id, "menteeId"), self.check_in_id)

    @strawberry.field
    async def session(self, info: GatewayInfo) -> LoggedSession | None:
        if self.mentee_id is None or self.session_id is None:
            return None
        return await session_of(info, segment(self.mentee_id, "menteeId"), self.session_id)

    @strawberry.field(
        description="The session planned ahead: for the mentee and their current mentor "
        "(FORBIDDEN for anyone else, a former mentor included, as plannedSessions is)."
    )
    async def planned_session(self, info: GatewayInfo) -> PlannedSession | None:
        if self.planned_session_id is None:
            return None
        return await planned_session_of(info, str(self.planned_session_id))
