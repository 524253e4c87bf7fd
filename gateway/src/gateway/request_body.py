"""Decoding what a client sends (an HTTP body, a websocket message) into a GraphQL request object.

JSON's grammar allows much that no GraphQL request needs and that costs the server: documents
nested thousands deep (Python's decoder recurses), integers of thousands of digits (CPython
refuses past 4,300 and spends quadratic time below), ``NaN`` and ``Infinity`` (not JSON, though
Python reads them), text that is not UTF-8, and values that are not an object. Each is refused
here with a message saying which, before Strawberry sees the request.
"""

from __future__ import annotations

import json
from typing import Any

from mentorship_contracts.text import why_unstorable

MAX_NESTING = 64
MAX_INTEGER_DIGITS = 100


class BadRequestBody(ValueError):
    """The body or message is not a request; ``str()`` says why, for the client."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise BadRequestBody(f"a number has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_INTEGER_DIGITS * 4:
        raise BadRequestBody("a number is too long")
    return float(text)


def _constant(name: str) -> Any:
    raise BadRequestBody(f"{name} is not a JSON value")


def _inspect(value: Any) -> None:
    """Every string is storable (no NUL, no lone surrogate: neither can be encoded as UTF-8 or
    kept by every MongoDB server) and nothing is nested too deep. Iterative: checking costs no
    recursion of its own."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if (why := why_unstorable(item)) is not None:
                raise BadRequestBody(f"a string contains {why}")
        elif depth > MAX_NESTING:
            raise BadRequestBody(f"the JSON is nested deeper than {MAX_NESTING} levels")
        elif isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def _nesting_of_text(text: str) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped: checked before decoding, as
    Python's decoder recurses once per level."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return 0
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def too_large(data: str | bytes, max_bytes: int) -> bool:
    if isinstance(data, bytes) or len(data) * 4 <= max_bytes:
        return len(data) > max_bytes
    return len(data.encode("utf-8", "surrogatepass")) > max_bytes


def decode_request(data: str | bytes, *, max_bytes: int) -> dict[str, Any]:
    """A GraphQL request object, or ``BadRequestBody`` saying what is wrong."""
    if too_large(data, max_bytes):
        raise BadRequestBody(f"the message is larger than {max_bytes} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequestBody(f"the body is not UTF-8 (byte {exc.start})") from None
    else:
        text = data
    if _nesting_of_text(text) > MAX_NESTING:
        raise BadRequestBody(f"the JSON is nested deeper than {MAX_NESTING} levels")
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise BadRequestBody(f"the body is not JSON: {exc.msg} at {exc.pos}") from None
    except RecursionError:
        raise BadRequestBody(f"the JSON is nested deeper than {MAX_NESTING} levels") from None
    _inspect(value)
    if not isinstance(value, dict):
        raise BadRequestBody(
            "the body must be a JSON object (query, variables, operationName, extensions); "
            f"got {type(value).__name__ if value is not None else 'null'}"
        )
    return value
