"""The message catalogs: well formed, complete for every reason mentoring writes, and applied to
texts with numbers in the reader's number format and plural forms."""

from __future__ import annotations

import itertools

import pytest

from gateway.i18n import catalog, languages, translate
from mentoring.domain.matching import cohort, criteria
from mentoring.domain.matching.model import MenteeCandidate, MentorCandidate


def _mentee(**changes: object) -> MenteeCandidate:
    fields: dict[str, object] = {
        "id": "mentee",
        "languages": frozenset({"en"}),
        "utc_offset_minutes": 0,
        "availability": frozenset({10, 11}),
        "goals": {"purpose": 3, "community-rules": 2},
        "department": "sales",
        "manager_id": None,
    }
    return MenteeCandidate(**{**fields, **changes})  # type: ignore[arg-type]


def _mentor(**changes: object) -> MentorCandidate:
    fields: dict[str, object] = {
        "id": "mentor",
        "languages": frozenset({"en"}),
        "utc_offset_minutes": 90,
        "availability": frozenset({10, 11, 12}),
        "competencies": {"purpose": 4},
        "department": "sales",
        "manager_id": None,
        "capacity": 3,
        "load": 1,
        "max_capacity": 3,
    }
    return MentorCandidate(**{**fields, **changes})  # type: ignore[arg-type]


def _written_reasons() -> set[str]:
    """Every kind of reason mentoring writes, from its own functions."""
    mentees = [
        _mentee(),
        _mentee(goals={}, department=None, ranked_mentors=("other",)),
        _mentee(goals={"purpose": 1}, department="hr", ranked_mentors=("mentor",)),
        _mentee(ranked_mentors=("a", "b", "mentor")),
        _mentee(ranked_mentors=("a", "b", "c", "mentor"), availability=frozenset({1})),
    ]
    mentors = [
        _mentor(),
        _mentor(utc_offset_minutes=600, max_capacity=1, capacity=1, load=0),
        _mentor(utc_offset_minutes=12 * 60, load=3, competencies={}),
        _mentor(id="b"),
    ]
    reasons = {
        found.reason
        for mentee, mentor in itertools.product(mentees, mentors)
        for found in (
            criteria.goal_coverage(mentee, mentor),
            criteria.timezone_overlap(mentee, mentor),
            criteria.availability_overlap(mentee, mentor, 2),
            criteria.department(mentee, mentor, "same"),
            criteria.ranked_preference(mentee, mentor),
            criteria.load_balance(mentor),
        )
    }
    unmatched = {cohort.NO_SHARED_LANGUAGE, cohort.ONLY_EXCLUDED, cohort.ALL_FULL}
    return reasons | unmatched | set(cohort.OUTMATCHED.values())


def test_french_is_the_catalog_and_it_passes_babels_checks() -> None:
    assert languages() == ("fr",)
    found = catalog("fr")
    assert list(found.check()) == []
    assert all(message.string for message in found if message.id)


@pytest.mark.parametrize("reason", sorted(_written_reasons()))
def test_every_reason_mentoring_writes_has_its_french_text(reason: str) -> None:
    french = translate(reason, "fr")
    assert french != reason
    assert translate(reason, "en") == reason
    assert translate(reason, None) == reason


def test_numbers_come_back_in_the_readers_format_and_plural() -> None:
    assert translate("covers 1 of 3 goals", "fr") == "couvre 1 objectif sur 3"
    assert translate("covers 2 of 3 goals", "fr") == "couvre 2 objectifs sur 3"
    assert translate("covers 0 of 1 goal", "fr") == "couvre 0 objectif sur 1"
    assert translate("6.5 h working-day overlap", "fr") == "6,5 h de journée de travail en commun"
    assert translate("your 3rd choice", "fr") == "votre choix n° 3"
    assert translate("2 of 3 places free", "fr") == "2 places libres sur 3"
    assert translate("same department", "fr") == "même service"


def test_a_text_no_catalog_knows_stays_as_written() -> None:
    assert translate("a program's own words", "fr") == "a program's own words"
    assert translate("covers many of 3 goals", "fr") == "covers many of 3 goals"
    assert translate("same department", "de") == "same department"
    assert translate("", "fr") == ""


def test_a_quoted_value_is_carried_over_as_it_was_written() -> None:
    english = "learning path 'a-path' does not exist or is not visible to you"
    assert (
        translate(english, "fr") == "le parcours 'a-path' n'existe pas ou ne vous est pas visible"
    )
    quoted = 'program "it\'s" does not exist or is not visible to you'
    assert (
        translate(quoted, "fr") == "le programme \"it's\" n'existe pas ou ne vous est pas visible"
    )
    assert translate("program 12 does not exist or is not visible to you", "fr") == (
        "program 12 does not exist or is not visible to you"
    )
    assert translate("the service refused the token", "fr") == "le service a refusé le jeton"
