"""A run lists its blocking pairs, each with why it blocks, not only their number."""

import numpy as np
import pytest

from mentoring.domain.matching import (
    BlockingPair,
    CohortResult,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    Objective,
    match_cohort,
    score_pair,
    violations,
)

from .builders import random_people
from .test_cohort import GOALS_ONLY, one_place_two_mentees


def listed_by_hand(
    mentees: list[MenteeCandidate],
    mentors: list[MentorCandidate],
    policy: MatchingPolicy,
    result: CohortResult,
) -> set[tuple[str, str]]:
    mine = {a.mentee_id: a for a in result.assignments}
    theirs = {m.id: [a.score for a in result.assignments if a.mentor_id == m.id] for m in mentors}
    found = set()
    for e in mentees:
        for m in mentors:
            if violations(e, m) or (e.id in mine and mine[e.id].mentor_id == m.id):
                continue
            score = score_pair(e, m, policy).score
            mentee_prefers = e.id not in mine or score > mine[e.id].score
            mentor_prefers = len(theirs[m.id]) < m.capacity or score > min(theirs[m.id])
            if mentee_prefers and mentor_prefers:
                found.add((e.id, m.id))
    return found


def test_the_pair_that_would_rather_swap_is_listed_with_why() -> None:
    mentees, mentors = one_place_two_mentees()

    result = match_cohort(mentees, mentors, GOALS_ONLY, "most_matched")

    # Ana (with Nina, 40) and Marc (with Bo, 40) would both rather be together (100).
    assert result.blocking == (
        BlockingPair("ana", "marc", score=100.0, mentee_score=40.0, mentor_weakest=40.0),
    )
    assert result.blocking[0].reason == (
        "the mentee scores 100 with this mentor against 40 with theirs, and the mentor's "
        "weakest mentee scores 40, below 100"
    )


def test_an_unmatched_mentee_and_a_free_place_are_said_so() -> None:
    pair = BlockingPair("ana", "nina", score=40.0, mentee_score=None, mentor_weakest=None)

    assert pair.reason == "the mentee is unmatched, and the mentor has a free place"


@pytest.mark.parametrize("objective", ["best_fit", "most_matched"])
@pytest.mark.parametrize("seed", range(8))
def test_lists_exactly_the_pairs_it_counts(objective: Objective, seed: int) -> None:
    rng = np.random.default_rng(seed)
    mentees, mentors = random_people(rng, 30, 6)
    policy = MatchingPolicy()

    result = match_cohort(mentees, mentors, policy, objective)

    listed = {(b.mentee_id, b.mentor_id) for b in result.blocking}
    assert len(result.blocking) == result.blocking_pairs == len(listed)
    assert listed == listed_by_hand(mentees, mentors, policy, result)
