# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Progress along a learning path: check-ins, milestones, sessions, and a mentor's dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
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
    answers_of,
    as_field_error,
    bad_input,
)
from gateway.features.enums import ParticipantRole, ProgressStatus
from gateway.features.mutations import IdempotencyKey, mutate
from gateway.features.participants import Participant, participant
from gateway.features.programs import StatusCount, by_status
from gateway.features.progress_types import MenteeProgress, Trend, overall_trend
from gateway.features.reader_language import LanguageArgument, reader_language
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.wire import pick


@strawberry.type(description="One mentee on a mentor's dashboard.")
class DashboardMentee:
    mentee_id: strawberry.ID
    progress: MenteeProgress

    @strawberry.field
    def status(self) -> ProgressStatus:
        return self.progress.status

    @strawberry.field
    def confidence_trend(self) -> Trend:
        return overall_trend(self.progress.modules)

    @strawberry.field
    def last_activity_at(self) -> dt.datetime | None:
        return self.progress.last_activity_at

    @strawberry.field(description="The mentee's profile (one call for the whole page).")
    async def profile(self, info: GatewayInfo) -> Participant | None:
        return Participant.of(await info.context.loaders.participant.load(str(self.mentee_id)))

    @strawberry.field(description="Your unread notifications about this mentee.")
    async def unread_alerts(self, info: GatewayInfo) -> int | None:
        return await info.context.loaders.unread_about.load(str(self.mentee_id))


@strawberry.type(description="A mentor's mentees with how each is doing.")
class MentorDashboard:
    by_status: list[StatusCount]
    mentees: Connection[DashboardMentee]


@strawberry.type
class Milestone:
    id: strawberry.ID
    title: str
    description: str
    evidence_expected: str


@strawberry.type
class PathModule:
    id: strawberry.ID
    title: str
    description: str
    milestones: list[Milestone]


@strawberry.type
class LearningPath:
    id: strawberry.ID
    version: int
    title: str
    modules: list[PathModule]

    @classmethod
    def of(cls, body: dict[str, Any]) -> LearningPath:
        return cls(
            id=strawberry.ID(body["id"]),
            version=body["version"],
            title=body["title"],
            modules=[
                PathModule(
                    id=m["id"],
                    title=m["title"],
                    description=m["description"],
                    milestones=[pick(Milestone, s) for s in m["milestones"]],
                )
                for m in body["modules"]
            ],
        )


@strawberry.input
class SessionInput:
    session_id: strawberry.ID | None = strawberry.field(
        default=None, description="Your id for the session (to rate it later, retry safely)."
    )
    held_on: dt.date
    duration_minutes: int
    module_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    notes: str | None = None
    rating: int | None = strawberry.field(default=None, description="Your rating, 1 to 5.")


@strawberry.type(description="A session's ratings, by the mentee and by the mentor.")
class SessionRating:
    session_id: strawberry.ID
    rated_by: ParticipantRole
    mentee_rating: int | None
    mentor_rating: int | None


RateSessionResult = Annotated[
    SessionRating | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("RateSessionResult"),
]
ProgressResult = Annotated[
    MenteeProgress | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ProgressResult"),
]


@strawberry.type
class LearningPathSummary:
    id: strawberry.ID
    title: str
    latest_version: int


ARGUMENTS = Arguments()
"""Every field progress may name is an argument of the same name (``module_id``: moduleId)."""
LOG_SESSION = Arguments(prefix=INPUT.prefix, fields={"mentee_id": ("menteeId",)})


async def _dashboard(
    info: GatewayInfo, mentor: str, first: int, after: str | None
) -> MentorDashboard:
    principal_of(info)
    params: dict[str, Any] = {"first": page_size(info, first)}
    if cursor_argument(after) is not None:
        params["after"] = after
    calls: list[Awaitable[Any]] = [
        info.context.services.get("progress", f"/mentors/{mentor}/mentees", params)
    ]
    if mentor != "me":
        # progress answers an admin with the mentor's mentees in the admin's programs (none for
        # a mentor they may not see): asked at the same time, mentoring says whether they may
        calls.insert(0, participant(info, mentor, ParticipantRole.MENTOR))
    *_, body = await answers_of("mentor", mentor, *calls)
    views = body.get("mentees", [])
    info.context.loaders.prime_progress(views)
    return MentorDashboard(
        by_status=by_status(body.get("by_status", {})),
        mentees=connection(
            views,
            body.get("next_cursor"),
            lambda v: DashboardMentee(
                mentee_id=strawberry.ID(v["mentee_id"]), progress=MenteeProgress.of(v)
            ),
        ),
    )


def _language_param(language: str | None) -> dict[str, str] | None:
    return None if language is None else {"language": language}


def _mentee_path(mentee_id: strawberry.ID) -> str:
    return f"/mentees/{segment(str(mentee_id), 'menteeId')}"


@strawberry.type
class Query:
    @strawberry.field(description="A mentee's progress: yours, your mentee's, or (admins) any.")
    async def mentee_progress(
        self, info: GatewayInfo, mentee_id: strawberry.ID
    ) -> MenteeProgress | None:
        principal_of(info)
        mentee = segment(str(mentee_id), "menteeId")
        return MenteeProgress.of(await info.context.loaders.progress.load(mentee))

    @strawberry.field(description="Your dashboard as a mentor: each mentee and how they do.")
    async def my_mentees(
        self, info: GatewayInfo, first: int = 50, after: str | None = None
    ) -> MentorDashboard | None:
        return await _dashboard(info, "me", first, after)

    @strawberry.field(
        description="A mentor's dashboard, for the admins of their programs (supervision): "
        "their mentees in the programs you administer (FORBIDDEN for a mentor you may not see)."
    )
    async def mentor_dashboard(
        self, info: GatewayInfo, mentor_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> MentorDashboard | None:
        mentor = segment(str(mentor_id), "mentorId")
        if mentor == "me":
            raise bad_input("mentorId is a participant id", "mentorId")
        return await _dashboard(info, mentor, first, after)

    @strawberry.field(description="The learning paths, each with its latest version.")
    async def learning_paths(
        self, info: GatewayInfo, language: LanguageArgument = None
    ) -> list[LearningPathSummary] | None:
        principal_of(info)
        params = _language_param(await reader_language(info, language))
        try:
            found = await info.context.services.get("progress", "/learning-paths", params)
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "learning paths") from None
        return [
            LearningPathSummary(
                id=strawberry.ID(p["id"]), title=p["title"], latest_version=p["latest_version"]
            )
            for p in found
        ]

    @strawberry.field(
        description="A learning path with its modules and milestones, in your language where "
        "the platform has its texts in it (else in the path's own language)."
    )
    async def learning_path(
        self, info: GatewayInfo, id: strawberry.ID, language: LanguageArgument = None
    ) -> LearningPath | None:
        principal_of(info)
        path = segment(str(id))
        params = _language_param(await reader_language(info, language))
        try:
            body = await info.context.services.get("progress", f"/learning-paths/{path}", params)
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "learning path", path) from None
        return LearningPath.of(body)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record a check-in: confidence 1 to 5 on a module.")
    async def record_check_in(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        module_id: strawberry.ID,
        confidence: int,
        note: str | None = None,
        check_in_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Your id for it: retries are safe."),
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> ProgressResult | None:
        principal_of(info)
        body = {"module_id": str(module_id), "confidence": confidence, "note": note}
        if check_in_id is not None:
            body["check_in_id"] = str(check_in_id)
        result: ProgressResult = await mutate(
            info.context.services.post(
                "progress",
                f"{_mentee_path(mentee_id)}/check-ins",
                body,
                idempotency_key=idempotency_key,
            ),
            MenteeProgress.of,
            ARGUMENTS,
        )
        return result

    @strawberry.mutation(description="Mark a milestone done, with its evidence.")
    async def complete_milestone(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        milestone_id: strawberry.ID,
        evidence: str | None = None,
    ) -> ProgressResult | None:
        principal_of(info)
        milestone = segment(str(milestone_id), "milestoneId")
        result: ProgressResult = await mutate(
            info.context.services.post(
                "progress",
                f"{_mentee_path(mentee_id)}/milestones/{milestone}/complete",
                {"evidence": evidence},
            ),
            MenteeProgress.of,
            ARGUMENTS,
        )
        return result

    @strawberry.mutation(description="Reopen a completed milestone (the mentor), saying why.")
    async def reopen_milestone(
        self, info: GatewayInfo, mentee_id: strawberry.ID, milestone_id: strawberry.ID, reason: str
    ) -> ProgressResult | None:
        principal_of(info)
        milestone = segment(str(milestone_id), "milestoneId")
        result: ProgressResult = await mutate(
            info.context.services.post(
                "progress",
                f"{_mentee_path(mentee_id)}/milestones/{milestone}/reopen",
                {"reason": reason},
            ),
            MenteeProgress.of,
            ARGUMENTS,
        )
        return result

    @strawberry.mutation(description="Log a mentoring session.")
    async def log_session(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        input: SessionInput,
        idempotency_key: IdempotencyKey = None,
    ) -> ProgressResult | None:
        principal_of(info)
        body = {
            "session_id": None if input.session_id is None else str(input.session_id),
            "held_on": input.held_on.isoformat(),
            "duration_minutes": input.duration_minutes,
            "module_ids": [str(m) for m in input.module_ids],
            "notes": input.notes,
            "rating": input.rating,
        }
        result: ProgressResult = await mutate(
            info.context.services.post(
                "progress",
                f"{_mentee_path(mentee_id)}/sessions",
                body,
                idempotency_key=idempotency_key,
            ),
            MenteeProgress.of,
            LOG_SESSION,
        )
        return result

    @strawberry.mutation(description="Rate a logged session, 1 (poor) to 5 (excellent).")
    async def rate_session(
        self, info: GatewayInfo, mentee_id: strawberry.ID, session_id: strawberry.ID, rating: int
    ) -> RateSessionResult | None:
        principal_of(info)
        session = segment(str(session_id), "sessionId")
        result: RateSessionResult = await mutate(
            info.context.services.request(
                "progress",
                "PUT",
                f"{_mentee_path(mentee_id)}/sessions/{session}/rating",
                json={"rating": rating},
            ),
            lambda b: SessionRating(
                session_id=strawberry.ID(b["session_id"]),
                rated_by=ParticipantRole(b["rated_by"]),
                mentee_rating=b.get("mentee_rating"),
                mentor_rating=b.get("mentor_rating"),
            ),
            ARGUMENTS,
        )
        return result
