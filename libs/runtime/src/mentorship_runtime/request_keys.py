"""What makes a creating request recognisable again (the ``Idempotency-Key`` rule, see
``idempotency``): the id derived from the caller and the key, the fingerprint of what a request
asks, and the conflict of a key used for another request."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from mentorship_runtime.errors import Conflict

HEADER = "Idempotency-Key"


def derived_id(prefix: str, key: str, actor: str, *, namespace: uuid.UUID) -> str:
    """The id of the resource of kind ``prefix`` that ``actor`` creates with ``key``."""
    return f"{prefix}_{uuid.uuid5(namespace, f'{actor}:{key}').hex}"


def _canonical(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def fingerprint(request: Any) -> str:
    """A digest of what a request asks: equal for equal requests, whatever the order of the keys
    of a mapping or of the members of a set (a list's order counts)."""
    text = json.dumps(_canonical(request), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class KeyReused(Conflict):
    """The idempotency key was used before, for another request."""

    def __init__(self, key: str, created: str) -> None:
        self.key = key
        super().__init__(
            f"{HEADER} {key!r} was already used for a different request (it created {created}); "
            "send the same request to get that answer again, or a new key for a new request"
        )
