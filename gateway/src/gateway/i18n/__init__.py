"""What the platform writes to people, in their language, through gettext message catalogs.

The services write in English, their own language; a catalog (``locale/<language>/LC_MESSAGES/
messages.po``, read with Babel when this module is first imported, so there is no compiled file
to keep in step with it) gives each English text its wording in another language. A msgid may
carry numbers (``%(name)s``) and quoted values (``%(name)r``, a Python repr such as an id the
caller gave): ``translate`` recognises an English text written from it, takes the values back, and
writes them into the translation, numbers in the reader's number format and quoted values as they
were, choosing the translation's plural form from the number its ``#. n: name`` comment names. A
text no catalog knows, or one in a language without a catalog, is returned as it is.
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
_QUOTED = r"'[^'\\]*'|\"[^\"\\]*\""


@dataclass(frozen=True)
class _Pattern:
    """One English form of a msgid with numbers, and the catalog entry it translates to."""

    english: re.Pattern[str]
    forms: tuple[str, ...]
    count: str | None


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


def _english_pattern(template: str) -> re.Pattern[str]:
    regex, start = "", 0
    for found in _PLACEHOLDER.finditer(template):
        name, kind = found.groups()
        regex += re.escape(template[start : found.start()])
        regex += f"(?P<{name}>{_QUOTED})" if kind == "r" else f"(?P<{name}>{_NUMBER})"
        start = found.end()
    return re.compile(regex + re.escape(template[start:]))


def _shown(value: str, language: str) -> str:
    """A value taken back from an English text, as the translation writes it."""
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
        patterns += [_Pattern(_english_pattern(i), forms, count) for i in ids]
    return _Language(language, exact, tuple(patterns), gettext.c2py(found.plural_expr))


def translate(text: str, language: str | None) -> str:
    """``text`` (English) in ``language``, or as it is when no catalog there knows it."""
    if language is None or language not in languages():
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
            {name: _shown(value, language) for name, value in values.items()}
        )
    return text


def known(text: str) -> bool:
    """Whether some catalog has ``text`` in its language."""
    return any(translate(text, language) != text for language in languages())
