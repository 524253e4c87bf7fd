import random
from collections import Counter

import numpy as np
import pytest

from mentoring.domain.matching import (
    CohortResult,
    Criterion,
    DuplicateCandidate,
    InvalidPolicy,
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    Objective,
    match_cohort,
    score_pair,
    violations,
)
from mentoring.domain.matching.cohort import ALL_FULL, NO_SHARED_LANGUAGE, ONLY_EXCLUDED, OUTMATCHED

from .builders import mentee, mentor, random_people

OBJECTIVES: list[Objective] = ["best_fit", "most_matched"]
GOALS_ONLY = MatchingPolicy(weights={Criterion.GOALS: 1.0})


def one_place_two_mentees() -> tuple[list[MenteeCandidate], list[MentorCandidate]]:
    """Ana fits both mentors, Bo only speaks French with Marc. Marc is the better mentor for both.

    best_fit: Ana with Marc (100), Bo unmatched: 100. Both matched would only make 40 + 40.
    """
    mentees = [
        mentee("ana", languages=["en"], goals={"purpose": 5}),
        mentee("bo", languages=["fr"], goals={"community-rules": 5}),
    ]
    mentors = [
        mentor(
            "marc",
            languages=["en", "fr"],
            capacity=1,
            competencies={"purpose": 5, "community-rules": 2},
        ),
        mentor("nina", languages=["en"], capacity=1, competencies={"purpose": 2}),
    ]
    return mentees, mentors


def pairs(result: CohortResult) -> set[tuple[str, str]]:
    return {(a.mentee_id, a.mentor_id) for a in result.assignments}


def test_best_fit_leaves_someone_unmatched_for_a_higher_total() -> None:
    result = match_cohort(*one_place_two_mentees(), GOALS_ONLY, "best_fit")
    assert pairs(result) == {("ana", "marc")}
    assert (result.matched_count, result.total_score, result.mean_score) == (1, 100.0, 100.0)
    assert [(u.mentee_id, u.reason) for u in result.unmatched] == [("bo", OUTMATCHED["best_fit"])]


def test_most_matched_matches_more_people_at_a_lower_total() -> None:
    result = match_cohort(*one_place_two_mentees(), GOALS_ONLY, "most_matched")
    assert pairs(result) == {("ana", "nina"), ("bo", "marc")}
    assert (result.matched_count, result.total_score, result.mean_score) == (2, 80.0, 40.0)
    assert result.unmatched == ()


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize(
    ("person", "mentors", "reason"),
    [
        (mentee(languages=["fr"]), [mentor(languages=["en"])], NO_SHARED_LANGUAGE),
        (mentee("ana"), [mentor("ana")], ONLY_EXCLUDED),
        (mentee(manager_id="boss"), [mentor("boss")], ONLY_EXCLUDED),
        (mentee("boss"), [mentor(manager_id="boss")], ONLY_EXCLUDED),
        (mentee(excluded_mentors=["mentor-a"]), [mentor("mentor-a")], ONLY_EXCLUDED),
        (mentee(), [mentor(capacity=0, load=2)], ALL_FULL),
        (mentee(manager_id="boss"), [mentor("boss"), mentor("full", capacity=0)], ALL_FULL),
    ],
)
def test_a_cohort_run_never_assigns_a_forbidden_pair_and_says_why(
    objective: Objective, person: MenteeCandidate, mentors: list[MentorCandidate], reason: str
) -> None:
    result = match_cohort([person], mentors, MatchingPolicy(), objective)
    assert result.assignments == ()
    assert [(u.mentee_id, u.reason) for u in result.unmatched] == [(person.id, reason)]
    assert result.mean_score == 0.0


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_never_matches_a_mentee_with_their_manager_even_when_it_would_fit_best(
    objective: Objective,
) -> None:
    boss = mentor("boss", competencies={"purpose": 5})
    other = mentor("other", competencies={"purpose": 1}, utc_offset_minutes=540)
    result = match_cohort(
        [mentee(manager_id="boss", goals={"purpose": 5})],
        [boss, other],
        MatchingPolicy(),
        objective,
    )
    assert pairs(result) == {("mentee-a", "other")}


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("seed", range(10))
def test_capacity_is_never_exceeded_and_every_assignment_is_eligible(
    objective: Objective, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    mentees, mentors = random_people(rng, 40, 8)
    policy = MatchingPolicy()
    result = match_cohort(mentees, mentors, policy, objective)
    by_id = {m.id: m for m in mentors}
    people = {m.id: m for m in mentees}
    taken = Counter(a.mentor_id for a in result.assignments)
    assert all(taken[j] <= by_id[j].capacity for j in taken)
    matched = [a.mentee_id for a in result.assignments]
    assert len(matched) == len(set(matched)) == result.matched_count
    assert sorted(matched + [u.mentee_id for u in result.unmatched]) == sorted(people)
    for a in result.assignments:
        assert violations(people[a.mentee_id], by_id[a.mentor_id]) == []
        scored = score_pair(people[a.mentee_id], by_id[a.mentor_id], policy)
        assert (a.score, a.breakdown) == (scored.score, scored.breakdown)
    assert result.total_score == pytest.approx(sum(a.score for a in result.assignments))


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("seed", range(5))
def test_shuffled_input_gives_an_identical_result(objective: Objective, seed: int) -> None:
    rng = np.random.default_rng(seed)
    mentees, mentors = random_people(rng, 30, 6, max_capacity=2)
    expected = match_cohort(mentees, mentors, MatchingPolicy(), objective)
    shuffle = random.Random(seed)
    for _ in range(3):
        shuffle.shuffle(mentees)
        shuffle.shuffle(mentors)
        assert match_cohort(mentees, mentors, MatchingPolicy(), objective) == expected


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_contested_place_goes_to_the_earliest_mentee_id_on_a_tie(objective: Objective) -> None:
    twins = [mentee(name) for name in ("mentee-c", "mentee-a", "mentee-b")]
    result = match_cohort(twins, [mentor(capacity=1)], MatchingPolicy(), objective)
    assert pairs(result) == {("mentee-a", "mentor-a")}


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_mentee_goes_to_the_earliest_mentor_id_on_a_tie(objective: Objective) -> None:
    twins = [mentor(name) for name in ("mentor-c", "mentor-a", "mentor-b")]
    result = match_cohort([mentee()], twins, MatchingPolicy(), objective)
    assert pairs(result) == {("mentee-a", "mentor-a")}


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_identical_people_fill_every_place_and_the_earliest_ids_get_them(
    objective: Objective,
) -> None:
    mentees = [mentee(f"mentee-{i:02d}") for i in range(60)]
    mentors = [mentor(f"mentor-{j}", capacity=3) for j in range(10)]
    result = match_cohort(mentees, mentors, MatchingPolicy(), objective)
    assert sorted(a.mentee_id for a in result.assignments) == [f"mentee-{i:02d}" for i in range(30)]
    assert Counter(a.mentor_id for a in result.assignments) == {m.id: 3 for m in mentors}


def test_an_empty_cohort_is_an_empty_result() -> None:
    result = match_cohort([], [mentor()], MatchingPolicy())
    assert (result.assignments, result.unmatched, result.matched_count) == ((), (), 0)
    assert (result.total_score, result.mean_score, result.blocking_pairs) == (0.0, 0.0, 0)


def test_without_mentors_everyone_is_unmatched() -> None:
    result = match_cohort([mentee("a"), mentee("b")], [], MatchingPolicy(), "most_matched")
    assert [u.reason for u in result.unmatched] == [NO_SHARED_LANGUAGE] * 2


def test_refuses_a_person_listed_twice() -> None:
    with pytest.raises(DuplicateCandidate):
        match_cohort([mentee(), mentee()], [mentor()], MatchingPolicy())
    with pytest.raises(DuplicateCandidate):
        match_cohort([mentee()], [mentor(), mentor()], MatchingPolicy())


def test_refuses_an_unknown_objective() -> None:
    with pytest.raises(InvalidPolicy):
        match_cohort([mentee()], [mentor()], MatchingPolicy(), "most_fun")  # type: ignore[arg-type]


def test_someone_can_be_mentor_and_mentee_but_not_of_themselves() -> None:
    result = match_cohort(
        [mentee("ana"), mentee("bo")], [mentor("ana", capacity=1)], MatchingPolicy()
    )
    assert pairs(result) == {("bo", "ana")}
