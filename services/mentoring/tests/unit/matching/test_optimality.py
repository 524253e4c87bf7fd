"""The engine against a dense Hungarian algorithm on small random instances."""

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from mentoring.domain.matching import (
    Criterion,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    Objective,
    bmatching,
    match_cohort,
)
from mentoring.domain.matching import cohort as engine

from .builders import brute_force, random_people

POLICIES = [
    MatchingPolicy(),
    MatchingPolicy(weights={Criterion.GOALS: 1.0, Criterion.AVAILABILITY: 1.0}),
    MatchingPolicy(department_preference="cross", min_common_hours=3),
]


def instance(seed: int) -> tuple[list[MenteeCandidate], list[MentorCandidate], MatchingPolicy]:
    rng = np.random.default_rng(seed)
    n_mentees, n_mentors = int(rng.integers(3, 13)), int(rng.integers(2, 7))
    mentees, mentors = random_people(rng, n_mentees, n_mentors, max_capacity=3)
    return mentees, mentors, POLICIES[seed % len(POLICIES)]


@pytest.mark.parametrize("seed", range(50))
def test_best_fit_reaches_the_highest_possible_total(seed: int) -> None:
    mentees, mentors, policy = instance(seed)
    _, best = brute_force(mentees, mentors, policy)
    result = match_cohort(mentees, mentors, policy, "best_fit")
    assert result.total_score == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("seed", range(50))
def test_most_matched_matches_the_most_then_reaches_the_best_total_among_those(
    seed: int,
) -> None:
    mentees, mentors, policy = instance(seed)
    most, best = brute_force(mentees, mentors, policy, bonus_per_match=1e4)
    result = match_cohort(mentees, mentors, policy, "most_matched")
    assert result.matched_count == most
    assert result.total_score == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("objective", ["best_fit", "most_matched"])
@pytest.mark.parametrize("seed", range(5))
def test_the_certificate_repairs_a_candidate_list_too_short_to_hold_the_optimum(
    objective: Objective, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "TOP_PER_MENTEE", 1)
    monkeypatch.setattr(engine, "EXTRA_PER_MENTOR", 0)
    solver = "max_weight" if objective == "best_fit" else "max_weight_covering"
    solve = getattr(bmatching, solver)
    solved = []

    def counting(*args: Any, **kwargs: Any) -> NDArray[np.bool_]:
        solved.append(1)
        answer: NDArray[np.bool_] = solve(*args, **kwargs)
        return answer

    monkeypatch.setattr(bmatching, solver, counting)
    rng = np.random.default_rng(1000 + seed)
    mentees, mentors = random_people(rng, 40, 12)
    policy = MatchingPolicy()
    bonus = 1e4 if objective == "most_matched" else 0.0
    most, best = brute_force(mentees, mentors, policy, bonus_per_match=bonus)
    result = match_cohort(mentees, mentors, policy, objective)
    assert result.total_score == pytest.approx(best, abs=1e-6)
    if objective == "most_matched":
        assert result.matched_count == most
    assert len(solved) > 1  # the first candidates were not enough
