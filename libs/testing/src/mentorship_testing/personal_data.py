"""Where strings a person could be recognised by (a name, an e-mail address, a note) are still
stored in a service's database: every collection, every document, every field, also inside
nested documents and lists, compared case-insensitively, in keys as well as values."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase


@dataclass(frozen=True)
class Found:
    collection: str
    document_id: Any
    path: str
    """Dotted, with list positions as numbers (``check_ins.2.note``); a key holding a string
    ends in ``<key>``."""
    needle: str

    def __str__(self) -> str:
        return f"{self.collection} {self.document_id!r} {self.path}: {self.needle!r}"


async def find_strings(db: AsyncDatabase[Any], needles: Sequence[str]) -> list[Found]:
    """Every (collection, document id, field path) of ``db`` holding one of ``needles``."""
    wanted = [(needle, needle.casefold()) for needle in needles if needle]
    if not wanted:
        raise ValueError("give at least one non-empty string to look for")
    found: list[Found] = []
    for name in sorted(await db.list_collection_names()):
        async for document in db[name].find({}):
            for path, text in _texts(document, ""):
                folded = text.casefold()
                found.extend(
                    Found(name, document.get("_id"), path, needle)
                    for needle, fold in wanted
                    if fold in folded
                )
    return found


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield f"{inner}<key>", str(key)
            yield from _texts(item, inner)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}.{index}" if path else str(index))
    elif isinstance(value, bytes):
        yield path, value.decode("utf-8", errors="replace")
    elif value is not None:
        yield path, str(value)
