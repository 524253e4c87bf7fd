"""Opaque cursors for keyset pagination on (a timestamp, an id), the same in every API."""

from __future__ import annotations

import base64
import json
from datetime import datetime

from mentorship_runtime.errors import Invalid


def encode_cursor(moment: datetime, identifier: str) -> str:
    raw = json.dumps([moment.isoformat(), identifier]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, str]:
    try:
        moment, identifier = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(moment), str(identifier)
    except (ValueError, TypeError) as exc:
        raise Invalid(field, "not a cursor returned by this API") from exc
