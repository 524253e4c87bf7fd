"""The events notify words from a module or a milestone name it in the path's languages, through
the use cases as the events are written."""

from __future__ import annotations

from mentorship_contracts.events import MilestoneCompleted
from progress.domain import signals as s
from progress.domain.seed import DEFAULT_PATH
from progress.service_layer import commands, handlers
from progress.service_layer.events import payload_of

from .world import MENTEE_ID, MENTOR, World

WHO = {"mentee_id": "pt-ada", "mentor_id": "pt-grace", "program_id": "pg-1"}


def test_the_default_paths_titles_go_in_english_and_french() -> None:
    completed = s.MilestoneCompleted(
        **WHO, module_id="purpose", milestone_id="explain-the-why", completed_by="mentee"
    )

    payload = payload_of(completed, DEFAULT_PATH)

    assert isinstance(payload, MilestoneCompleted)
    assert payload.module_title == {"en": "Purpose and strategy", "fr": "Sens et stratégie"}
    assert payload.milestone_title == {
        "en": "Explain why the company is doing this",
        "fr": "Expliquer pourquoi l'entreprise s'y engage",
    }
    assert payload.path_language == "en"


def test_without_the_path_a_module_is_named_by_id_only() -> None:
    dropped = s.ConfidenceDropped(
        **WHO,
        check_in_id="c-1",
        module_id="purpose",
        assessed_by="mentee",
        previous_confidence=4,
        confidence=2,
    )

    payload = payload_of(dropped)

    assert (payload.module_title, payload.path_language) == ({}, None)  # type: ignore[attr-defined]


async def test_a_completed_milestone_is_announced_with_its_paths_titles() -> None:
    world = World()
    await world.tracked()
    module = world.store.paths[next(iter(world.store.paths))].modules[0]
    milestone = module.milestones[0]

    await handlers.complete_milestone(
        commands.CompleteMilestone(MENTOR, MENTEE_ID, milestone.id, "done"), world.ctx
    )

    [completed] = [e.data for e in world.outbox.events if e.type == "progress.milestone.completed"]
    assert completed.module_title == {"en": module.title}, "the small path has no French"
    assert completed.milestone_title == {"en": milestone.title}
    assert completed.path_language == "en"
