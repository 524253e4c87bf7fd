"""The report's CSV cells and its enum, without services."""

from __future__ import annotations

import pytest

from gateway.features.report import FunnelStage
from gateway.report_csv import neutral
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
