"""Response bodies of matching reports (runs and previews), and the body of a cancellation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints

from mentoring.entrypoints.schemas import CriterionOut, Strict, UnmatchedOut
from mentoring.service_layer.cohorts import Report
from mentoring.service_layer.ports import ReportBlockingPair, ReportPair
from mentorship_runtime.trimmed import not_blank_trimmed

Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=4000), AfterValidator(not_blank_trimmed)
]


class RunOut(BaseModel):
    id: str
    program_id: str
    objective: str
    preview: bool
    ran_at: datetime | None
    matched_count: int
    total_score: float
    mean_score: float
    blocking_pairs: int
    proposals: list[str]
    unmatched: list[UnmatchedOut]

    @classmethod
    def of(cls, report: Report) -> RunOut:
        s = report.summary
        return cls(
            id=s.id,
            program_id=s.program_id,
            objective=s.objective,
            preview=s.preview,
            ran_at=s.ran_at,
            matched_count=s.matched_count,
            total_score=s.total_score,
            mean_score=s.mean_score,
            blocking_pairs=s.blocking_pairs,
            proposals=report.proposals,
            unmatched=[
                UnmatchedOut(mentee_id=u.mentee_id, reason=u.reason) for u in report.unmatched
            ],
        )


class RunPage(BaseModel):
    items: list[RunOut]
    next_cursor: str | None


class PairOut(BaseModel):
    mentee_id: str
    mentor_id: str
    score: float
    breakdown: list[CriterionOut]
    match_id: str | None


class PairPage(BaseModel):
    items: list[PairOut]
    next_cursor: str | None


class BlockingPairOut(BaseModel):
    mentee_id: str
    mentor_id: str
    score: float
    mentee_score: float | None
    mentor_weakest: float | None
    reason: str


class BlockingPage(BaseModel):
    items: list[BlockingPairOut]
    next_cursor: str | None


def page(
    model: type[BaseModel], items: Sequence[ReportPair] | Sequence[ReportBlockingPair]
) -> list[Any]:
    return [model.model_validate(asdict(item)) for item in items]


class CancelIn(Strict):
    reason: Reason
