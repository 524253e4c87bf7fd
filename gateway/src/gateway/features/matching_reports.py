# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Matching reports (runs and previews) as the schema shows them, and the rule of a run.

A report's pairs and blocking pairs are read by page from the mentoring service, which stores
them apart from the report's summary."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.context import GatewayInfo
from gateway.errors import (
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    as_field_error,
)
from gateway.features.enums import Criterion, MatchingObjective
from gateway.features.reader_language import in_reader_language
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.timestamps import moment_or_none

if TYPE_CHECKING:
    from gateway.features.participants import CriterionScore, Participant

LazyParticipant = Annotated["Participant", strawberry.lazy("gateway.features.participants")]
LazyCriterionScore = Annotated["CriterionScore", strawberry.lazy("gateway.features.participants")]


RUN_RULE = (
    "A run proposes only to active mentees with no open match (proposed or active) and no "
    "completed match in the program; mentors a mentee had in a closed match (declined, "
    "expired, cancelled or ended) are not proposed to them again. A second run for latecomers "
    "therefore proposes to them, and to those whose proposals were declined, expired or "
    "cancelled, or whose match ended early."
)


@strawberry.type
class UnmatchedMentee:
    mentee_id: strawberry.ID
    written_reason: strawberry.Private[str]

    @strawberry.field(description="Why no mentor was proposed, in your language.")
    async def reason(self, info: GatewayInfo) -> str:
        (reason,) = await in_reader_language(info, [self.written_reason])
        return reason


@strawberry.type(description="A mentee and mentor a report paired, with the explained score.")
class MatchedPair:
    mentee_id: strawberry.ID
    mentor_id: strawberry.ID
    score: float
    breakdown: list[LazyCriterionScore]
    match_id: strawberry.ID | None = strawberry.field(
        description="The proposal the run made of the pair; null in a preview, or when the "
        "proposal could not be made (the mentee is then among unmatched, with the reason)."
    )

    @strawberry.field(description="The mentee's profile.")
    async def mentee(self, info: GatewayInfo) -> LazyParticipant | None:
        from gateway.features.participants import Participant  # noqa: PLC0415 (a cycle)

        return Participant.of(await info.context.loaders.participant.load(str(self.mentee_id)))

    @strawberry.field(description="The mentor's profile.")
    async def mentor(self, info: GatewayInfo) -> LazyParticipant | None:
        from gateway.features.participants import Participant  # noqa: PLC0415 (a cycle)

        return Participant.of(await info.context.loaders.participant.load(str(self.mentor_id)))

    @classmethod
    def of(cls, body: dict[str, Any]) -> MatchedPair:
        from gateway.features.participants import CriterionScore  # noqa: PLC0415 (a cycle)

        return cls(
            mentee_id=strawberry.ID(body["mentee_id"]),
            mentor_id=strawberry.ID(body["mentor_id"]),
            score=body["score"],
            breakdown=[
                CriterionScore(
                    criterion=Criterion(c["criterion"]),
                    value=c["value"],
                    points=c["points"],
                    written_reason=c["reason"],
                )
                for c in body["breakdown"]
            ],
            match_id=strawberry.ID(body["match_id"]) if body.get("match_id") else None,
        )


@strawberry.type(
    description="A pair the report did not make that both would prefer: the mentee scores more "
    "with this mentor than with theirs (or has none), and the mentor has a free place or "
    "scores the mentee above their weakest mentee."
)
class BlockingPair:
    mentee_id: strawberry.ID
    mentor_id: strawberry.ID
    score: float = strawberry.field(description="The pair's score.")
    mentee_score: float | None = strawberry.field(
        description="The mentee's score with the mentor the report gave them; null if none."
    )
    mentor_weakest: float | None = strawberry.field(
        description="The score of the mentor's weakest mentee; null when a place is free."
    )
    written_reason: strawberry.Private[str]

    @strawberry.field(description="Why the pair blocks, in words, in your language.")
    async def reason(self, info: GatewayInfo) -> str:
        (reason,) = await in_reader_language(info, [self.written_reason])
        return reason

    @classmethod
    def of(cls, body: dict[str, Any]) -> BlockingPair:
        return cls(
            mentee_id=strawberry.ID(body["mentee_id"]),
            mentor_id=strawberry.ID(body["mentor_id"]),
            score=body["score"],
            mentee_score=body.get("mentee_score"),
            mentor_weakest=body.get("mentor_weakest"),
            written_reason=body["reason"],
        )


async def _entries(
    info: GatewayInfo, run_id: str, path: str, first: int, after: str | None
) -> dict[str, Any]:
    params: dict[str, Any] = {"first": page_size(info, first)}
    if cursor_argument(after) is not None:
        params["after"] = after
    try:
        found: dict[str, Any] = await info.context.services.get(
            "mentoring", f"/matching-runs/{segment(run_id)}/{path}", params
        )
    except (ServiceRejected, ServiceUnavailable) as exc:
        raise as_field_error(exc, "matching run", run_id) from None
    return found


@strawberry.type(
    description="The report of a whole-cohort matching run, or of a preview (which proposed "
    "nothing and told nobody). Stored: read again with matchingRun and matchingRuns."
)
class MatchingRun:
    id: strawberry.ID
    program_id: strawberry.ID
    objective: MatchingObjective
    preview: bool = strawberry.field(description="A preview: no proposal was made.")
    ran_at: datetime | None
    matched_count: int = strawberry.field(
        description="Proposals made (a run), or pairs found (a preview)."
    )
    total_score: float
    mean_score: float
    blocking_pairs: int = strawberry.field(description="How many blocking pairs there are.")
    proposal_ids: list[strawberry.ID]
    unmatched: list[UnmatchedMentee] = strawberry.field(
        description="The mentees left without a mentor, with the reason."
    )

    @strawberry.field(description="The pairs, with their explained scores.")
    async def pairs(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> Connection[MatchedPair]:
        found = await _entries(info, str(self.id), "pairs", first, after)
        return connection(found["items"], found.get("next_cursor"), MatchedPair.of)

    @strawberry.field(description="The blocking pairs themselves (blockingPairs of them).")
    async def blocking_pair_list(
        self, info: GatewayInfo, first: int = 20, after: str | None = None
    ) -> Connection[BlockingPair]:
        found = await _entries(info, str(self.id), "blocking-pairs", first, after)
        return connection(found["items"], found.get("next_cursor"), BlockingPair.of)

    @classmethod
    def of(cls, body: dict[str, Any]) -> MatchingRun:
        return cls(
            id=strawberry.ID(body["id"]),
            program_id=strawberry.ID(body["program_id"]),
            objective=MatchingObjective(body["objective"]),
            preview=body.get("preview", False),
            ran_at=moment_or_none(body.get("ran_at")),
            matched_count=body["matched_count"],
            total_score=body["total_score"],
            mean_score=body["mean_score"],
            blocking_pairs=body["blocking_pairs"],
            proposal_ids=[strawberry.ID(p) for p in body.get("proposals", [])],
            unmatched=[
                UnmatchedMentee(mentee_id=strawberry.ID(u["mentee_id"]), written_reason=u["reason"])
                for u in body.get("unmatched", [])
            ],
        )


RunMatchingResult = Annotated[
    MatchingRun | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("RunMatchingResult"),
]
RUN_MATCHING = Arguments(fields={"program_id": ("programId",)})


async def last_run(info: GatewayInfo, program_id: str) -> MatchingRun | None:
    """A program's newest run that proposed (not a preview), for its admins."""
    try:
        found = await info.context.services.get(
            "mentoring",
            f"/programs/{segment(program_id)}/matching-runs",
            {"first": 1, "previews": "false"},
        )
    except (ServiceRejected, ServiceUnavailable) as exc:
        raise as_field_error(exc, "program", program_id) from None
    return MatchingRun.of(found["items"][0]) if found["items"] else None
