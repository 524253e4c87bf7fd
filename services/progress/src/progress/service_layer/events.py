"""The integration events of the progress service, built from the domain's signals.

The events notify words from a module or a milestone carry their titles in the path's own
language and in each language the platform translates the path into (``domain.translations``),
when the signal's path is at hand, so that a reader is told "Purpose and strategy" (or "Sens et
stratégie") rather than "purpose"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts import events as contract
from mentorship_contracts.envelope import EventPayload
from progress.domain import signals as s
from progress.domain.learning_paths import LearningPath
from progress.domain.translations import LANGUAGES, PATH_LANGUAGE, in_language

PRODUCER = "progress"


def _titles(path: LearningPath | None, module_id: str, milestone_id: str | None = None) -> Any:
    """``module_title`` (and ``milestone_title``) in the path's language and in each other one
    that words it differently, and ``path_language``; nothing without a path, or for a module
    the path does not have."""
    if path is None or module_id not in path.module_ids:
        return {}
    found: dict[str, dict[str, str]] = {"module_title": {}, "milestone_title": {}}
    for language in sorted(LANGUAGES, key=lambda lang: lang != PATH_LANGUAGE):  # its own first
        worded = in_language(path, language)
        titles = {"module_title": worded.module(module_id).title}
        if milestone_id is not None and milestone_id in worded.milestone_ids:
            milestones = worded.module_of(milestone_id).milestones
            titles["milestone_title"] = next(m.title for m in milestones if m.id == milestone_id)
        for field, title in titles.items():
            own = found[field].get(PATH_LANGUAGE)
            if language == PATH_LANGUAGE or title != own:
                found[field][language] = title
    return {**{k: v for k, v in found.items() if v}, "path_language": PATH_LANGUAGE}


def payload_of(  # noqa: PLR0911 - one case per signal
    signal: s.Signal, path: LearningPath | None = None
) -> EventPayload:
    """The signal's event; ``path``: the mentee's path, whose titles name a module or milestone."""
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
                **_titles(path, signal.module_id),
            )
        case s.MilestoneCompleted():
            return contract.MilestoneCompleted(
                **who,
                module_id=signal.module_id,
                milestone_id=signal.milestone_id,
                **_titles(path, signal.module_id, signal.milestone_id),
            )
        case s.MilestoneReopened():
            return contract.MilestoneReopened(
                **who,
                module_id=signal.module_id,
                milestone_id=signal.milestone_id,
                reason=signal.reason,
            )
        case s.ModuleCompleted():
            return contract.ModuleCompleted(
                **who, module_id=signal.module_id, **_titles(path, signal.module_id)
            )
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
    path: LearningPath | None = None,
) -> list[Envelope[Any]]:
    return [
        new_envelope(
            payload_of(signal, path),
            producer=PRODUCER,
            cause=cause,
            correlation_id=correlation_id,
            clock=clock,
        )
        for signal in signals
    ]
