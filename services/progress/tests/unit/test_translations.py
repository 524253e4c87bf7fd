"""The default learning path in the reader's language, falling back to the path's own."""

from __future__ import annotations

from dataclasses import replace

from progress.domain import seed_fr
from progress.domain.seed import DEFAULT_PATH, DEFAULT_PATH_ID
from progress.domain.translations import in_language, title_in_language


def test_every_module_and_milestone_of_the_default_path_has_its_french_texts() -> None:
    assert set(seed_fr.MODULES) == set(DEFAULT_PATH.module_ids)
    assert set(seed_fr.MILESTONES) == set(DEFAULT_PATH.milestone_ids)


def test_in_french_every_text_of_the_default_path_is_the_french_one() -> None:
    french = in_language(DEFAULT_PATH, "fr")
    assert french.title == seed_fr.PATH_TITLE
    assert (french.id, french.version, french.module_ids) == (
        DEFAULT_PATH.id,
        DEFAULT_PATH.version,
        DEFAULT_PATH.module_ids,
    )
    for module in french.modules:
        assert (module.title, module.description) == seed_fr.MODULES[module.id]
        for milestone in module.milestones:
            assert (
                milestone.title,
                milestone.description,
                milestone.evidence_expected,
            ) == seed_fr.MILESTONES[milestone.id]


def test_in_english_or_without_a_language_the_path_is_as_written() -> None:
    assert in_language(DEFAULT_PATH, "en") == DEFAULT_PATH
    assert in_language(DEFAULT_PATH, None) == DEFAULT_PATH
    assert in_language(DEFAULT_PATH, "de") == DEFAULT_PATH


def test_a_programs_own_wording_stays_in_the_paths_language() -> None:
    first = DEFAULT_PATH.modules[0]
    reworded = replace(first, title="Our own purpose", description=first.description)
    revised = DEFAULT_PATH.revised(
        title="Our accompaniment", modules=(reworded, *DEFAULT_PATH.modules[1:])
    )
    french = in_language(revised, "fr")
    assert french.version == 2
    assert french.title == "Our accompaniment"
    assert french.modules[0].title == "Our own purpose"
    assert french.modules[0].description == seed_fr.MODULES[first.id][1]
    assert french.modules[1].title == seed_fr.MODULES[DEFAULT_PATH.module_ids[1]][0]


def test_another_path_is_never_translated_with_the_default_paths_texts() -> None:
    other = replace(DEFAULT_PATH, id="our-own-path")
    assert in_language(other, "fr") == other
    assert title_in_language("our-own-path", DEFAULT_PATH.title, "fr") == DEFAULT_PATH.title
    assert title_in_language(DEFAULT_PATH_ID, DEFAULT_PATH.title, "fr") == seed_fr.PATH_TITLE
    assert title_in_language(DEFAULT_PATH_ID, DEFAULT_PATH.title, None) == DEFAULT_PATH.title
