import numpy as np
import pytest

from mentoring.domain.matching import (
    Assignment,
    CohortResult,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    Objective,
    blocking_pairs,
    match_cohort,
    score_pair,
    violations,
)

from .builders import random_people
from .test_cohort import GOALS_ONLY, one_place_two_mentees


def count_by_hand(
    mentees: list[MenteeCandidate],
    mentors: list[MentorCandidate],
    policy: MatchingPolicy,
    result: CohortResult,
) -> int:
    mine = {a.mentee_id: a for a in result.assignments}
    theirs = {m.id: [a.score for a in result.assignments if a.mentor_id == m.id] for m in mentors}
    count = 0
    for e in mentees:
        for m in mentors:
            if violations(e, m) or (e.id in mine and mine[e.id].mentor_id == m.id):
                continue
            score = score_pair(e, m, policy).score
            mentee_prefers = e.id not in mine or score > mine[e.id].score
            mentor_prefers = len(theirs[m.id]) < m.capacity or score > min(theirs[m.id])
            count += mentee_prefers and mentor_prefers
    return count


def test_a_matching_that_maximises_the_count_can_leave_a_pair_that_would_rather_swap() -> None:
    mentees, mentors = one_place_two_mentees()
    assert match_cohort(mentees, mentors, GOALS_ONLY, "best_fit").blocking_pairs == 0
    # Ana (with Nina, 40) and Marc (with Bo, 40) would both rather be together (100).
    assert match_cohort(mentees, mentors, GOALS_ONLY, "most_matched").blocking_pairs == 1


@pytest.mark.parametrize("objective", ["best_fit", "most_matched"])
@pytest.mark.parametrize("seed", range(8))
def test_counts_the_blocking_pairs_of_a_run(objective: Objective, seed: int) -> None:
    rng = np.random.default_rng(seed)
    mentees, mentors = random_people(rng, 30, 6)
    policy = MatchingPolicy()
    result = match_cohort(mentees, mentors, policy, objective)
    assert result.blocking_pairs == count_by_hand(mentees, mentors, policy, result)


def test_counts_the_blocking_pairs_of_any_assignment() -> None:
    mentees, mentors = one_place_two_mentees()
    by_hand = [
        Assignment("bo", "marc", 40.0, score_pair(mentees[1], mentors[0], GOALS_ONLY).breakdown)
    ]
    # Ana is unmatched: Marc is full with a worse mentee, Nina has a free place.
    assert blocking_pairs(mentees, mentors, GOALS_ONLY, by_hand) == 2
