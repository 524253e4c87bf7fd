import pytest

from progress.domain.errors import Conflict, Forbidden, Invalid, NotFound
from progress.domain.signals import (
    MilestoneCompleted,
    MilestoneReopened,
    ModuleCompleted,
    PathCompleted,
)
from progress.domain.tracking import Tracking, TrackingState, Transition

from .builders import MENTEE, MENTOR, PATH, PROGRAM, START, completed, days, started

WHO = {"mentee_id": MENTEE, "mentor_id": MENTOR, "program_id": PROGRAM}


def complete(tracking: Tracking, milestone_id: str, days_later: float = 1) -> Transition:
    return tracking.complete_milestone(
        path=PATH,
        milestone_id=milestone_id,
        evidence=f"https://intranet.example/{milestone_id}",
        by="mentee",
        now=START + days(days_later),
    )


def reopen(tracking: Tracking, milestone_id: str, days_later: float = 2) -> Transition:
    return tracking.reopen_milestone(
        path=PATH,
        milestone_id=milestone_id,
        by="mentor",
        reason="the link shows a like, not a post",
        now=START + days(days_later),
    )


def test_completing_a_milestone_keeps_its_evidence_and_signals_it_without() -> None:
    transition = complete(started(), "read")

    assert transition.signals == (
        MilestoneCompleted(
            **WHO,
            module_id="basics",
            milestone_id="read",
            completed_by="mentee",
        ),
    )
    [entry] = transition.tracking.milestones
    assert (entry.kind, entry.evidence, entry.at) == (
        "completed",
        "https://intranet.example/read",
        START + days(1),
    )
    assert transition.tracking.last_activity_at == START + days(1)


def test_completing_the_last_milestone_of_a_module_signals_the_module() -> None:
    transition = complete(completed(started(), "read"), "try")

    assert transition.signals[1:] == (ModuleCompleted(**WHO, module_id="basics"),)
    assert transition.tracking.state is TrackingState.ACTIVE


def test_completing_the_last_milestone_of_the_path_completes_it() -> None:
    transition = complete(completed(started(), "read", "try"), "post")

    assert transition.signals[1:] == (
        ModuleCompleted(**WHO, module_id="practice"),
        PathCompleted(**WHO, learning_path_id="small-path", learning_path_version=1),
    )
    assert transition.tracking.state is TrackingState.COMPLETED


def test_completing_a_completed_milestone_changes_nothing() -> None:
    once = complete(started(), "read").tracking

    again = complete(once, "read", days_later=3)

    assert again == Transition(once, (), changed=False)


def test_completing_an_unknown_milestone_names_it() -> None:
    with pytest.raises(NotFound, match="milestone 'fly' not found"):
        complete(started(), "fly")


def test_only_the_mentor_reopens_a_milestone() -> None:
    tracking = completed(started(), "read")

    with pytest.raises(Forbidden, match="only the mentor"):
        tracking.reopen_milestone(
            path=PATH, milestone_id="read", by="mentee", reason="oops", now=START + days(1)
        )


def test_reopening_needs_a_reason() -> None:
    tracking = completed(started(), "read")

    with pytest.raises(Invalid) as raised:
        tracking.reopen_milestone(
            path=PATH, milestone_id="read", by="mentor", reason=" ", now=START + days(1)
        )
    assert raised.value.field == "reason"


def test_reopening_an_open_milestone_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="'read' is not completed"):
        reopen(started(), "read")


def test_reopening_an_unknown_milestone_names_it() -> None:
    with pytest.raises(NotFound, match="milestone 'fly' not found"):
        reopen(started(), "fly")


def test_reopening_a_milestone_is_signalled_with_its_reason() -> None:
    transition = reopen(completed(started(), "read"), "read")

    assert transition.signals == (
        MilestoneReopened(
            **WHO,
            module_id="basics",
            milestone_id="read",
            reason="the link shows a like, not a post",
        ),
    )
    assert "read" not in transition.tracking.completed_milestone_ids


def test_reopening_a_milestone_of_a_completed_path_makes_it_active_again() -> None:
    done = completed(started(), "read", "try", "post")
    assert done.state is TrackingState.COMPLETED

    reopened = reopen(done, "post").tracking

    assert reopened.state is TrackingState.ACTIVE
    assert not reopened.is_path_complete(PATH)
    assert not reopened.is_module_complete(PATH.module("practice"))


def test_reopening_a_completed_path_without_a_mentor_leaves_it_paused() -> None:
    done = completed(started(), "read", "try", "post")
    without_mentor = done.pause(now=START + days(1)).tracking

    assert reopen(without_mentor, "post").tracking.state is TrackingState.PAUSED


def test_a_reopened_milestone_can_be_completed_again_and_history_keeps_every_step() -> None:
    tracking = reopen(completed(started(), "read"), "read", days_later=2).tracking

    again = complete(tracking, "read", days_later=3).tracking

    assert [(e.kind, e.at) for e in again.milestones] == [
        ("completed", START),
        ("reopened", START + days(2)),
        ("completed", START + days(3)),
    ]
    assert "read" in again.completed_milestone_ids


def test_completing_the_path_again_after_a_reopening_signals_it_again() -> None:
    done = completed(started(), "read", "try", "post")
    reopened = reopen(done, "try").tracking

    transition = complete(reopened, "try", days_later=3)

    assert transition.tracking.state is TrackingState.COMPLETED
    assert any(isinstance(s, PathCompleted) for s in transition.signals)
