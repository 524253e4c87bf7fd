"""The lifecycle of a match, with every transition guarded by the current state.

Where the program asks both sides to accept (``mentee_must_accept``, fixed when the match is
proposed), a proposal becomes active once the mentor and the mentee accepted, in either order;
either of them declining declines it. Otherwise the mentor alone accepts or declines.

    proposed ──accept──▶ active ──end(completed | ended_early)──▶ completed | ended_early
        ├──decline──▶ declined
        ├──cancel (a program admin)──▶ cancelled
        └──expire (after expires_at)──▶ expired

An invalid transition raises ``InvalidTransition`` naming the current state; it never changes
anything silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from mentoring.domain.errors import Forbidden, Invalid, InvalidTransition

Outcome = Literal["completed", "ended_early"]
Party = Literal["mentee", "mentor"]


class MatchStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    CANCELLED = "cancelled"

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
    mentee_must_accept: bool = False
    mentor_accepted_at: datetime | None = None
    mentee_accepted_at: datetime | None = None
    declined_by: Party | None = None
    withdrawn: bool = False
    """Declined because the side in ``declined_by`` withdrew from the program."""

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
        mentee_must_accept: bool = False,
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
            mentee_must_accept=mentee_must_accept,
        )

    def _require(self, status: MatchStatus, action: str) -> None:
        if self.status is not status:
            raise InvalidTransition("match", self.id, self.status.value, action)

    def party(self, user_id: str) -> Party | None:
        """The side ``user_id`` answers the proposal for: the mentor, or the mentee where both
        sides accept; None for anyone else."""
        if user_id == self.mentor.user_id:
            return "mentor"
        if user_id == self.mentee.user_id and self.mentee_must_accept:
            return "mentee"
        return None

    def _answering(self, by_user: str, action: str) -> Party:
        party = self.party(by_user)
        if party is None:
            who = (
                "the proposed mentor or the mentee"
                if self.mentee_must_accept
                else "the proposed mentor"
            )
            raise Forbidden(f"only {who} can {action} this match")
        return party

    def has_accepted(self, user_id: str) -> bool:
        """Whether ``user_id``'s side has accepted already (a retried acceptance)."""
        party = self.party(user_id)
        if party is None or self.status not in (MatchStatus.PROPOSED, MatchStatus.ACTIVE):
            return False
        return (
            self.mentor_accepted_at if party == "mentor" else self.mentee_accepted_at
        ) is not None

    def has_declined(self, user_id: str) -> bool:
        """Whether ``user_id``'s side declined this proposal (a retried decline); a proposal
        declined before mutual acceptance existed was declined by its mentor."""
        party = self.party(user_id)
        declined = self.declined_by or "mentor"
        return party is not None and self.status is MatchStatus.DECLINED and party == declined

    @property
    def awaiting(self) -> Party | None:
        """The side a proposal still waits for once the other accepted; None otherwise."""
        if self.status is not MatchStatus.PROPOSED:
            return None
        if self.mentor_accepted_at is not None and self.mentee_accepted_at is None:
            return "mentee"
        if self.mentee_accepted_at is not None and self.mentor_accepted_at is None:
            return "mentor"
        return None

    def accept(self, *, by_user: str, now: datetime) -> Match:
        self._require(MatchStatus.PROPOSED, "accept")
        party = self._answering(by_user, "accept")
        if now >= self.expires_at:
            raise InvalidTransition("match", self.id, "expired", "accept")
        if party == "mentor":
            accepted = replace(self, mentor_accepted_at=self.mentor_accepted_at or now)
        else:
            accepted = replace(self, mentee_accepted_at=self.mentee_accepted_at or now)
        both = accepted.mentor_accepted_at is not None and (
            accepted.mentee_accepted_at is not None or not self.mentee_must_accept
        )
        if both:
            return replace(accepted, status=MatchStatus.ACTIVE, decided_at=now)
        return accepted

    def decline(self, *, by_user: str, now: datetime, reason: str | None) -> Match:
        self._require(MatchStatus.PROPOSED, "decline")
        party = self._answering(by_user, "decline")
        return replace(
            self, status=MatchStatus.DECLINED, decided_at=now, reason=reason, declined_by=party
        )

    def close_for_withdrawal(self, *, side: Party, now: datetime, reason: str) -> Match:
        """Close a proposal unanswered because ``side`` withdrew from the program: declined on
        their side, whichever side the program asks to answer."""
        self._require(MatchStatus.PROPOSED, "close")
        return replace(
            self,
            status=MatchStatus.DECLINED,
            decided_at=now,
            reason=reason,
            declined_by=side,
            withdrawn=True,
        )

    def cancel(self, *, now: datetime, reason: str) -> Match:
        """Withdraw a proposal before it is answered; who may is the caller's to check (the
        program's admins)."""
        self._require(MatchStatus.PROPOSED, "cancel")
        if not reason.strip():
            raise Invalid("reason", "say why the proposal is cancelled")
        return replace(self, status=MatchStatus.CANCELLED, decided_at=now, reason=reason)

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


def awaits_proposal(open_matches: Iterable[str], closed: Iterable[MatchStatus]) -> bool:
    """Whether a cohort run proposes to a mentee: only to one with no open match (proposed or
    active) and no completed one in the program. A mentee whose matches were declined,
    expired, cancelled or ended early waits for a mentor again."""
    return not any(True for _ in open_matches) and MatchStatus.COMPLETED not in set(closed)
