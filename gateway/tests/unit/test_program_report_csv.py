"""The report's CSV cells and its enum, without services."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gateway.features.report import FunnelStage, ReportBodies, program_report
from gateway.report_csv import neutral, rows
from mentoring.domain.report import STAGES


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Grace", "Grace"),
        ("a=b", "a=b"),
        (0.5, "0.5"),
        (None, ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell: object, written: str) -> None:
    assert neutral(cell) == written


def test_the_funnel_stages_are_mentorings_in_its_order() -> None:
    assert tuple(stage.value for stage in FunnelStage) == STAGES


def bodies(titles: dict[str, str]) -> ReportBodies:
    funnel: dict[str, Any] = {
        "funnel": [],
        "time_to_match": {"matched": 0, "median_hours": None, "mean_hours": None},
        "mentors": [],
    }
    module = {"assessed_by": "mentee", "mentees": 1, "at_start": 2.0, "now": 3.0}
    progress: dict[str, Any] = {
        "weeks": [],
        "confidence": [{"module_id": "purpose", **module}, {"module_id": "gone", **module}],
        "active_matches": 0,
        "sessions_in_active_matches": 0,
    }
    return ReportBodies("pg-1", date(2026, 12, 1), date(2026, 12, 7), funnel, progress, titles)


def test_a_module_is_named_by_its_title_where_the_path_has_it_else_by_its_id() -> None:
    found = bodies({"purpose": "Sens et stratégie"})

    items = {(row[1], row[2]) for row in rows(found) if row[0] == "confidence"}
    report = program_report(found)

    assert items == {("Sens et stratégie (mentee)", "purpose"), ("gone (mentee)", "gone")}
    assert [(c.module_id, c.title) for c in report.confidence] == [
        ("purpose", "Sens et stratégie"),
        ("gone", None),
    ]
