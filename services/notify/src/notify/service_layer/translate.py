"""Contract events as the domain's occurrences: which kind, about whom, with which details."""

from __future__ import annotations

from typing import Any

from mentorship_contracts import Envelope
from mentorship_contracts import events as contract
from notify.domain import texts
from notify.domain.events import Detail, EventKind, Occurrence, in_language
from notify.service_layer.planned_sessions import KINDS as PLAN_KINDS
from notify.service_layer.planned_sessions import PlanEvent, occurrence_of_plan

KINDS: dict[type[Any], EventKind] = {
    contract.MatchProposed: EventKind.MATCH_PROPOSED,
    contract.MatchAccepted: EventKind.MATCH_ACCEPTED,
    contract.MatchDeclined: EventKind.MATCH_DECLINED,
    contract.MatchExpired: EventKind.MATCH_EXPIRED,
    contract.MatchEnded: EventKind.MATCH_ENDED,
    contract.MatchCancelled: EventKind.MATCH_CANCELLED,
    contract.MatchAcceptanceGiven: EventKind.MATCH_ACCEPTANCE_GIVEN,
    contract.MenteeStalled: EventKind.MENTEE_STALLED,
    contract.MenteeStillStalled: EventKind.MENTEE_STILL_STALLED,
    contract.ConfidenceDropped: EventKind.CONFIDENCE_DROPPED,
    contract.MilestoneCompleted: EventKind.MILESTONE_COMPLETED,
    contract.ModuleCompleted: EventKind.MODULE_COMPLETED,
    contract.PathCompleted: EventKind.PATH_COMPLETED,
    contract.MenteeBackOnTrack: EventKind.MENTEE_BACK_ON_TRACK,
    **PLAN_KINDS,
}


def _ids(data: Any) -> dict[str, str]:
    """The ids an event names of what it is about, beside its mentee and program: a match's
    events their match, a confidence drop its check-in (when its producer said)."""
    found = {
        Detail.MATCH_ID: getattr(data, "match_id", None),
        Detail.CHECK_IN_ID: getattr(data, "check_in_id", None),
        Detail.SESSION_ID: getattr(data, "session_id", None),
    }
    return {key: value for key, value in found.items() if value}


def _titles(data: Any) -> dict[str, str | int]:
    """A module's and a milestone's titles, each in every language the event gives, and in the
    path's own language (the wording of a reader whose language is missing)."""
    details: dict[str, str | int] = {}
    own = getattr(data, "path_language", None)
    for key, field in (
        (Detail.MODULE_TITLE, "module_title"),
        (Detail.MILESTONE_TITLE, "milestone_title"),
    ):
        titles: dict[str, str] = getattr(data, field, None) or {}
        details.update({in_language(key, language): title for language, title in titles.items()})
        if own in titles:
            details[key] = titles[own]
    return details


WITHDREW = {"mentee": texts.MENTEE_WITHDREW, "mentor": texts.MENTOR_WITHDREW}
"""A proposal closed because the side that was to answer withdrew from the program."""


def _match_details(data: Any) -> dict[str, str | int]:
    details: dict[str, str | int] = {}
    match data:
        case contract.MatchProposed():
            details[Detail.EXPIRES_AT] = data.expires_at.isoformat()
            if data.mentee_must_accept:
                details[Detail.ANSWER_FROM] = texts.BOTH
        case contract.MatchAcceptanceGiven():
            details[Detail.EXPIRES_AT] = data.expires_at.isoformat()
            details[Detail.ACCEPTED_BY] = data.accepted_by
        case contract.MatchDeclined():
            if data.declined_by and data.withdrawn:
                details[Detail.DECLINED_BY] = WITHDREW[data.declined_by]
            elif data.declined_by:
                details[Detail.DECLINED_BY] = data.declined_by
            if data.reason:
                details[Detail.REASON] = data.reason
        case contract.MatchEnded():
            details[Detail.OUTCOME] = data.outcome
            if data.reason:
                details[Detail.REASON] = data.reason
    return details


def occurrence_of(event: Envelope[Any]) -> Occurrence | None:
    """The occurrence an event is about, or None for events that notify nobody."""
    data = event.data
    if isinstance(data, PlanEvent):
        return occurrence_of_plan(event, data)
    if isinstance(data, contract.ParticipantWithdrawn):
        return _withdrawal(event, data)
    # an earlier version of an event is a subclass of its current one
    kind = next((KINDS[cls] for cls in type(data).__mro__ if cls in KINDS), None)
    if kind is None:
        return None
    details: dict[str, str | int] = {**_ids(data), **_match_details(data), **_titles(data)}
    match data:
        case contract.MenteeStalled() | contract.MenteeStillStalled():
            details[Detail.DAYS] = data.stall_window_days
        case contract.ConfidenceDropped():
            details[Detail.MODULE_ID] = data.module_id
            details[Detail.PREVIOUS_CONFIDENCE] = data.previous_confidence
            details[Detail.CONFIDENCE] = data.confidence
        case contract.MilestoneCompleted():
            details[Detail.MODULE_ID] = data.module_id
            details[Detail.MILESTONE_ID] = data.milestone_id
        case contract.ModuleCompleted():
            details[Detail.MODULE_ID] = data.module_id
        case contract.PathCompleted():
            details[Detail.LEARNING_PATH_ID] = data.learning_path_id
    return Occurrence(
        kind=kind,
        event_id=str(event.event_id),
        occurred_at=event.occurred_at,
        program_id=data.program_id,
        mentee_id=data.mentee_id,
        mentor_id=getattr(data, "mentor_id", None),
        mentee_name=getattr(data, "mentee_name", None),
        mentor_name=getattr(data, "mentor_name", None),
        details=details,
    )


def _withdrawal(event: Envelope[Any], data: contract.ParticipantWithdrawn) -> Occurrence:
    """Someone left their program: they are the occurrence's subject, whatever their role."""
    return Occurrence(
        kind=EventKind.PARTICIPANT_WITHDRAWN,
        event_id=str(event.event_id),
        occurred_at=event.occurred_at,
        program_id=data.program_id,
        mentee_id=data.participant_id,
        details={Detail.REASON: data.reason} if data.reason else {},
    )
