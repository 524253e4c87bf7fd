"""A request for a copy of a person's data, and how it completes: each service (mentoring,
progress, notify) reports its part ready once; the export is complete when all three did, in
whatever order and however often each report arrives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from mentorship_contracts.personal_data import KEPT_FOR

SERVICES = ("mentoring", "progress", "notify")
KIND = "data export"


class Scope(StrEnum):
    PERSON = "person"
    """Everything about the account, in every program: the person's own request."""
    PARTICIPATION = "participation"
    """One participation in one program: an admin's request."""


class ExportStatus(StrEnum):
    PENDING = "pending"
    COMPLETE = "complete"
    EXPIRED = "expired"


@dataclass(frozen=True)
class DataSubject:
    """Whose data: the account, and the participations (with their programs) covered."""

    user_id: str
    participant_ids: tuple[str, ...]
    program_ids: tuple[str, ...]
    scope: Scope


@dataclass(frozen=True)
class PartReceipt:
    service: str
    counts: Mapping[str, int]
    ready_at: datetime


@dataclass(frozen=True)
class DataExport:
    id: str
    subject: DataSubject
    requested_by: str
    requested_at: datetime
    parts: Mapping[str, PartReceipt] = field(default_factory=dict)
    completed_at: datetime | None = None

    @property
    def expires_at(self) -> datetime:
        return self.requested_at + KEPT_FOR

    def status(self, now: datetime) -> ExportStatus:
        if now >= self.expires_at:
            return ExportStatus.EXPIRED
        if self.completed_at is not None:
            return ExportStatus.COMPLETE
        return ExportStatus.PENDING

    @property
    def all_parts_in(self) -> bool:
        return all(service in self.parts for service in SERVICES)
