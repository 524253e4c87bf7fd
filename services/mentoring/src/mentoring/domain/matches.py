"""The lifecycle of a match, with every transition guarded by the current state.

    proposed ──accept──▶ active ──end(completed | ended_early)──▶ completed | ended_early
        ├──decline──▶ declined
        └──expire (after expires_at)──▶ expired

An invalid transition raises ``InvalidTransition`` naming the current state; it never changes
anything silently.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from mentoring.domain.errors import Forbidden, Invalid, InvalidTransition

Outcome = Literal["completed", "ended_early"]


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"

    @property
    def is_open(self) -> bool:
        return self in (MatchStatus.PROPOSED, MatchStatus.ACTIVE)


class ProposedBy(StrEnum):
    ADMIN = "admin"
    COHORT_RUN = "cohort_run"
    MENTEE = "mentee"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Side:
    participant_id: str
    user_id: str
    name: str


@dataclass(frozen=True)
class Match:
    id: str
    program_id: str
    learning_path_id: str
    mentee: Side
    mentor: Side
    status: MatchStatus
    proposed_by: ProposedBy
    score: float | None
    reasons: tuple[str, ...]
    proposed_at: datetime
    expires_at: datetime
    decided_at: datetime | None = None
    ended_at: datetime | None = None
    reason: str | None = None
    version: int = 0

    @classmethod
    def propose(
        cls,
        *,
        match_id: str,
        program_id: str,
        learning_path_id: str,
        mentee: Side,
        mentor: Side,
        proposed_by: ProposedBy,
        score: float | None,
        reasons: tuple[str, ...],
        now: datetime,
        expiry_days: int,
    ) -> Match:
        if mentee.participant_id == mentor.participant_id or mentee.user_id == mentor.user_id:
            raise Invalid("mentor_id", "a mentee cannot be their own mentor")
        return cls(
            id=match_id,
            program_id=program_id,
            learning_path_id=learning_path_id,
            mentee=mentee,
            mentor=mentor,
            status=MatchStatus.PROPOSED,
            proposed_by=proposed_by,
            score=score,
            reasons=reasons,
            proposed_at=now,
            expires_at=now + timedelta(days=expiry_days),
        )

    def _require(self, status: MatchStatus, action: str) -> None:
        if self.status is not status:
            raise InvalidTransition("match", self.id, self.status.value, action)

    def accept(self, *, by_user: str, now: datetime) -> Match:
        self._require(MatchStatus.PROPOSED, "accept")
        if by_user != self.mentor.user_id:
            raise Forbidden("only the proposed mentor can accept this match")
        if now >= self.expires_at:
            raise InvalidTransition("match", self.id, "expired", "accept")
        return replace(self, status=MatchStatus.ACTIVE, decided_at=now)

    def decline(self, *, by_user: str, now: datetime, reason: str | None) -> Match:
        self._require(MatchStatus.PROPOSED, "decline")
        if by_user != self.mentor.user_id:
            raise Forbidden("only the proposed mentor can decline this match")
        return replace(self, status=MatchStatus.DECLINED, decided_at=now, reason=reason)

    def expire(self, *, now: datetime) -> Match:
        self._require(MatchStatus.PROPOSED, "expire")
        if now < self.expires_at:
            raise InvalidTransition("match", self.id, "proposed (not yet due)", "expire")
        return replace(self, status=MatchStatus.EXPIRED, decided_at=now)

    def end(self, *, outcome: Outcome, now: datetime, reason: str | None) -> Match:
        self._require(MatchStatus.ACTIVE, "end")
        status = MatchStatus.COMPLETED if outcome == "completed" else MatchStatus.ENDED_EARLY
        return replace(self, status=status, ended_at=now, reason=reason)

    def involves(self, user_id: str) -> bool:
        return user_id in (self.mentee.user_id, self.mentor.user_id)
