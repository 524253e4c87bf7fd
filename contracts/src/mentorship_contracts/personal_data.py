"""What every service agrees on about a person's data export, besides the events: the shape of a
service's part (read by the gateway from ``GET /data-exports/{export_id}/part`` and written as
``<service>.json`` into the archive), how long a part is kept, and who may read it.

A part is one JSON object::

    {"format": "mentorship.personal-data-export.part/1", "service": "progress",
     "export_id": "dx_…", "made_at": "2026-12-07T06:00:00.000Z",
     "subject": {"user_id": "…", "scope": "person" | "participation",
                 "participant_ids": ["pt_…"], "program_ids": ["pg_…"]},
     "counts": {"<section>": <records>},
     "sections": {"<section>": [<record>, …]}}

A record is the service's stored document as it is, without the bookkeeping fields (those
starting with ``_``, e.g. a pending outbox), its ``_id`` written ``id``, every date in UTC as
``YYYY-MM-DDTHH:MM:SS.fffZ``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

PART_FORMAT = "mentorship.personal-data-export.part/1"
KEPT_FOR = timedelta(days=1)
"""A part is kept this long after the request, then deleted (and the export is expired)."""


def utc_text(moment: datetime) -> str:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%S.") + f"{aware.microsecond // 1000:03d}Z"


def plain(value: Any) -> Any:
    """A stored value as JSON can hold it: documents lose their ``_`` fields but ``_id`` (as
    ``id``), dates become UTC text, anything else unknown its text."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            if name == "_id":
                out["id"] = plain(item)
            elif not name.startswith("_"):
                out[name] = plain(item)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def part_json(
    *,
    service: str,
    export_id: str,
    made_at: datetime,
    subject: Mapping[str, Any],
    sections: Mapping[str, Iterable[Mapping[str, Any]]],
) -> tuple[str, dict[str, int]]:
    """A part as JSON text (UTF-8 once encoded, non-ASCII kept as it is), with its counts."""
    records = {name: [plain(d) for d in documents] for name, documents in sections.items()}
    counts = {name: len(found) for name, found in records.items()}
    part = {
        "format": PART_FORMAT,
        "service": service,
        "export_id": export_id,
        "made_at": utc_text(made_at),
        "subject": plain(subject),
        "counts": counts,
        "sections": records,
    }
    return json.dumps(part, ensure_ascii=False, indent=1), counts


def may_read(
    *,
    user_id: str,
    is_admin: bool,
    subject_user_id: str,
    program_ids: Collection[str],
    administered: Collection[str],
) -> bool:
    """The person may read their export; an admin (the role in the token) may read it when they
    administer every program it covers (``administered``: those of ``program_ids`` they do);
    an export covering no program is the person's alone."""
    if user_id == subject_user_id:
        return True
    return is_admin and bool(program_ids) and all(p in administered for p in program_ids)
