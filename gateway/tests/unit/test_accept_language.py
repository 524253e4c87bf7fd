"""The language an Accept-Language header prefers among English and French (RFC 9110 §12.5.4)."""

from __future__ import annotations

import pytest

from gateway.accept_language import MAX_ELEMENTS, MAX_LENGTH, preferred

OFFERED = ("en", "fr")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr", "fr"),
        ("en", "en"),
        ("fr-CA", "fr"),
        ("FR-ca", "fr"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, fr;q=0.5, en;q=0.4", "fr"),
        ("en;q=0.4, fr;q=0.5", "fr"),
        ("fr;q=0.8, en;q=0.8", "fr"),  # a tie: the one named first
        ("en;q=0.8, fr;q=0.8", "en"),
        ("fr;q=0, *", "en"),  # q=0: anything but French
        ("*", "en"),  # anything: the first offered
        ("*;q=0.1, fr;q=0.2", "fr"),
        ("de, es", None),
        ("de, *;q=0.3", "en"),
        ("fr;q=0", None),
        ("fr ; q=0.5 ,\ten", "en"),
        ("fr;q=1.000", "fr"),
        ("fr;Q=0.7, en;q=0.6", "fr"),
        ("", None),
        (None, None),
    ],
)
def test_the_preferred_language_follows_the_quality_values(
    header: str | None, expected: str | None
) -> None:
    assert preferred(header, OFFERED) == expected


@pytest.mark.parametrize(
    "header",
    [
        "fr;q=2",
        "fr;q=1.5",
        "fr;q=0.1234",
        "fr;q=-1",
        "fr;q=",
        "fr;level=1",
        "français",
        "fr_FR",
        "fr-",
        "-fr",
        "toolongsubtag",
        "fr\x00",
        "fr\ud800",
        ";q=1",
        ",,,",
        "fr;;q=1",
    ],
)
def test_a_malformed_element_is_ignored_alone(header: str) -> None:
    assert preferred(header, OFFERED) is None
    assert preferred(f"{header}, en;q=0.5", OFFERED) == "en"


def test_a_huge_header_is_ignored_and_so_are_elements_past_the_limit() -> None:
    huge = "de," * (MAX_LENGTH // 3) + "fr"
    assert len(huge) > MAX_LENGTH
    assert preferred(huge, OFFERED) is None
    many = ",".join(["de"] * MAX_ELEMENTS + ["fr"])
    assert len(many) <= MAX_LENGTH
    assert preferred(many, OFFERED) is None
    assert preferred(",".join(["de"] * (MAX_ELEMENTS - 1) + ["fr"]), OFFERED) == "fr"
