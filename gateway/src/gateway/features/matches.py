# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Matches: proposals, their acceptance or decline, and how they end."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    answers_of,
)
from gateway.features.enums import MatchOutcome, MatchStatus, ParticipantRole, ProposedBy
from gateway.features.mutations import IdempotencyKey, mutate
from gateway.features.participants import Participant
from gateway.features.reader_language import in_reader_language
from gateway.node import Node
from gateway.pagination import Connection, connection, cursor_argument, page_size
from gateway.services import ServiceRejected, ServiceUnavailable, segment
from gateway.timestamps import moment, moment_or_none
from mentorship_runtime.logging import get_logger

log = get_logger(__name__)

PROGRESS_WAIT_SECONDS = 3.0
"""How long ``acceptMatch`` waits, at most, for the mentee's progress to follow the match."""
DEADLINE_MARGIN_SECONDS = 1.0
"""The wait ends this long before the request's own deadline, so that the answer gets out."""


@strawberry.type(description="One side of a match, as the match recorded it.")
class MatchSide:
    participant_id: strawberry.ID
    user_id: strawberry.ID
    name: str

    @strawberry.field(description="The full profile, if you may see it (else FORBIDDEN here).")
    async def profile(self, info: GatewayInfo) -> Participant | None:
        return Participant.of(await info.context.loaders.participant.load(str(self.participant_id)))


@strawberry.type
class Match(Node):
    id: strawberry.ID
    program_id: strawberry.ID
    learning_path_id: strawberry.ID
    mentee: MatchSide
    mentor: MatchSide
    status: MatchStatus
    proposed_by: ProposedBy
    score: float | None
    written_reasons: strawberry.Private[list[str]]
    proposed_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    ended_at: datetime | None
    reason: str | None
    mentee_must_accept: bool = strawberry.field(
        description="The program asked both sides to accept when this was proposed."
    )
    mentor_accepted_at: datetime | None
    mentee_accepted_at: datetime | None = strawberry.field(
        description="Set when the mentee accepted (mutual acceptance only)."
    )
    declined_by: ParticipantRole | None = strawberry.field(
        description="Who declined a DECLINED proposal (the mentor unless both sides accept)."
    )

    @strawberry.field(description="Why this pair, in your language.")
    async def reasons(self, info: GatewayInfo) -> list[str]:
        return await in_reader_language(info, self.written_reasons)

    @classmethod
    def of(cls, body: dict[str, Any]) -> Match:
        def side(raw: dict[str, Any]) -> MatchSide:
            return MatchSide(
                participant_id=strawberry.ID(raw["participant_id"]),
                user_id=strawberry.ID(raw["user_id"]),
                name=raw["name"],
            )

        return cls(
            id=strawberry.ID(body["id"]),
            program_id=strawberry.ID(body["program_id"]),
            learning_path_id=strawberry.ID(body["learning_path_id"]),
            mentee=side(body["mentee"]),
            mentor=side(body["mentor"]),
            status=MatchStatus(body["status"]),
            proposed_by=ProposedBy(body["proposed_by"]),
            score=body.get("score"),
            written_reasons=list(body.get("reasons", [])),
            proposed_at=moment(body["proposed_at"]),
            expires_at=moment(body["expires_at"]),
            decided_at=moment_or_none(body.get("decided_at")),
            ended_at=moment_or_none(body.get("ended_at")),
            reason=body.get("reason"),
            mentee_must_accept=body.get("mentee_must_accept", False),
            mentor_accepted_at=moment_or_none(body.get("mentor_accepted_at")),
            mentee_accepted_at=moment_or_none(body.get("mentee_accepted_at")),
            declined_by=ParticipantRole(body["declined_by"]) if body.get("declined_by") else None,
        )


MatchResult = Annotated[
    Match | ValidationError | NotFound | Forbidden | Conflict, strawberry.union("MatchResult")
]


ARGUMENTS = Arguments()
"""Every field mentoring may name is an argument of the same name (``mentee_id``: menteeId)."""


async def _transition(
    info: GatewayInfo, match_id: strawberry.ID, action: str, body: dict[str, Any]
) -> Any:
    principal_of(info)
    match = segment(str(match_id), "matchId")
    return await mutate(
        info.context.services.post("mentoring", f"/matches/{match}/{action}", body),
        Match.of,
        ARGUMENTS,
    )


async def _propose(
    info: GatewayInfo, mentee_id: strawberry.ID, mentor_id: strawberry.ID, key: str | None
) -> Any:
    principal_of(info)
    body = {"mentee_id": str(mentee_id), "mentor_id": str(mentor_id)}
    return await mutate(
        info.context.services.post("mentoring", "/matches", body, idempotency_key=key),
        Match.of,
        ARGUMENTS,
    )


async def until_progress_follows(info: GatewayInfo, match: Match) -> bool:
    """Wait until the progress service tracks the match's mentee with its mentor, reading
    progress as the caller (the mentor, who sees the mentee's progress from then on).

    Progress learns of an accepted match from mentoring's event, a moment after mentoring has
    answered; until then the mentee's progress cannot be read and their check-ins are refused.
    The wait is bounded by ``PROGRESS_WAIT_SECONDS`` and by the request's own deadline; False
    when it ended without seeing the match followed (too slow, or progress could not answer).
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + PROGRESS_WAIT_SECONDS
    deadline = info.context.deadline.when() if info.context.deadline is not None else None
    if deadline is not None:
        end = min(end, deadline - DEADLINE_MARGIN_SECONDS)
    mentee, mentor = str(match.mentee.participant_id), str(match.mentor.participant_id)
    pause = 0.05
    while True:
        try:
            views = await info.context.services.get("progress", "/progress", {"mentee_ids": mentee})
        except (ServiceRejected, ServiceUnavailable) as exc:
            log.warning("accepted_match_not_confirmed", match_id=str(match.id), reason=str(exc))
            return False
        for view in views if isinstance(views, list) else []:
            if view.get("mentee_id") == mentee and view.get("mentor_id") == mentor:
                info.context.loaders.prime_progress([view], force=True)
                return True
        if loop.time() + pause >= end:
            log.warning(
                "accepted_match_not_confirmed", match_id=str(match.id), reason="progress is late"
            )
            return False
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.25)


@strawberry.type
class Query:
    @strawberry.field(description="A match you are part of, or of a program you administer.")
    async def match(self, info: GatewayInfo, id: strawberry.ID) -> Match | None:
        principal_of(info)
        return Match.of(await info.context.loaders.match.load(segment(str(id))))

    @strawberry.field(
        description="Your own matches; with a program, that program's (all of them for its "
        "admins, your own for its participants; FORBIDDEN for a program you may not see)."
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
        program = None if program_id is None else segment(str(program_id), "programId")
        if program is not None:
            params["program_id"] = program
        if status is not None:
            params["status"] = status.value
        if cursor_argument(after) is not None:
            params["after"] = after
        calls: list[Awaitable[Any]] = [info.context.services.get("mentoring", "/matches", params)]
        if program is not None:
            # mentoring filters by the caller (an empty page for a program not theirs): asked at
            # the same time, the program itself says whether the caller may see it
            calls.insert(0, info.context.loaders.program.load(program))
        *_, found = await answers_of("program", program or "", *calls)
        return connection(found["items"], found.get("next_cursor"), Match.of)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Propose a mentor to a mentee (a program's admins).")
    async def propose_match(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        mentor_id: strawberry.ID,
        idempotency_key: IdempotencyKey = None,
    ) -> MatchResult | None:
        result: MatchResult = await _propose(info, mentee_id, mentor_id, idempotency_key)
        return result

    @strawberry.mutation(description="Ask a mentor of your program to mentor you (mentees).")
    async def request_mentor(
        self,
        info: GatewayInfo,
        mentee_id: strawberry.ID,
        mentor_id: strawberry.ID,
        idempotency_key: IdempotencyKey = None,
    ) -> MatchResult | None:
        result: MatchResult = await _propose(info, mentee_id, mentor_id, idempotency_key)
        return result

    @strawberry.mutation(
        description="Accept a proposal (the proposed mentor; where the program asks both sides, "
        "the mentee too: the match stays PROPOSED until both accepted). Once it is ACTIVE, "
        "answers when the mentee's progress "
        "follows the match (menteeProgress names you as the mentor, check-ins are taken): "
        "progress learns of it from an event, a moment after the match is accepted. The wait "
        f"is at most {PROGRESS_WAIT_SECONDS:g} s; past that, or while the progress service "
        "cannot answer, the accepted match is answered all the same and progress follows soon."
    )
    async def accept_match(self, info: GatewayInfo, match_id: strawberry.ID) -> MatchResult | None:
        result: MatchResult = await _transition(info, match_id, "accept", {})
        if isinstance(result, Match) and result.status is MatchStatus.ACTIVE:
            await until_progress_follows(info, result)
        return result

    @strawberry.mutation(
        description="Decline a proposal (the proposed mentor; where the program asks both "
        "sides, the mentee too)."
    )
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
