"""A planned session's events (progress) as occurrences: who, when, where, which change."""

from __future__ import annotations

from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts import events as contract
from notify.domain.events import Detail, EventKind, Occurrence

PlanEvent = (
    contract.SessionPlanned | contract.PlannedSessionRescheduled | contract.PlannedSessionCancelled
)
KINDS: dict[type[Any], EventKind] = {
    contract.SessionPlanned: EventKind.SESSION_PLANNED,
    contract.PlannedSessionRescheduled: EventKind.SESSION_RESCHEDULED,
    contract.PlannedSessionCancelled: EventKind.SESSION_CANCELLED,
}


def occurrence_of_plan(event: Envelope[Any], data: PlanEvent) -> Occurrence:
    details: dict[str, str | int] = {
        Detail.PLANNED_SESSION_ID: data.planned_session_id,
        Detail.STARTS_AT: data.starts_at.isoformat(),
        Detail.TIME_ZONE: data.time_zone,
        Detail.DURATION_MINUTES: data.duration_minutes,
        Detail.SEQUENCE: data.sequence,
        Detail.PLANNED_BY: data.planned_by,
    }
    if data.location:
        details[Detail.LOCATION] = data.location
    if data.video_url:
        details[Detail.VIDEO_URL] = data.video_url
    if isinstance(data, contract.PlannedSessionRescheduled):
        details[Detail.PREVIOUS_STARTS_AT] = data.previous_starts_at.isoformat()
    if isinstance(data, contract.PlannedSessionCancelled) and data.reason:
        details[Detail.REASON] = data.reason
    return Occurrence(
        kind=KINDS[type(data)],
        event_id=str(event.event_id),
        occurred_at=event.occurred_at,
        program_id=data.program_id,
        mentee_id=data.mentee_id,
        mentor_id=data.mentor_id,
        details=details,
    )
