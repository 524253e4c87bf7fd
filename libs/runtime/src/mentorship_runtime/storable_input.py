"""Request input that a MongoDB server cannot keep, refused on every route before the route runs.

Each of these is valid JSON, passes a pydantic model that asks for a string or a dict, and then
fails inside the service (a 500) or is stored other than it was sent:

- a string with the NUL character (U+0000), as a value or as a key: BSON keys are C strings, and
  FerretDB on PostgreSQL keeps documents as ``jsonb``, which refuses U+0000 in any string;
- a string with a lone surrogate (U+D800 to U+DFFF unpaired, as ``"\\ud800"`` or its raw bytes):
  it is not Unicode text, has no UTF-8 encoding, so no BSON string can hold it;
- an object that names a key twice: JSON leaves its meaning open and Python keeps the last value
  silently (a program's weights named a criterion twice and the first one was lost).

``service_app`` installs ``refuse_unstorable_input`` as a dependency of every route. FastAPI
runs it after reading the body and before validating it against the route's model, so the client
gets the platform's usual 422 whose ``loc`` names the field (``["body", "modules", 0, "title"]``,
``["query", "after"]``, ``["path", "mentee_id"]``) and never the value, and nothing is stored or
published. Path and query parameters are checked too: they are not stored, but a lookup by a NUL
fails on PostgreSQL as a write would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from mentorship_contracts.text import UNSTORABLE, why_unstorable

MAX_PROBLEMS = 20
"""At most this many problems are reported for one request (the first ones, in document order)."""

Loc = tuple[str | int, ...]


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as the list of its members, in order, a repeated key kept."""


def _problem(loc: Loc, message: str, kind: str) -> dict[str, Any]:
    return {"type": kind, "loc": loc, "msg": message, "input": None}


def decode_members(body: bytes) -> Any:
    """JSON with every object as ``_Pairs``; ``ValueError`` or ``RecursionError`` if not JSON."""
    return json.loads(body, object_pairs_hook=_Pairs)


def body_problems(value: Any, at: Loc = ("body",)) -> list[dict[str, Any]]:
    """The unstorable strings and repeated keys of a value from ``decode_members``, in document
    order, each with the place of its field (a key's problem is reported at the object that holds
    it, the key itself being unprintable). Iterative, so no recursion however deep the value, and
    a place is only built for a container or a problem (a check-in's body takes about 10 us)."""
    found: list[dict[str, Any]] = []
    if isinstance(value, str):
        _check_string(found, at, value)
        return found
    stack: list[tuple[Loc, Iterator[tuple[str | int, Any]]]] = []
    _enter(found, stack, at, value)
    while stack and len(found) < MAX_PROBLEMS:
        loc, members = stack[-1]
        for name, child in members:
            if isinstance(child, str):
                _check_string(found, (*loc, name), child)
            elif isinstance(child, list):
                _enter(found, stack, (*loc, name), child)
                break  # into the child; this container's iterator resumes after it
        else:
            stack.pop()
    return found[:MAX_PROBLEMS]


def _check_string(found: list[dict[str, Any]], loc: Loc, text: str) -> None:
    if UNSTORABLE.search(text) is not None:
        why = why_unstorable(text)
        found.append(_problem(loc, f"must not contain {why}", "string_unstorable"))


def _enter(
    found: list[dict[str, Any]],
    stack: list[tuple[Loc, Iterator[tuple[str | int, Any]]]],
    loc: Loc,
    item: Any,
) -> None:
    """Push a container's members; an object's keys are checked here, before its values."""
    if isinstance(item, _Pairs):
        seen: set[str] = set()
        repeated: set[str] = set()
        members: list[tuple[str | int, Any]] = []
        for key, child in item:
            why = why_unstorable(key)
            if why is not None:
                found.append(_problem(loc, f"a key contains {why}", "key_unstorable"))
                continue
            if key in seen and key not in repeated:
                repeated.add(key)
                found.append(_problem(loc, f"names the key {key!r} more than once", "key_repeated"))
            seen.add(key)
            members.append((key, child))
        stack.append((loc, iter(members)))
    elif isinstance(item, list):
        stack.append((loc, enumerate(item)))


def parameter_problems(place: str, parameters: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The path or query parameters (``place``) whose name or value cannot be stored."""
    found: list[dict[str, Any]] = []
    for name, value in parameters:
        why = why_unstorable(name)
        if why is not None:
            found.append(_problem((place,), f"a name contains {why}", "key_unstorable"))
            continue
        why = why_unstorable(value)
        if why is not None:
            found.append(_problem((place, name), f"must not contain {why}", "string_unstorable"))
    return found


async def refuse_unstorable_input(request: Request) -> None:
    """The FastAPI dependency: a ``RequestValidationError`` (422) naming each field at fault.

    A body that is not JSON is left alone: FastAPI has refused it already when the route expects
    JSON, and a route that expects none does not read it."""
    found = [
        *parameter_problems("path", [(k, str(v)) for k, v in request.path_params.items()]),
        *parameter_problems("query", request.query_params.multi_items()),
    ]
    body = await request.body()
    if body:
        try:
            decoded = decode_members(body)
        except (ValueError, RecursionError):
            decoded = None
        found.extend(body_problems(decoded))
    if found:
        raise RequestValidationError(found[:MAX_PROBLEMS])
