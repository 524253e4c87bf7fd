"""A service's part of a person's data export, as the service layers of progress and notify
build and read it (the runtime's ``export_parts`` keeps it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ExportPart:
    """One service's part of an export, kept until ``expires_at``."""

    export_id: str
    subject_user_id: str
    program_ids: tuple[str, ...]
    content: str
    """The part as JSON text, as the archive holds it."""
    counts: Mapping[str, int]
    made_at: datetime
    expires_at: datetime
