from collections.abc import Callable
from typing import Any

import pytest

from mentoring.domain.matching import (
    Criterion,
    Exclusion,
    IneligiblePair,
    InvalidCandidate,
    InvalidPolicy,
    MatchingPolicy,
    is_eligible,
    score_pair,
    violations,
)

from .builders import mentee, mentor


def test_a_pair_sharing_a_language_with_a_mentor_who_has_a_free_place_is_eligible() -> None:
    assert violations(mentee(), mentor()) == []
    assert is_eligible(mentee(), mentor())


def test_never_pairs_someone_with_themselves() -> None:
    assert violations(mentee("ana"), mentor("ana")) == [Exclusion.SELF]


def test_needs_a_shared_language() -> None:
    pair = mentee(languages=["fr", "de"]), mentor(languages=["en", "es"])
    assert violations(*pair) == [Exclusion.NO_SHARED_LANGUAGE]
    assert violations(mentee(languages=["fr", "de"]), mentor(languages=["de"])) == []


def test_needs_a_free_place() -> None:
    assert violations(mentee(), mentor(capacity=0, load=3)) == [Exclusion.NO_CAPACITY]


def test_never_matches_a_mentee_with_their_manager() -> None:
    assert violations(mentee(manager_id="boss"), mentor("boss")) == [Exclusion.REPORTING_LINE]


def test_never_matches_a_mentee_with_their_direct_report() -> None:
    assert violations(mentee("boss"), mentor("report", manager_id="boss")) == [
        Exclusion.REPORTING_LINE
    ]


def test_never_proposes_a_mentor_who_declined_or_ended_before() -> None:
    assert violations(mentee(excluded_mentors=["mentor-a"]), mentor("mentor-a")) == [
        Exclusion.PREVIOUSLY_DECLINED_OR_ENDED
    ]


def test_lists_every_broken_constraint_in_order() -> None:
    broken = violations(
        mentee("ana", languages=["fr"], manager_id="ana", excluded_mentors=["ana"]),
        mentor("ana", languages=["en"], capacity=0),
    )
    assert broken == list(Exclusion)


def test_refuses_to_score_an_ineligible_pair() -> None:
    with pytest.raises(IneligiblePair) as refused:
        score_pair(mentee(manager_id="mentor-a"), mentor("mentor-a"), MatchingPolicy())
    assert refused.value.violations == (Exclusion.REPORTING_LINE,)
    assert "reporting_line" in str(refused.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: mentor(competencies={"purpose": 6}),
        lambda: mentor(capacity=-1),
        lambda: mentor(max_capacity=0),
        lambda: mentor(availability=[168]),
        lambda: mentor(utc_offset_minutes=15 * 60),
        lambda: mentee(goals={"purpose": 0}),
        lambda: mentee(ranked_mentors=("a", "b", "c", "d", "e", "f")),
        lambda: mentee(ranked_mentors=("a", "a")),
        lambda: mentee(""),
    ],
)
def test_rejects_a_profile_with_a_value_out_of_range(build: Callable[[], object]) -> None:
    with pytest.raises(InvalidCandidate):
        build()


@pytest.mark.parametrize(
    "settings",
    [
        {"weights": {Criterion.GOALS: -1.0}},
        {"weights": {Criterion.GOALS: float("nan")}},
        {"weights": {Criterion.GOALS: 0.0}},
        {"weights": {Criterion.DEPARTMENT: 5.0}},  # the only weight, but no preference
        {"weights": {"charisma": 1.0}},
        {"min_common_hours": 0},
        {"department_preference": "sideways"},
    ],
)
def test_rejects_a_policy_that_cannot_score(settings: dict[str, Any]) -> None:
    with pytest.raises(InvalidPolicy):
        MatchingPolicy(**settings)
