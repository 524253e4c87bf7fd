"""A request to erase a person's data, and how it completes: each service (mentoring, progress,
notify) reports once that it erased what it holds; the erasure is complete when all three did,
in whatever order and however often each report arrives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from mentoring.domain.data_exports import SERVICES, DataSubject

KIND = "data erasure"
PSEUDONYM = "Former participant"
"""The name a participation keeps once its person's data is erased."""


class ErasureStatus(StrEnum):
    PENDING = "pending"
    COMPLETE = "complete"


@dataclass(frozen=True)
class DoneReceipt:
    service: str
    counts: Mapping[str, int]
    done_at: datetime


@dataclass(frozen=True)
class DataErasure:
    id: str
    subject: DataSubject
    requested_by: str
    requested_at: datetime
    done: Mapping[str, DoneReceipt] = field(default_factory=dict)
    completed_at: datetime | None = None

    @property
    def status(self) -> ErasureStatus:
        return ErasureStatus.PENDING if self.completed_at is None else ErasureStatus.COMPLETE

    @property
    def all_done(self) -> bool:
        return all(service in self.done for service in SERVICES)
