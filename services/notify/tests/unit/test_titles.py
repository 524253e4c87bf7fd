"""Modules and milestones are named by their titles in the reader's language, from the titles
progress's events carry: the path's own language when the reader's is missing, the ids when an
older event carried no titles."""

from __future__ import annotations

from typing import Any

from mentorship_contracts import new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import ConfidenceDropped, MilestoneCompleted
from notify.domain.directory import Language, Role
from notify.domain.rules import plan
from notify.service_layer.translate import occurrence_of

from .builders import ADA, PROGRAM, directory, person

WHO: dict[str, Any] = {"program_id": PROGRAM, "mentee_id": "pt-ada", "mentor_id": "pt-grace"}
PURPOSE = {"en": "Purpose and strategy", "fr": "Sens et stratégie"}
DROPPED = ConfidenceDropped(
    **WHO,
    module_id="purpose",
    previous_confidence=4,
    confidence=2,
    module_title=PURPOSE,
    path_language="en",
)


def planned_for(payload: EventPayload, language: Language) -> tuple[str, str]:
    occurrence = occurrence_of(new_envelope(payload, producer="test"))
    assert occurrence is not None
    grace = person("pt-grace", "Grace", roles=(Role.MENTOR,), language=language)
    (told,) = plan(occurrence, directory(ADA, grace)).notifications
    return told.title, told.body


def test_a_confidence_drop_names_the_module_in_the_readers_language() -> None:
    french_title, french_body = planned_for(DROPPED, Language.FR)
    english_title, _ = planned_for(DROPPED, Language.EN)

    assert french_title == "Baisse de confiance pour Ada sur « Sens et stratégie »"
    assert "Sur le module « Sens et stratégie »" in french_body
    assert english_title == "Ada's confidence dropped on “Purpose and strategy”"


def test_a_reader_whose_language_the_path_lacks_reads_the_paths_own() -> None:
    own_only = DROPPED.model_copy(update={"module_title": {"en": "Our own module"}})

    title, _ = planned_for(own_only, Language.FR)

    assert title == "Baisse de confiance pour Ada sur « Our own module »"


def test_a_milestone_is_named_with_its_module_in_the_readers_language() -> None:
    reached = MilestoneCompleted(
        **WHO,
        module_id="purpose",
        milestone_id="explain-the-why",
        module_title=PURPOSE,
        milestone_title={
            "en": "Explain why the company is doing this",
            "fr": "Expliquer pourquoi l'entreprise s'y engage",
        },
        path_language="en",
    )

    _, body = planned_for(reached, Language.FR)

    assert "Expliquer pourquoi l'entreprise s'y engage" in body
    assert "Sens et stratégie" in body


def test_an_event_without_titles_names_the_module_by_id() -> None:
    untitled = DROPPED.model_copy(update={"module_title": {}, "path_language": None})

    title, _ = planned_for(untitled, Language.FR)

    assert title == "Baisse de confiance pour Ada sur « purpose »"
