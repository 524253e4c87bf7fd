"""Text no MongoDB server can store, the one rule every edge of the platform applies.

A string holding the NUL character (U+0000) cannot be stored: BSON keys are C strings, and
FerretDB on PostgreSQL keeps documents as ``jsonb``, which refuses U+0000 in any string. A lone
surrogate (U+D800 to U+DFFF unpaired) is not Unicode text and has no UTF-8 encoding, so no BSON
string can hold it. The services refuse both in requests (``mentorship_runtime.storable_input``),
the gateway in GraphQL documents and arguments, and the event registry in events.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def why_unstorable(text: str) -> str | None:
    """What makes ``text`` unstorable, or None. A surrogate left in a decoded ``str`` is lone: the
    JSON decoder joins an escaped pair into one character."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "the NUL character (U+0000)"
    return "a lone surrogate (U+D800 to U+DFFF), which is not Unicode text"


def unstorable_strings(value: Any) -> Iterator[tuple[str, str]]:
    """``(dotted path, why)`` for each key or string of a decoded JSON value that cannot be
    stored, in document order; iterative, so any depth is safe."""
    stack: list[tuple[str, Any]] = [("$", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if (why := why_unstorable(item)) is not None:
                yield path, why
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                name = f"{key}" if path == "$" else f"{path}.{key}"
                if (why := why_unstorable(key)) is not None:
                    yield (path, f"a key holds {why}")
                    continue
                children.append((name, child))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{path}.{i}", child) for i, child in enumerate(item)]))
