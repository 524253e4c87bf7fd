"""A data export's status: pending until the three services' parts are in, complete then,
expired a day after the request whatever it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mentoring.domain.data_exports import (
    DataExport,
    DataSubject,
    ExportStatus,
    PartReceipt,
    Scope,
)

ASKED = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
SUBJECT = DataSubject("u-1", ("pt_1",), ("pg_1",), Scope.PERSON)


def _export(*services: str, completed: bool = False) -> DataExport:
    return DataExport(
        id="dx_1",
        subject=SUBJECT,
        requested_by="u-1",
        requested_at=ASKED,
        parts={s: PartReceipt(s, {"records": 1}, ASKED) for s in services},
        completed_at=ASKED + timedelta(seconds=1) if completed else None,
    )


def test_an_export_waits_for_every_services_part() -> None:
    assert not _export("mentoring", "notify").all_parts_in
    assert _export("notify", "progress", "mentoring").all_parts_in
    assert _export("mentoring").status(ASKED) is ExportStatus.PENDING


def test_a_complete_export_expires_a_day_after_the_request() -> None:
    done = _export("mentoring", "progress", "notify", completed=True)
    assert done.status(ASKED + timedelta(hours=23)) is ExportStatus.COMPLETE
    assert done.expires_at == ASKED + timedelta(days=1)
    assert done.status(done.expires_at) is ExportStatus.EXPIRED
    assert _export().status(done.expires_at) is ExportStatus.EXPIRED
