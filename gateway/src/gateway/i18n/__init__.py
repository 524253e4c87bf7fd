"""What the platform writes to people, in their language, through gettext message catalogs.

The services write in English, their own language; a catalog (``locale/<language>/LC_MESSAGES/
messages.po``, read with Babel when this module is first imported, so there is no compiled file
to keep in step with it) gives each English text its wording in another language. A msgid may
carry numbers (``%(name)s``), quoted values (``%(name)r``, a Python repr such as an id the
caller gave) and words (``%(name)s`` named in a ``#. words: name, ...`` comment: a state, a list
of roles, any text): ``translate`` recognises an English text written from it, takes the values
back, and writes them into the translation, numbers in the reader's number format, quoted values
as they were and words translated when the catalog knows them (else as they were), choosing the
translation's plural form from the number its ``#. n: name`` comment names. A text no catalog
knows, or one in a language without a catalog, is returned as it is.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = Path(__file__).parent / "locale"
_PLACEHOLDER = re.compile(r"%\((\w+)\)([sr])")
_NUMBER = r"\d+(?:\.\d+)?(?:st|nd|rd|th)?"
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""  # a repr, escapes and all
_WORDS = r".+?"


@dataclass(frozen=True)
class _Pattern:
    """One English form of a msgid with numbers, and the catalog entry it translates to."""

    english: re.Pattern[str]
    forms: tuple[str, ...]
    count: str | None
    words: frozenset[str]
    fixed: int
    """How many characters of the English form are fixed text."""


@dataclass(frozen=True)
class _Language:
    code: str
    exact: dict[str, str]
    patterns: tuple[_Pattern, ...]
    plural: Callable[[int], int]


def catalog(language: str) -> Catalog:
    """The catalog of ``language`` as Babel reads it."""
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


@cache
def languages() -> tuple[str, ...]:
    """The languages with a catalog (English, the source language, needs none)."""
    return tuple(sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir()))


def _english_pattern(template: str, words: frozenset[str]) -> re.Pattern[str]:
    regex, start = "", 0
    for found in _PLACEHOLDER.finditer(template):
        name, kind = found.groups()
        regex += re.escape(template[start : found.start()])
        value = _QUOTED if kind == "r" else _WORDS if name in words else _NUMBER
        regex += f"(?P<{name}>{value})"
        start = found.end()
    return re.compile(regex + re.escape(template[start:]), re.DOTALL)


def _shown(name: str, value: str, whole: str, pattern: _Pattern, language: str) -> str:
    """A value taken back from an English text, as the translation writes it."""
    if name in pattern.words:
        return value if value == whole else translate(value, language)
    if value[:1] in {"'", '"'}:
        return value
    return format_decimal(Decimal(value.rstrip("stndrh")), locale=language)


class _AsWritten(dict[str, str]):
    """Values for a ``%`` format whose ``%(name)r`` gives back the quoted value unchanged."""

    def __getitem__(self, key: str) -> str:
        return _Verbatim(super().__getitem__(key))


class _Verbatim(str):
    def __repr__(self) -> str:
        return str(self)


def _count_of(comments: list[str]) -> str | None:
    for comment in comments:
        if comment.startswith("n: "):
            return comment.removeprefix("n: ").strip()
    return None


def _words_of(comments: list[str]) -> frozenset[str]:
    """The placeholders a ``#. words: a, b`` comment names."""
    names: set[str] = set()
    for comment in comments:
        if comment.startswith("words: "):
            names.update(n.strip() for n in comment.removeprefix("words: ").split(","))
    return frozenset(names)


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string as its forms (one unless it has plural forms)."""
    values = value if isinstance(value, (tuple, list)) else (value,)
    return tuple(v if isinstance(v, str) else "" for v in values)


@cache
def _load(language: str) -> _Language:
    found = catalog(language)
    exact: dict[str, str] = {}
    patterns: list[_Pattern] = []
    for message in found:
        if not message.id or message.fuzzy:
            continue
        ids = _texts(message.id)
        forms = _texts(message.string)
        if not all(forms):
            continue
        if not _PLACEHOLDER.search(ids[0]):
            exact[ids[0]] = forms[0]
            continue
        count = _count_of(message.auto_comments)
        words = _words_of(message.auto_comments)
        patterns += [
            _Pattern(_english_pattern(i, words), forms, count, words, len(_PLACEHOLDER.sub("", i)))
            for i in ids
        ]
    # a text that several msgids could have written is read by the most precise: those whose
    # values are numbers or quoted first, then the ones with the most fixed text
    patterns.sort(key=lambda p: (len(p.words), -p.fixed))
    return _Language(language, exact, tuple(patterns), gettext.c2py(found.plural_expr))


MAX_TEXT = 2_000
"""Longer texts are given as they are: no message the platform writes is that long (the values
it quotes are cut short), and reading one against the catalog's patterns would take time that
grows faster than its length (one may hold a hostile value, e.g. echoed by GraphQL)."""


def translate(text: str, language: str | None) -> str:
    """``text`` (English) in ``language``, or as it is when no catalog there knows it."""
    if language is None or language not in languages() or len(text) > MAX_TEXT:
        return text
    table = _load(language)
    if (exact := table.exact.get(text)) is not None:
        return exact
    for pattern in table.patterns:
        found = pattern.english.fullmatch(text)
        if found is None:
            continue
        values = found.groupdict()
        form = 0
        if pattern.count is not None:
            count = int(Decimal(values[pattern.count].rstrip("stndrh")))
            form = min(table.plural(count), len(pattern.forms) - 1)
        return pattern.forms[form] % _AsWritten(
            {name: _shown(name, value, text, pattern, language) for name, value in values.items()}
        )
    return text


def known(text: str) -> bool:
    """Whether some catalog has ``text`` in its language."""
    return any(translate(text, language) != text for language in languages())
