import math

import numpy as np
import pytest

from mentoring.domain.matching import (
    DepartmentPreference,
    MatchingPolicy,
    MentorPool,
    score_pair,
    violations,
)

from .builders import mentee, mentor, random_people


def test_suggests_the_best_mentors_first() -> None:
    pool = MentorPool(
        [
            mentor("far", utc_offset_minutes=540),
            mentor("near"),
            mentor("half", utc_offset_minutes=240),
        ],
        MatchingPolicy(),
    )
    assert [s.mentor_id for s in pool.suggest(mentee(), k=3)] == ["near", "half", "far"]


def test_equal_scores_are_ordered_by_mentor_id() -> None:
    twins = [mentor(name) for name in ("mentor-c", "mentor-a", "mentor-b")]
    suggested = MentorPool(twins, MatchingPolicy()).suggest(mentee(), k=2)
    assert [s.mentor_id for s in suggested] == ["mentor-a", "mentor-b"]
    assert suggested[0].score == suggested[1].score


def test_suggests_at_most_k_mentors() -> None:
    pool = MentorPool([mentor(f"m{j}") for j in range(8)], MatchingPolicy())
    assert len(pool.suggest(mentee(), k=5)) == 5
    assert len(pool.suggest(mentee())) == 5
    assert pool.suggest(mentee(), k=0) == []


def test_never_suggests_a_mentor_the_hard_constraints_forbid() -> None:
    pool = MentorPool(
        [
            mentor("ana"),  # the mentee herself
            mentor("other-language", languages=["fr"]),
            mentor("full", capacity=0, load=3),
            mentor("her-manager"),
            mentor("her-report", manager_id="ana"),
            mentor("declined"),
            mentor("fine"),
        ],
        MatchingPolicy(),
    )
    ana = mentee("ana", manager_id="her-manager", excluded_mentors=["declined"])
    assert [s.mentor_id for s in pool.suggest(ana, k=10)] == ["fine"]


def test_a_suggestion_explains_itself_like_score_pair() -> None:
    pool = MentorPool([mentor(), mentor("mentor-b", utc_offset_minutes=60)], MatchingPolicy())
    for suggestion in pool.suggest(mentee(), k=2):
        assert suggestion == score_pair(
            mentee(), pool.mentors[pool.index[suggestion.mentor_id]], pool.policy
        )


def test_ignores_languages_modules_and_departments_no_mentor_has() -> None:
    pool = MentorPool(
        [mentor(competencies={"purpose": 2})], MatchingPolicy(department_preference="cross")
    )
    newcomer = mentee(
        languages=["en", "tlh"], goals={"purpose": 4, "warp-drive": 5}, department="r&d"
    )
    [suggestion] = pool.suggest(newcomer)
    assert suggestion == score_pair(newcomer, pool.mentors[0], pool.policy)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("preference", ["none", "same", "cross"])
def test_vectorised_scores_equal_score_pair_exactly(
    seed: int, preference: DepartmentPreference
) -> None:
    rng = np.random.default_rng(seed)
    mentees, mentors = random_people(rng, 12, 40)
    weights = {
        c: float(w) for c, w in zip(MatchingPolicy().weights, rng.integers(0, 7, 6), strict=True)
    }
    weights[next(iter(weights))] += 1  # never all zero
    policy = MatchingPolicy(
        weights=weights, department_preference=preference, min_common_hours=int(rng.integers(1, 4))
    )
    pool = MentorPool(mentors, policy)
    for person in mentees:
        scores = pool.scores_for(person)
        for j, candidate in enumerate(pool.mentors):
            if violations(person, candidate):
                assert math.isnan(scores[j])
            else:
                assert scores[j] == score_pair(person, candidate, policy).score


@pytest.mark.parametrize("seed", range(4))
def test_suggestions_are_the_top_of_a_full_ranking(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    mentees, mentors = random_people(rng, 10, 60)
    policy = MatchingPolicy()
    pool = MentorPool(mentors, policy)
    for person in mentees:
        ranking = sorted(
            (score_pair(person, m, policy) for m in mentors if not violations(person, m)),
            key=lambda s: (-s.score, s.mentor_id),
        )
        assert pool.suggest(person, k=5) == ranking[:5]
