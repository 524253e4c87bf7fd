"""Reading the services' JSON into GraphQL types, ignoring fields a service adds later."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


_NAMES: dict[type, frozenset[str]] = {}


def pick(cls: type[T], data: dict[str, Any], **overrides: Any) -> T:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = frozenset(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    values = {k: v for k, v in data.items() if k in names}
    return cls(**{**values, **overrides})
