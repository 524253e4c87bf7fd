"""A learning path in the reader's language.

A path is written in one language, its own (English for the default path). For the default path
the platform also ships French texts (``seed_fr``); ``in_language`` swaps a text for its French
wording only where the path still carries the text the platform shipped, so that a program's own
rewording is never hidden behind a stale translation: it shows in the path's own language.
"""

from __future__ import annotations

from dataclasses import replace

from progress.domain import seed, seed_fr
from progress.domain.learning_paths import LearningPath, Milestone, Module

LANGUAGES = ("en", "fr")
"""The languages a reader may ask for."""

PATH_LANGUAGE = "en"
"""The language the paths are written in."""

Texts = dict[str, str]
"""Shipped text: its wording in another language."""


def _french() -> Texts:
    texts = {seed.DEFAULT_PATH.title: seed_fr.PATH_TITLE}
    for module in seed.DEFAULT_PATH.modules:
        title, description = seed_fr.MODULES[module.id]
        texts[module.title] = title
        texts[module.description] = description
        for milestone in module.milestones:
            m_title, m_description, evidence = seed_fr.MILESTONES[milestone.id]
            texts[milestone.title] = m_title
            texts[milestone.description] = m_description
            texts[milestone.evidence_expected] = evidence
    return texts


_CATALOGS: dict[str, dict[str, Texts]] = {"fr": {seed.DEFAULT_PATH_ID: _french()}}
"""Language: path id: its translated texts."""


def in_language(path: LearningPath, language: str | None) -> LearningPath:
    """The path with every text the platform has a translation for in ``language``; the other
    texts (and every text for another language or path) stay in the path's own language."""
    texts = _CATALOGS.get(language or PATH_LANGUAGE, {}).get(path.id)
    if not texts:
        return path

    def say(text: str) -> str:
        return texts.get(text, text)

    def milestone(m: Milestone) -> Milestone:
        return replace(
            m,
            title=say(m.title),
            description=say(m.description),
            evidence_expected=say(m.evidence_expected),
        )

    def module(m: Module) -> Module:
        return replace(
            m,
            title=say(m.title),
            description=say(m.description),
            milestones=tuple(milestone(s) for s in m.milestones),
        )

    return replace(path, title=say(path.title), modules=tuple(module(m) for m in path.modules))


def title_in_language(path_id: str, title: str, language: str | None) -> str:
    """A path's title in ``language`` when the platform ships one for it, else as it is."""
    return _CATALOGS.get(language or PATH_LANGUAGE, {}).get(path_id, {}).get(title, title)
