"""Request and response bodies of the progress HTTP API, validated at the edge."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
)

from mentorship_runtime.trimmed import not_blank_trimmed
from progress.domain.dashboards import ProgramOverview
from progress.domain.learning_paths import (
    MAX_MILESTONES_PER_MODULE,
    MAX_MODULES,
    LearningPath,
    MilestoneSpec,
    ModuleSpec,
)
from progress.domain.status import ProgressStatus
from progress.domain.views import ProgressView

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Text = Annotated[str, StringConstraints(max_length=4000)]
Slug = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
]
Title = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(not_blank_trimmed)
]
Description = Annotated[
    str, StringConstraints(min_length=1, max_length=4000), AfterValidator(not_blank_trimmed)
]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date_text(value: Any) -> Any:
    """A date only as ``YYYY-MM-DD`` text: pydantic alone also reads a number (0 is 1970-01-01)
    and a date-time at midnight."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
"""The range a date may take is the domain's (``require_session_date``): it depends on today."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckInIn(Strict):
    check_in_id: Id | None = Field(default=None, description="send one to make retries safe")
    module_id: Id
    confidence: StrictInt = Field(ge=1, le=5)
    note: Text | None = None


class MilestoneIn(Strict):
    evidence: Text | None = None


class ReopenIn(Strict):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class SessionIn(Strict):
    """Numbers are whole JSON numbers (not ``true``, ``30.0`` or ``"30"``); the date is checked
    against today by the domain: not in the future, at most a year back."""

    session_id: Id | None = None
    held_on: IsoDate = Field(description="YYYY-MM-DD, today at the latest, at most a year back")
    duration_minutes: StrictInt = Field(ge=1, le=480, description="at most 8 hours")
    module_ids: list[Id] = Field(default_factory=list, max_length=20)
    notes: Text | None = None
    rating: StrictInt | None = Field(
        default=None, ge=1, le=5, description="your rating of the session"
    )


class RatingIn(Strict):
    rating: StrictInt = Field(ge=1, le=5, description="1 (poor) to 5 (excellent)")


class RatingOut(BaseModel):
    session_id: str
    rated_by: str
    mentee_rating: int | None
    mentor_rating: int | None


class PathMilestoneIn(Strict):
    id: Slug
    title: Title
    description: Description
    evidence_expected: Description


class PathModuleIn(Strict):
    id: Slug
    title: Title
    description: Description
    milestones: list[PathMilestoneIn] = Field(min_length=1, max_length=MAX_MILESTONES_PER_MODULE)


class PathVersionIn(Strict):
    """The whole content of the next version of a path."""

    title: Title
    modules: list[PathModuleIn] = Field(min_length=1, max_length=MAX_MODULES)

    def specs(self) -> tuple[ModuleSpec, ...]:
        return tuple(
            ModuleSpec(
                id=m.id,
                title=m.title,
                description=m.description,
                milestones=tuple(
                    MilestoneSpec(
                        id=x.id,
                        title=x.title,
                        description=x.description,
                        evidence_expected=x.evidence_expected,
                    )
                    for x in m.milestones
                ),
            )
            for m in self.modules
        )


class PathIn(PathVersionIn):
    id: Slug


class PathSummaryOut(BaseModel):
    id: str
    title: str
    latest_version: int


class ModuleOut(BaseModel):
    module_id: str
    title: str
    milestones_done: int
    milestones_total: int
    percent: int
    completed: bool
    self_assessment: int | None
    mentor_assessment: int | None
    latest_confidence: int | None
    trend: str
    confidence_dropped: bool


class ProgressOut(BaseModel):
    mentee_id: str
    program_id: str
    mentor_id: str | None
    path_id: str
    path_version: int
    state: str
    status: str
    percent: int
    milestones_done: int
    milestones_total: int
    last_activity_at: datetime | None
    sessions_count: int
    modules: list[ModuleOut]

    @classmethod
    def of(cls, view: ProgressView) -> ProgressOut:
        return cls(
            mentee_id=view.mentee_id,
            program_id=view.program_id,
            mentor_id=view.mentor_id,
            path_id=view.path_id,
            path_version=view.path_version,
            state=view.state.value,
            status=view.status.value,
            percent=view.percent,
            milestones_done=view.milestones_done,
            milestones_total=view.milestones_total,
            last_activity_at=view.last_activity_at,
            sessions_count=view.sessions_count,
            modules=[
                ModuleOut(
                    module_id=m.module_id,
                    title=m.title,
                    milestones_done=m.milestones_done,
                    milestones_total=m.milestones_total,
                    percent=m.percent,
                    completed=m.completed,
                    self_assessment=m.self_assessment,
                    mentor_assessment=m.mentor_assessment,
                    latest_confidence=m.latest_confidence,
                    trend=m.trend.value,
                    confidence_dropped=m.confidence_dropped,
                )
                for m in view.modules
            ],
        )


class MilestoneOut(BaseModel):
    id: str
    title: str
    description: str
    evidence_expected: str


class PathModuleOut(BaseModel):
    id: str
    title: str
    description: str
    milestones: list[MilestoneOut]


class PathOut(BaseModel):
    id: str
    version: int
    title: str
    modules: list[PathModuleOut]

    @classmethod
    def of(cls, path: LearningPath) -> PathOut:
        return cls(
            id=path.id,
            version=path.version,
            title=path.title,
            modules=[
                PathModuleOut(
                    id=m.id,
                    title=m.title,
                    description=m.description,
                    milestones=[
                        MilestoneOut(
                            id=s.id,
                            title=s.title,
                            description=s.description,
                            evidence_expected=s.evidence_expected,
                        )
                        for s in m.milestones
                    ],
                )
                for m in path.modules
            ],
        )


class FunnelStepOut(BaseModel):
    module_id: str
    title: str
    completed: int
    following: int


class HealthOut(BaseModel):
    program_id: str
    mentees: int
    by_status: dict[str, int]
    funnel: list[FunnelStepOut]

    @classmethod
    def of(cls, program_id: str, overview: ProgramOverview) -> HealthOut:
        return cls(
            program_id=program_id,
            mentees=overview.mentees,
            by_status={k.value: v for k, v in overview.by_status.items()},
            funnel=[
                FunnelStepOut(
                    module_id=f.module_id,
                    title=f.title,
                    completed=f.completed,
                    following=f.following,
                )
                for f in overview.funnel
            ],
        )


class MenteesPageOut(BaseModel):
    """A page of a mentor's current mentees (each with the whole progress view), the cursor of
    the next page, and the statuses of all their current mentees at a glance."""

    mentees: list[ProgressOut]
    next_cursor: str | None
    by_status: dict[str, int]

    @classmethod
    def of(
        cls,
        items: list[ProgressView],
        next_cursor: str | None,
        by_status: dict[ProgressStatus, int],
    ) -> MenteesPageOut:
        return cls(
            mentees=[ProgressOut.of(v) for v in items],
            next_cursor=next_cursor,
            by_status={k.value: v for k, v in by_status.items()},
        )
