# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Reviewable matching: the stored reports read again, a preview, and cancelling a proposal."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import as_field_error
from gateway.features.enums import MatchingObjective
from gateway.features.matches import ARGUMENTS, Match, MatchResult
from gateway.features.matching_reports import (
    RUN_MATCHING,
    RUN_RULE,
    MatchingRun,
    RunMatchingResult,
)
from gateway.features.mutations import mutate
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment


@strawberry.type
class Query:
    @strawberry.field(
        description="A matching report (a run or a preview) of a program you administer."
    )
    async def matching_run(self, info: GatewayInfo, id: strawberry.ID) -> MatchingRun | None:
        principal_of(info)
        try:
            body = await info.context.services.get("mentoring", f"/matching-runs/{segment(id)}")
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "matching run", str(id)) from None
        return MatchingRun.of(body)

    @strawberry.field(
        description="A program's matching reports, runs and previews, newest first (its admins)."
    )
    async def matching_runs(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[MatchingRun] | None:
        principal_of(info)
        params: dict[str, Any] = {"first": page_size(info, first)}
        if cursor_argument(after) is not None:
            params["after"] = after
        program = segment(str(program_id), "programId")
        try:
            found = await info.context.services.get(
                "mentoring", f"/programs/{program}/matching-runs", params
            )
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "program", program) from None
        return connection(found["items"], found.get("next_cursor"), MatchingRun.of)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="What runMatching would propose now, with the same report (pairs and their "
        "explained scores, unmatched mentees and why, blocking pairs listed), without proposing "
        "anything or telling anyone (a program's admins; a draft program too). The report is "
        f"stored, with preview true. {RUN_RULE}"
    )
    async def preview_matching(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        objective: MatchingObjective = MatchingObjective.BEST_FIT,
    ) -> RunMatchingResult | None:
        principal_of(info)
        program = segment(str(program_id), "programId")
        seconds = info.context.settings.matching_timeout_seconds
        info.context.allow_up_to(seconds)
        return await mutate(
            info.context.services.request(
                "mentoring",
                "POST",
                f"/programs/{program}/matching-previews",
                json={"objective": objective.value},
                timeout=seconds,
            ),
            MatchingRun.of,
            RUN_MATCHING,
        )

    @strawberry.mutation(
        description="Withdraw a proposal before it is answered (a program's admins): it "
        "becomes CANCELLED, both sides are told (without the reason, kept on the match), the "
        "mentor's place is freed, and the mentor is not proposed to that mentee again. Of an "
        "acceptance and a cancellation at once, exactly one succeeds; the other is a Conflict."
    )
    async def cancel_proposal(
        self, info: GatewayInfo, match_id: strawberry.ID, reason: str
    ) -> MatchResult | None:
        principal_of(info)
        match = segment(str(match_id), "matchId")
        result: MatchResult = await mutate(
            info.context.services.post("mentoring", f"/matches/{match}/cancel", {"reason": reason}),
            Match.of,
            ARGUMENTS,
        )
        return result
