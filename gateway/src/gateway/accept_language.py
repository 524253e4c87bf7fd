"""The language an ``Accept-Language`` header (RFC 9110 §12.5.4) prefers among those offered.

Each element is a language range (RFC 4647: ``fr``, ``fr-CA``, ``*``) with an optional quality
``;q=`` from 0 to 1 (at most three decimals; 1 when not given, 0 meaning "not this one"). A range
names a language by its primary subtag (``fr-CA`` asks for French). An offered language's quality
is the highest of the ranges naming it, else the quality of ``*``, else 0; the preferred one has
the highest quality above 0, the one named first on a tie. A header longer than ``MAX_LENGTH`` is
ignored as a whole, and so is every element past the first ``MAX_ELEMENTS``; an element that is
not a well-formed range with a well-formed quality is ignored alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_LENGTH = 1024
MAX_ELEMENTS = 32

_ELEMENT = re.compile(
    r"(?P<range>\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)"
    r"(?:[ \t]*;[ \t]*[qQ]=(?P<q>0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?))?"
)


def preferred(header: str | None, offered: Sequence[str]) -> str | None:
    """The language of ``offered`` that ``header`` prefers, or None when it prefers none."""
    if not header or len(header) > MAX_LENGTH:
        return None
    qualities: dict[str, float] = {}
    order: dict[str, int] = {}
    anything: float | None = None
    for position, element in enumerate(header.split(",")[:MAX_ELEMENTS]):
        found = _ELEMENT.fullmatch(element.strip(" \t"))
        if found is None:
            continue
        quality = float(found["q"]) if found["q"] is not None else 1.0
        if found["range"] == "*":
            anything = quality if anything is None else max(anything, quality)
            continue
        language = found["range"].split("-", 1)[0].lower()
        qualities[language] = max(qualities.get(language, 0.0), quality)
        order.setdefault(language, position)
    best: tuple[float, int] | None = None
    chosen: str | None = None
    for language in offered:
        if language in qualities:
            rank = (qualities[language], -order[language])
        elif anything is not None:
            rank = (anything, -MAX_ELEMENTS)
        else:
            continue
        if rank[0] > 0 and (best is None or rank > best):
            best, chosen = rank, language
    return chosen
