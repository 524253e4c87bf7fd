"""Each notification names what it is about, from the event behind it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mentorship_contracts import new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    ConfidenceDropped,
    MatchDeclined,
    MatchProposed,
    MenteeStalled,
    MilestoneCompleted,
    ModuleCompleted,
    PathCompleted,
    PlannedSessionCancelled,
    PlannedSessionRescheduled,
    SessionPlanned,
)
from notify.domain.rules import plan
from notify.domain.subjects import About
from notify.service_layer.translate import occurrence_of

from .builders import NOW, PROGRAM, directory

WHO: dict[str, Any] = {"program_id": PROGRAM, "mentee_id": "pt-ada", "mentor_id": "pt-grace"}
BASE = {"program_id": PROGRAM, "mentee_id": "pt-ada"}

PLAN: dict[str, Any] = {
    **WHO,
    "planned_session_id": "ps-1",
    "sequence": 0,
    "starts_at": NOW + timedelta(days=3),
    "time_zone": "Europe/Paris",
    "duration_minutes": 45,
    "location": "Café",
    "changed_by": "mentee",
    "planned_by": "mentee",
}

CASES: list[tuple[EventPayload, dict[str, str]]] = [
    (
        MatchProposed(
            **WHO,
            match_id="m-1",
            mentee_name="Ada",
            mentor_name="Grace",
            proposed_by="admin",
            expires_at=NOW,
        ),
        {"match_id": "m-1"},
    ),
    (MatchDeclined(**WHO, match_id="m-2", reason="too busy"), {"match_id": "m-2"}),
    (
        ConfidenceDropped(
            **WHO,
            module_id="purpose",
            previous_confidence=4,
            confidence=2,
            check_in_id="ci-9",
            assessed_by="mentee",
        ),
        {"module_id": "purpose", "check_in_id": "ci-9"},
    ),
    (  # from a producer that did not name the check-in yet
        ConfidenceDropped(**WHO, module_id="purpose", previous_confidence=4, confidence=2),
        {"module_id": "purpose"},
    ),
    (
        MilestoneCompleted(**WHO, module_id="purpose", milestone_id="explain-the-why"),
        {"module_id": "purpose", "milestone_id": "explain-the-why"},
    ),
    (ModuleCompleted(**WHO, module_id="purpose"), {"module_id": "purpose"}),
    (PathCompleted(**WHO, learning_path_id="lp-1"), {"learning_path_id": "lp-1"}),
    (MenteeStalled(**WHO, last_activity_at=NOW, stall_window_days=14), {}),
    (SessionPlanned(**PLAN), {"planned_session_id": "ps-1"}),
    (
        PlannedSessionRescheduled(**{**PLAN, "sequence": 1}, previous_starts_at=NOW),
        {"planned_session_id": "ps-1"},
    ),
    (
        PlannedSessionCancelled(**{**PLAN, "sequence": 2}, reason="ill"),
        {"planned_session_id": "ps-1"},
    ),
]


@pytest.mark.parametrize(
    ("payload", "ids"), CASES, ids=[f"{type(p).__name__}-{i}" for i, (p, _) in enumerate(CASES)]
)
def test_every_notification_of_an_event_names_what_the_event_is_about(
    payload: EventPayload, ids: dict[str, str]
) -> None:
    occurrence = occurrence_of(new_envelope(payload, producer="test"))
    assert occurrence is not None

    notifications = plan(occurrence, directory()).notifications

    assert notifications
    assert {frozenset(n.about.document().items()) for n in notifications} == {
        frozenset({**BASE, **ids}.items())
    }


def test_a_notification_stored_before_names_nothing_and_stray_keys_are_ignored() -> None:
    assert About.of_document(None) == About()
    assert About.of_document("not a document") == About()  # type: ignore[arg-type]
    stored = {"mentee_id": "pt-ada", "session_id": 7, "check_in_id": "", "colour": "blue"}
    assert About.of_document(stored) == About(mentee_id="pt-ada")
