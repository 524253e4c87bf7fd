# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Matches: proposals, their acceptance or decline, and how they end."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import Conflict, Forbidden, NotFound, ValidationError, as_field_error
from gateway.features.mutations import mutate
from gateway.features.participants import Participant
from gateway.node import Node
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.wire import at, when


@strawberry.enum
class MatchStatus(Enum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


@strawberry.enum
class MatchOutcome(Enum):
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


@strawberry.type(description="One side of a match, as the match recorded it.")
class MatchSide:
    participant_id: strawberry.ID
    user_id: str
    name: str

    @strawberry.field(description="The full profile, if you may see it (else FORBIDDEN here).")
    async def profile(self, info: GatewayInfo) -> Participant | None:
        return Participant.of(await info.context.loaders.participant.load(str(self.participant_id)))


@strawberry.type
class Match(Node):
    id: strawberry.ID
    program_id: strawberry.ID
    learning_path_id: str
    mentee: MatchSide
    mentor: MatchSide
    status: MatchStatus
    proposed_by: str
    score: float | None
    reasons: list[str]
    proposed_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    ended_at: datetime | None
    reason: str | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Match:
        def side(raw: dict[str, Any]) -> MatchSide:
            return MatchSide(
                participant_id=strawberry.ID(raw["participant_id"]),
                user_id=raw["user_id"],
                name=raw["name"],
            )

        return cls(
            id=strawberry.ID(body["id"]),
            program_id=strawberry.ID(body["program_id"]),
            learning_path_id=body["learning_path_id"],
            mentee=side(body["mentee"]),
            mentor=side(body["mentor"]),
            status=MatchStatus(body["status"]),
            proposed_by=body["proposed_by"],
            score=body.get("score"),
            reasons=list(body.get("reasons", [])),
            proposed_at=at(body["proposed_at"]),
            expires_at=at(body["expires_at"]),
            decided_at=when(body.get("decided_at")),
            ended_at=when(body.get("ended_at")),
            reason=body.get("reason"),
        )


MatchResult = Annotated[
    Match | ValidationError | NotFound | Forbidden | Conflict, strawberry.union("MatchResult")
]


async def _transition(
    info: GatewayInfo, match_id: strawberry.ID, action: str, body: dict[str, Any]
) -> Any:
    principal_of(info)
    match = segment(str(match_id), "matchId")
    return await mutate(
        info.context.services.post("mentoring", f"/matches/{match}/{action}", body), Match.of
    )


async def _propose(
    info: GatewayInfo, mentee_id: strawberry.ID, mentor_id: strawberry.ID, key: str | None
) -> Any:
    principal_of(info)
    body = {"mentee_id": str(mentee_id), "mentor_id": str(mentor_id)}
    return await mutate(
        info.context.services.post("mentoring", "/matches", body, idempotency_key=key), Match.of
    )


@strawberry.type
class Query:
    @strawberry.field(description="A match you are part of, or of a program you administer.")
    async def match(self, info: GatewayInfo, id: strawberry.ID) -> Match | None:
        principal_of(info)
        return Match.of(await info.context.loaders.match.load(segment(str(id))))

    @strawberry.field(
        description="Matches of a program (its admins), or your own when no program is given."
    )
    async def matches(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID | None = None,
        status: MatchStatus | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[Match] | None:
        principal_of(info)
        params: dict[str, Any] = {"first": page_size(info, first)}
        if program_id is not None:
            params["program_id"] = segment(str(program_id), "programId")
        if status is not None:
            params["status"] = status.value
        if cursor_argument(after) is not None:
            params["after"] = after
        try:
            page = await info.context.services.get("mentoring", "/matches", params)
        except (ServiceRejected, ServiceUnavailable) as exc:
            raise as_field_error(exc, "program", str(program_id or "")) from None
        return connection(page["items"], page.get("next_cursor"), Match.of)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Propose a mentor to a mentee (a program's admins).")
    async def propose_match(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        mentor_id: strawberry.ID,
        idempotency_key: str | None = None,
    ) -> MatchResult | None:
        result: MatchResult = await _propose(info, mentee_id, mentor_id, idempotency_key)
        return result

    @strawberry.mutation(description="Ask a mentor of your program to mentor you (mentees).")
    async def request_mentor(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        mentor_id: strawberry.ID,
        idempotency_key: str | None = None,
    ) -> MatchResult | None:
        result: MatchResult = await _propose(info, mentee_id, mentor_id, idempotency_key)
        return result

    @strawberry.mutation(description="Accept a proposal (the proposed mentor).")
    async def accept_match(self, info: GatewayInfo, match_id: strawberry.ID) -> MatchResult | None:
        result: MatchResult = await _transition(info, match_id, "accept", {})
        return result

    @strawberry.mutation(description="Decline a proposal (the proposed mentor).")
    async def decline_match(
        self, info: GatewayInfo, match_id: strawberry.ID, reason: str | None = None
    ) -> MatchResult | None:
        result: MatchResult = await _transition(info, match_id, "decline", {"reason": reason})
        return result

    @strawberry.mutation(description="End a match (either side, or an admin).")
    async def end_match(
        self,
        info: GatewayInfo,
        match_id: strawberry.ID,
        outcome: MatchOutcome,
        reason: str | None = None,
    ) -> MatchResult | None:
        body = {"outcome": outcome.value, "reason": reason}
        result: MatchResult = await _transition(info, match_id, "end", body)
        return result
