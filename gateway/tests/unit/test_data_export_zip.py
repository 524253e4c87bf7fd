"""The data export archive and its enums, without services."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any, cast

from gateway.data_export_zip import SECTIONS, _download, archive, readme
from gateway.features.data_exports import DataExportScope, DataExportStatus, DataService
from gateway.services import ServiceCalls
from mentoring.domain.data_exports import SERVICES, ExportStatus, Scope

EXPORT = {
    "id": "dx_1",
    "status": "complete",
    "subject_user_id": "u-1",
    "participant_id": None,
    "program_ids": ["pg_1"],
    "requested_by": "u-1",
    "requested_at": "2026-12-07T06:00:00Z",
    "completed_at": "2026-12-07T06:00:01Z",
}


def _part(service: str) -> dict[str, Any]:
    sections = {name: [{"id": "r1", "text": "Zoé"}] for name in SECTIONS[service]}
    return {
        "service": service,
        "made_at": "2026-12-07T06:00:00.500Z",
        "counts": dict.fromkeys(sections, 1),
        "sections": sections,
    }


def test_the_archive_holds_a_readme_and_each_services_part_in_utf8() -> None:
    parts = {s: _part(s) for s in ("mentoring", "progress", "notify")}
    with zipfile.ZipFile(io.BytesIO(archive(EXPORT, parts))) as files:
        assert files.namelist() == ["README.md", "mentoring.json", "progress.json", "notify.json"]
        assert json.loads(files.read("notify.json").decode("utf-8")) == parts["notify"]
        assert "Zoé".encode() in files.read("progress.json")
    text = readme(EXPORT, parts)
    for service, sections in SECTIONS.items():
        assert f"## {service}.json" in text
        assert "made at 2026-12-07T06:00:00.500Z" in text
        for section in sections:
            assert f"- `{section}` (1): " in text


class _Services:
    def __init__(self, status: str) -> None:
        self.status = status
        self.asked: list[str] = []

    async def get(self, service: str, path: str, params: Any = None) -> Any:
        self.asked.append(f"{service}{path}")
        return {**EXPORT, "status": self.status}


async def test_an_export_not_complete_is_refused_with_a_code_and_no_part_is_read() -> None:
    for status, code in (("pending", "EXPORT_PENDING"), ("expired", "EXPORT_EXPIRED")):
        services = _Services(status)
        answer = await _download(cast(ServiceCalls, services), "dx_1")
        assert answer.status_code == 409
        assert json.loads(bytes(answer.body))["error"]["code"] == code
        assert services.asked == ["mentoring/data-exports/dx_1"]


def test_the_enums_hold_mentorings_wire_values() -> None:
    assert {m.value for m in DataExportStatus} == {m.value for m in ExportStatus}
    assert {m.value for m in DataExportScope} == {m.value for m in Scope}
    assert {m.value for m in DataService} == set(SERVICES) == set(SECTIONS)
