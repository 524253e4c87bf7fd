"""Skill keys follow one grammar (they are document keys); weights name each criterion once."""

import pytest

from mentoring.domain.errors import Invalid
from mentoring.domain.participants import require_skill_levels
from mentoring.domain.programs import DEFAULT_WEIGHTS, matching_weights


@pytest.mark.parametrize(
    "key", ["purpose", "community-rules", "ms_teams", "x", "7-habits", "a" * 64]
)
def test_skill_keys_of_the_grammar_are_accepted(key: str) -> None:
    assert require_skill_levels("goals", {key: 3}) == {key: 3}


@pytest.mark.parametrize(
    "key",
    ["ms.teams", "$where", "", "Python", "-lead", "_x", "with space", "é", "a" * 65, "a\x00"],
)
def test_a_key_mongodb_refuses_or_outside_the_grammar_is_refused_naming_the_field(
    key: str,
) -> None:
    with pytest.raises(Invalid, match="is not a skill key") as raised:
        require_skill_levels("competencies", {"purpose": 4, key: 3})

    assert raised.value.field == "competencies"


@pytest.mark.parametrize("level", [0, 6, True, 2.5])
def test_a_level_outside_1_to_5_is_refused_naming_its_skill(level: object) -> None:
    with pytest.raises(Invalid) as raised:
        require_skill_levels("goals", {"purpose": level})  # type: ignore[dict-item]

    assert raised.value.field == "goals.purpose"


def test_more_than_30_skills_are_refused() -> None:
    with pytest.raises(Invalid, match="at most 30"):
        require_skill_levels("goals", {f"skill-{i}": 3 for i in range(31)})


def test_no_weights_given_means_the_defaults() -> None:
    assert matching_weights(None) == DEFAULT_WEIGHTS


def test_weights_left_out_weigh_nothing() -> None:
    weights = matching_weights((("goal_coverage", 3.0), ("department", 1.0)))

    assert weights["goal_coverage"] == 3.0
    assert weights["department"] == 1.0
    assert weights["load_balance"] == 0.0
    assert set(weights) == set(DEFAULT_WEIGHTS)


def test_a_criterion_named_twice_is_refused_naming_the_repeat() -> None:
    pairs = (("goal_coverage", 3.0), ("department", 1.0), ("goal_coverage", 5.0))

    with pytest.raises(Invalid, match=r"named twice \(first at weights\.0\)") as raised:
        matching_weights(pairs)

    assert raised.value.field == "weights.2.criterion"


@pytest.mark.parametrize(
    ("pairs", "field"),
    [
        ((("department", 1.0), ("teleportation", 1.0)), "weights.1.criterion"),
        ((("department", -1.0),), "weights.0.weight"),
        ((("department", 1001.0),), "weights.0.weight"),
        ((("department", float("nan")),), "weights.0.weight"),
        ((("department", 0.0), ("goal_coverage", 0.0)), "weights"),
    ],
)
def test_unknown_criteria_and_weights_out_of_range_are_refused_where_they_stand(
    pairs: tuple[tuple[str, float], ...], field: str
) -> None:
    with pytest.raises(Invalid) as raised:
        matching_weights(pairs)

    assert raised.value.field == field
