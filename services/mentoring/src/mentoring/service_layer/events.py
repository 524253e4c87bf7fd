"""The integration events the mentoring service publishes, built from its domain objects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from mentoring.domain.matches import Match, MatchStatus
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    MatchAcceptanceGiven,
    MatchAccepted,
    MatchCancelled,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchProposed,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrawn,
    ProgramAdmin,
    ProgramPublished,
)

PRODUCER = "mentoring"


class EventFactory:
    """Wraps payloads in envelopes that share the request's correlation id and clock."""

    def __init__(self, clock: Callable[[], datetime], correlation_id: str | None = None) -> None:
        self._clock = clock
        self._correlation_id = correlation_id

    def wrap(self, payload: EventPayload) -> Envelope[Any]:
        return new_envelope(
            payload, producer=PRODUCER, correlation_id=self._correlation_id, clock=self._clock
        )

    def program_published(self, program: Program) -> Envelope[Any]:
        return self.wrap(
            ProgramPublished(
                program_id=program.id,
                name=program.name,
                description=program.description,
                status=program.status.value,
                learning_path_id=program.learning_path_id,
                stall_window_days=program.stall_window_days,
                check_in_reminder_days=program.check_in_reminder_days,
                admins=[
                    ProgramAdmin(
                        user_id=a.user_id,
                        display_name=a.display_name,
                        email=a.email,
                        language=a.language,
                    )
                    for a in program.admins
                ],
            )
        )

    def participant_registered(self, p: Participant) -> Envelope[Any]:
        return self.wrap(
            ParticipantRegistered(
                participant_id=p.id,
                program_id=p.program_id,
                user_id=p.user_id,
                roles=sorted(p.roles),
                display_name=p.display_name,
                email=p.email,
                language=p.language,
                timezone=p.timezone,
                department=p.department,
            )
        )

    def participant_updated(self, p: Participant, changed: set[str]) -> Envelope[Any]:
        values: dict[str, Any] = {
            "roles": sorted(p.roles),
            "display_name": p.display_name,
            "email": p.email,
            "language": p.language,
            "timezone": p.timezone,
            "department": p.department,
        }
        return self.wrap(
            ParticipantUpdated(
                participant_id=p.id,
                program_id=p.program_id,
                **{name: value for name, value in values.items() if name in changed},
            )
        )

    def participant_withdrawn(self, p: Participant, reason: str | None) -> Envelope[Any]:
        return self.wrap(
            ParticipantWithdrawn(participant_id=p.id, program_id=p.program_id, reason=reason)
        )

    def for_transition(self, match: Match) -> Envelope[Any]:
        """The event that says a match reached its current state."""
        ids = {
            "match_id": match.id,
            "program_id": match.program_id,
            "mentee_id": match.mentee.participant_id,
            "mentor_id": match.mentor.participant_id,
        }
        payload: EventPayload
        awaiting = match.awaiting
        if awaiting is not None:
            payload = MatchAcceptanceGiven(
                **ids,
                accepted_by="mentee" if awaiting == "mentor" else "mentor",
                expires_at=match.expires_at,
            )
        elif match.status is MatchStatus.PROPOSED:
            payload = MatchProposed(
                **ids,
                proposed_by=match.proposed_by.value,
                score=match.score,
                expires_at=match.expires_at,
                mentee_must_accept=match.mentee_must_accept,
            )
        elif match.status is MatchStatus.ACTIVE:
            payload = MatchAccepted(
                **ids,
                learning_path_id=match.learning_path_id,
                mentee_user_id=match.mentee.user_id,
                mentor_user_id=match.mentor.user_id,
            )
        elif match.status is MatchStatus.DECLINED:
            payload = MatchDeclined(
                **ids,
                reason=match.reason,
                declined_by=match.declined_by,
                withdrawn=match.withdrawn,
            )
        elif match.status is MatchStatus.CANCELLED:
            payload = MatchCancelled(**ids, reason=match.reason or "")
        elif match.status is MatchStatus.EXPIRED:
            payload = MatchExpired(**ids)
        else:
            outcome = "completed" if match.status is MatchStatus.COMPLETED else "ended_early"
            payload = MatchEnded(**ids, outcome=outcome, reason=match.reason)
        return self.wrap(payload)
