"""The integration events of the progress service, built from the domain's signals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts import events as contract
from mentorship_contracts.envelope import EventPayload
from progress.domain import signals as s

PRODUCER = "progress"


def payload_of(signal: s.Signal) -> EventPayload:  # noqa: PLR0911 - one case per signal
    who = {
        "mentee_id": signal.mentee_id,
        "mentor_id": signal.mentor_id,
        "program_id": signal.program_id,
    }
    match signal:
        case s.CheckInRecorded():
            return contract.CheckInRecorded(
                **who,
                check_in_id=signal.check_in_id,
                module_id=signal.module_id,
                confidence=signal.confidence,
                assessed_by=signal.assessed_by,
            )
        case s.ConfidenceDropped():
            return contract.ConfidenceDropped(
                **who,
                module_id=signal.module_id,
                previous_confidence=signal.previous_confidence,
                confidence=signal.confidence,
                check_in_id=signal.check_in_id,
                assessed_by=signal.assessed_by,
            )
        case s.MilestoneCompleted():
            return contract.MilestoneCompleted(
                **who,
                module_id=signal.module_id,
                milestone_id=signal.milestone_id,
            )
        case s.MilestoneReopened():
            return contract.MilestoneReopened(
                **who,
                module_id=signal.module_id,
                milestone_id=signal.milestone_id,
                reason=signal.reason,
            )
        case s.ModuleCompleted():
            return contract.ModuleCompleted(**who, module_id=signal.module_id)
        case s.PathCompleted():
            return contract.PathCompleted(**who, learning_path_id=signal.learning_path_id)
        case s.SessionLogged():
            return contract.SessionLogged(
                **who,
                session_id=signal.session_id,
                held_on=signal.held_on,
                duration_minutes=signal.duration_minutes,
                module_ids=list(signal.module_ids),
                rated_by=list(signal.rated_by),
            )
        case s.SessionRated():
            return contract.SessionRated(
                **who,
                session_id=signal.session_id,
                rated_by=signal.rated_by,
                rating=signal.rating,
            )
        case s.MenteeStalled():
            return contract.MenteeStalled(
                **who,
                last_activity_at=signal.last_activity_at,
                stall_window_days=max(1, signal.stall_window.days),
            )
        case s.MenteeStillStalled():
            return contract.MenteeStillStalled(
                **who,
                last_activity_at=signal.last_activity_at,
                stall_window_days=max(1, signal.stall_window.days),
            )
        case s.MenteeBackOnTrack():
            return contract.MenteeBackOnTrack(**who, resumed_at=signal.resumed_at)
    msg = f"no integration event for {type(signal).__name__}"
    raise TypeError(msg)


def envelopes(
    signals: Sequence[s.Signal],
    *,
    clock: Callable[[], datetime],
    cause: Envelope[Any] | None = None,
    correlation_id: str | None = None,
) -> list[Envelope[Any]]:
    return [
        new_envelope(
            payload_of(signal),
            producer=PRODUCER,
            cause=cause,
            correlation_id=correlation_id,
            clock=clock,
        )
        for signal in signals
    ]
