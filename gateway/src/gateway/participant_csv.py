"""Reading a participants CSV file (docs/import.md) row by row, without holding it whole.

``read_rows`` takes a binary file and yields, for each record after the header, either a ``Row``
(its cells as the mentoring service's upsert fields) or a ``BadRow`` (its first line, the column
and why). Only the header can make the whole file unreadable (``FileProblem``).

What a hostile or careless file cannot do here:
- text that is not UTF-8 is read with each bad byte kept as a lone surrogate, so the row holding
  it is refused ("not UTF-8") and reading goes on; a UTF-8 byte order mark is skipped; a UTF-16
  file is refused as a whole, saying so;
- a line longer than ``MAX_LINE_CHARS`` is never held: its rest is skipped and its record refused;
  a quoted cell spanning many lines is bounded by ``csv.field_size_limit``;
- NUL characters, and cells a spreadsheet would run as a formula (starting with ``=``, ``@``, a
  tab or a carriage return, or with ``+`` or ``-`` when not a number) refuse their row: storing
  them would hand the formula to whoever opens an export later;
- an external id or e-mail given twice refuses the later row, naming the first one's line.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from mentorship_contracts.text import why_unstorable

MAX_LINE_CHARS = 32_768
LIST_SEPARATOR = ";"

COLUMNS: dict[str, str] = {
    "external_id": "external_id",
    "email": "email",
    "name": "display_name",
    "role": "roles",
    "user_id": "user_id",
    "language": "language",
    "languages": "languages",
    "timezone": "timezone",
    "department": "department",
    "manager": "manager",
    "competencies": "competencies",
    "goals": "goals",
    "capacity": "capacity",
    "preferred_mentors": "preferred_mentors",
}
"""The columns a file may have (``docs/import.md``) and the upsert field each one gives."""
ALIASES = {"time_zone": "timezone", "roles": "role", "display_name": "name", "e_mail": "email"}
REQUIRED = ("external_id", "email", "name", "role")
ROLES = {"mentor": ["mentor"], "mentee": ["mentee"], "both": ["mentee", "mentor"]}
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_SKILL = re.compile(r"\s*([^:]+?)\s*:\s*(\d+)\s*")


class FileProblem(ValueError):
    """The file as a whole cannot be read as participants; ``str()`` says why."""


@dataclass(frozen=True)
class Row:
    line: int
    """The record's first line in the file (the header is line 1)."""
    values: dict[str, Any]
    """The upsert fields the file's columns give (None for an empty cell)."""


@dataclass(frozen=True)
class BadRow:
    line: int
    column: str | None
    """The column as the file's header spells it; None when the record as a whole is bad."""
    reason: str


class CellProblem(ValueError):
    pass


def _normalized(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def _text(binary: IO[bytes]) -> io.TextIOWrapper:
    start = binary.read(4)
    binary.seek(0)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem("the file is UTF-16 text: save it as CSV in UTF-8")
    return io.TextIOWrapper(
        binary,
        encoding="utf-8-sig",
        errors="surrogateescape",
        newline="",
    )


class _Lines:
    """The file's lines, each at most ``MAX_LINE_CHARS`` long; a longer line is skipped to its
    end, counted in ``overlong`` and given to the CSV reader as an empty line."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self._text = text
        self.number = 0
        self.overlong: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        while line := self._text.readline(MAX_LINE_CHARS):
            self.number += 1
            if len(line) >= MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
                self.overlong.add(self.number)
                while (rest := self._text.readline(MAX_LINE_CHARS)) and not rest.endswith(
                    ("\n", "\r")
                ):
                    pass
                yield "\n"
                continue
            yield line


def _header(cells: list[str]) -> list[str]:
    for cell in cells:
        if why_unstorable(cell) is not None:
            raise FileProblem("the header is not UTF-8 text: save the file as CSV in UTF-8")
    names = [_normalized(cell) for cell in cells]
    if len(names) == 1 and any(sep in cells[0] for sep in ";\t"):
        raise FileProblem("the header has one column: columns are separated by commas")
    unknown = [cell.strip() for cell, name in zip(cells, names, strict=True) if name not in COLUMNS]
    if unknown:
        raise FileProblem(
            f"unknown column {unknown[0][:80]!r}: the columns are {', '.join(COLUMNS)}"
        )
    seen: set[str] = set()
    for cell, name in zip(cells, names, strict=True):
        if name in seen:
            raise FileProblem(f"the column {cell.strip()[:80]!r} is given twice")
        seen.add(name)
    missing = [name for name in REQUIRED if name not in seen]
    if missing:
        raise FileProblem(
            f"the file has no {missing[0]!r} column: {', '.join(REQUIRED)} are required"
        )
    return names


def _list(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]


def _cell_value(column: str, cell: str) -> Any:
    """A cell's value for the upsert (None when empty); ``CellProblem`` when unreadable."""
    if not cell:
        return None
    if column == "role":
        roles: set[str] = set()
        for item in _list(cell.lower()):
            if item not in ROLES:
                raise CellProblem(f"{item[:40]!r} is not a role: mentor, mentee or both")
            roles.update(ROLES[item])
        return sorted(roles)
    if column in ("languages", "preferred_mentors"):
        return _list(cell)
    if column in ("competencies", "goals"):
        levels: dict[str, int] = {}
        for item in _list(cell):
            found = _SKILL.fullmatch(item)
            if found is None:
                raise CellProblem(f"{item[:40]!r} is not skill:level (e.g. python:3)")
            key, level = found.group(1), int(found.group(2))
            if key in levels:
                raise CellProblem(f"the skill {key[:40]!r} is given twice")
            levels[key] = level
        return levels
    if column == "capacity":
        if not cell.isdigit() or len(cell) > 3:
            raise CellProblem(f"{cell[:40]!r} is not a whole number of mentees")
        return int(cell)
    return cell


def _problem(cell: str) -> str | None:
    why = why_unstorable(cell)
    if why is not None:
        return "is not UTF-8 text" if "surrogate" in why else f"contains {why}"
    if cell[:1] in ("=", "@", "\t", "\r") or (
        cell[:1] in ("+", "-") and not _NUMBER.fullmatch(cell)
    ):
        return (
            f"starts with {cell[:1]!r}: a spreadsheet would run it as a formula "
            "(remove that character)"
        )
    return None


class ParticipantRows:
    """The records of a file after its header, in order (``FileProblem`` for an unreadable
    header). Once the header is read, ``columns`` gives each upsert field's column as the file
    spells it."""

    def __init__(self, binary: IO[bytes]) -> None:
        self._binary = binary
        self.columns: dict[str, str] = {}

    def __iter__(self) -> Iterator[Row | BadRow]:
        return _records(self._binary, self.columns)

    def column_of(self, field: str | None) -> str | None:
        """The column of an upsert field a service named (``competencies.python`` is in
        ``competencies``); None for the row as a whole."""
        return self.columns.get((field or "").split(".")[0])


def _records(binary: IO[bytes], columns: dict[str, str]) -> Iterator[Row | BadRow]:
    lines = _Lines(_text(binary))
    reader = csv.reader(iter(lines), strict=True)
    names: list[str] | None = None
    spelled: list[str] = []
    last = 0
    first_of: dict[tuple[str, str], int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            start, last = last + 1, reader.line_num
            if names is None:
                raise FileProblem(f"the header is not CSV: {exc}") from None
            yield BadRow(start, None, f"not CSV: {exc}")
            continue
        start, last = last + 1, reader.line_num
        spans = range(start, last + 1)
        if any(n in lines.overlong for n in spans):
            lines.overlong.difference_update(spans)
            if names is None:
                raise FileProblem(f"the header is longer than {MAX_LINE_CHARS} characters")
            yield BadRow(start, None, f"a line is longer than {MAX_LINE_CHARS} characters")
            continue
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if names is None:
            names = _header(cells)
            spelled = [cell.strip() for cell in cells]
            columns.update({COLUMNS[n]: c for n, c in zip(names, spelled, strict=True)})
            continue
        if len(cells) != len(names):
            yield BadRow(start, None, f"{len(cells)} cells for {len(names)} columns")
            continue
        yield _row(start, names, spelled, cells, first_of)
    if names is None:
        raise FileProblem("the file is empty: it needs a header line and a line per person")


def _row(
    line: int,
    names: list[str],
    spelled: list[str],
    cells: list[str],
    first_of: dict[tuple[str, str], int],
) -> Row | BadRow:
    values: dict[str, Any] = {}
    for name, column, raw in zip(names, spelled, cells, strict=True):
        cell = raw.strip()
        problem = _problem(cell)
        if problem is not None:
            return BadRow(line, column, problem)
        try:
            values[COLUMNS[name]] = _cell_value(name, cell)
        except CellProblem as exc:
            return BadRow(line, column, str(exc))
    if values["external_id"] is None:
        return BadRow(line, spelled[names.index("external_id")], "the external id is empty")
    for name in ("external_id", "email"):
        value = values[COLUMNS[name]]
        if value is None:
            continue
        key = (name, value.lower() if name == "email" else value)
        if key in first_of:
            column = spelled[names.index(name)]
            return BadRow(line, column, f"{value[:80]!r} is on line {first_of[key]} already")
    for name in ("external_id", "email"):
        value = values[COLUMNS[name]]
        if value is not None:
            first_of[(name, value.lower() if name == "email" else value)] = line
    return Row(line, values)
