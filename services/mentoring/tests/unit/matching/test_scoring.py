import pytest

from mentoring.domain.matching import (
    Criterion,
    CriterionScore,
    DepartmentPreference,
    MatchingPolicy,
    ScoredMentor,
    score_pair,
)
from mentoring.domain.matching.model import DEFAULT_WEIGHTS

from .builders import mentee, mentor

ONLY = dict.fromkeys(Criterion, 0.0)


def only(
    criterion: Criterion,
    department_preference: DepartmentPreference = "none",
    min_common_hours: int = 2,
) -> MatchingPolicy:
    return MatchingPolicy({**ONLY, criterion: 1.0}, department_preference, min_common_hours)


def part(scored: ScoredMentor, criterion: Criterion) -> CriterionScore:
    [found] = [c for c in scored.breakdown if c.criterion is criterion]
    return found


def test_goal_coverage_is_the_mean_of_level_over_target_capped_at_one() -> None:
    scored = score_pair(
        mentee(goals={"purpose": 3, "community-rules": 2, "digital-identity": 4, "x": 2}),
        mentor(competencies={"purpose": 5, "community-rules": 2, "digital-identity": 2}),
        only(Criterion.GOALS),
    )
    goals = part(scored, Criterion.GOALS)
    assert goals.value == pytest.approx((1 + 1 + 0.5 + 0) / 4)
    assert goals.reason == "covers 2 of 4 goals"
    assert scored.score == pytest.approx(62.5)


def test_a_mentee_without_goals_is_fully_covered() -> None:
    goals = part(score_pair(mentee(goals={}), mentor(), only(Criterion.GOALS)), Criterion.GOALS)
    assert (goals.value, goals.reason) == (1.0, "no goals set")


@pytest.mark.parametrize(
    ("mentee_offset", "mentor_offset", "value", "reason"),
    [
        (0, 0, 1.0, "8 h working-day overlap"),
        (0, 120, 0.75, "6 h working-day overlap"),
        (60, -270, 2.5 / 8, "2.5 h working-day overlap"),
        (0, 540, 0.0, "no working-day overlap"),
        (-600, 780, 7 / 8, "7 h working-day overlap"),  # 23 h apart one way, 1 h the other
    ],
)
def test_time_zones_count_the_overlap_of_the_two_working_days(
    mentee_offset: int, mentor_offset: int, value: float, reason: str
) -> None:
    scored = score_pair(
        mentee(utc_offset_minutes=mentee_offset),
        mentor(utc_offset_minutes=mentor_offset),
        only(Criterion.TIMEZONE),
    )
    assert part(scored, Criterion.TIMEZONE).value == pytest.approx(value)
    assert part(scored, Criterion.TIMEZONE).reason == reason


@pytest.mark.parametrize(
    ("mentor_hours", "value", "reason"),
    [
        ([9, 10, 11], 1.0, "3 h common availability a week"),
        ([9, 50], 1.0, "1 h common availability a week"),
        ([50], 0.0, "no common availability"),
    ],
)
def test_availability_counts_common_weekly_hours_up_to_the_minimum(
    mentor_hours: list[int], value: float, reason: str
) -> None:
    scored = score_pair(
        mentee(availability=[9, 10, 11, 12]),
        mentor(availability=mentor_hours),
        only(Criterion.AVAILABILITY, min_common_hours=1),
    )
    assert (
        part(scored, Criterion.AVAILABILITY).value,
        part(scored, Criterion.AVAILABILITY).reason,
    ) == (
        value,
        reason,
    )


def test_one_common_hour_of_two_wanted_is_half_the_availability_value() -> None:
    scored = score_pair(
        mentee(availability=[9]), mentor(availability=[9, 10]), only(Criterion.AVAILABILITY)
    )
    assert part(scored, Criterion.AVAILABILITY).value == 0.5


@pytest.mark.parametrize(
    ("preference", "mentee_department", "mentor_department", "value", "reason"),
    [
        ("same", "sales", "sales", 1.0, "same department"),
        ("same", "sales", "it", 0.0, "another department"),
        ("cross", "sales", "it", 1.0, "another department"),
        ("cross", "sales", "sales", 0.0, "same department"),
        ("cross", None, "sales", 0.0, "department unknown"),
        ("same", None, None, 0.0, "department unknown"),
    ],
)
def test_department_follows_the_program_preference(
    preference: DepartmentPreference,
    mentee_department: str | None,
    mentor_department: str | None,
    value: float,
    reason: str,
) -> None:
    scored = score_pair(
        mentee(department=mentee_department),
        mentor(department=mentor_department),
        only(Criterion.DEPARTMENT, department_preference=preference),
    )
    assert (
        part(scored, Criterion.DEPARTMENT).value,
        part(scored, Criterion.DEPARTMENT).reason,
    ) == (
        value,
        reason,
    )


def test_without_a_department_preference_the_department_is_left_out() -> None:
    scored = score_pair(mentee(department="sales"), mentor(department="sales"), MatchingPolicy())
    assert Criterion.DEPARTMENT not in [c.criterion for c in scored.breakdown]
    assert sum(c.points for c in scored.breakdown) == pytest.approx(scored.score)


@pytest.mark.parametrize(
    ("rank", "value", "reason"),
    [
        (1, 1.0, "your 1st choice"),
        (2, 0.8, "your 2nd choice"),
        (3, 0.6, "your 3rd choice"),
        (4, 0.4, "your 4th choice"),
        (5, 0.2, "your 5th choice"),
    ],
)
def test_a_ranked_mentor_earns_less_the_lower_the_rank(
    rank: int, value: float, reason: str
) -> None:
    others = ("m1", "m2", "m3", "m4")
    ranked = (*others[: rank - 1], "mentor-a", *others[rank - 1 :])
    scored = score_pair(mentee(ranked_mentors=ranked), mentor(), only(Criterion.PREFERENCE))
    preference = part(scored, Criterion.PREFERENCE)
    assert preference.value == pytest.approx(value)
    assert preference.reason == reason


def test_a_mentor_the_mentee_did_not_rank_earns_no_preference_points() -> None:
    unranked = part(
        score_pair(mentee(ranked_mentors=("m1",)), mentor(), only(Criterion.PREFERENCE)),
        Criterion.PREFERENCE,
    )
    assert (unranked.value, unranked.reason) == (0.0, "not among your choices")
    no_choice = part(
        score_pair(mentee(), mentor(), only(Criterion.PREFERENCE)), Criterion.PREFERENCE
    )
    assert (no_choice.value, no_choice.reason) == (0.0, "no ranked choices")


def test_load_balance_prefers_mentors_with_free_places() -> None:
    load = part(
        score_pair(mentee(), mentor(capacity=3, load=2, max_capacity=5), only(Criterion.LOAD)),
        Criterion.LOAD,
    )
    assert (load.value, load.reason) == (0.6, "3 of 5 places free")


def test_a_perfect_pair_scores_one_hundred_with_any_weights() -> None:
    perfect = mentee(ranked_mentors=("mentor-a",), department="it"), mentor(department="it")
    for weights in (DEFAULT_WEIGHTS, dict.fromkeys(Criterion, 3.0), {Criterion.LOAD: 0.1}):
        policy = MatchingPolicy(weights=weights, department_preference="same")
        assert score_pair(*perfect, policy).score == 100.0


def test_weights_are_normalised_so_scaling_them_changes_nothing() -> None:
    pair = mentee(utc_offset_minutes=120, goals={"purpose": 5}), mentor(load=1, capacity=1)
    doubled = {c: 2 * w for c, w in DEFAULT_WEIGHTS.items()}
    assert score_pair(*pair, MatchingPolicy()) == score_pair(*pair, MatchingPolicy(weights=doubled))


def test_each_criterion_earns_its_value_times_its_share_of_the_hundred_points() -> None:
    policy = MatchingPolicy(
        weights={Criterion.GOALS: 3, Criterion.TIMEZONE: 1}, department_preference="same"
    )
    scored = score_pair(mentee(goals={"purpose": 5}), mentor(utc_offset_minutes=120), policy)
    assert [c.criterion for c in scored.breakdown] == [Criterion.GOALS, Criterion.TIMEZONE]
    goals, timezone = scored.breakdown
    assert (goals.value, goals.points) == (1.0, 75.0)
    assert (timezone.value, timezone.points) == (0.75, 18.75)
    assert scored.score == 93.75


def test_criteria_with_weight_zero_are_left_out_of_the_breakdown() -> None:
    policy = MatchingPolicy(weights={**DEFAULT_WEIGHTS, Criterion.LOAD: 0.0})
    scored = score_pair(mentee(), mentor(), policy)
    assert Criterion.LOAD not in [c.criterion for c in scored.breakdown]


def test_the_points_of_a_breakdown_add_up_to_the_score() -> None:
    scored = score_pair(
        mentee(goals={"purpose": 4, "x": 3}, availability=[9], utc_offset_minutes=330),
        mentor(load=2, capacity=1, max_capacity=7),
        MatchingPolicy(weights={c: 1.0 + i / 7 for i, c in enumerate(Criterion)}),
    )
    assert sum(c.points for c in scored.breakdown) == pytest.approx(scored.score, abs=1e-9)
    assert 0 <= scored.score <= 100


def test_reasons_list_the_criteria_worth_the_most_points_first() -> None:
    scored = score_pair(
        mentee(goals={"purpose": 5}, availability=[]),
        mentor(competencies={"purpose": 5}, load=1, capacity=1),
        MatchingPolicy(),
    )
    assert scored.reasons == (
        "covers 1 of 1 goal",
        "8 h working-day overlap",
        "1 of 2 places free",
        "no common availability",
        "no ranked choices",
    )
