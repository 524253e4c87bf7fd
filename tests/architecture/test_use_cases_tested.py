"""Every use case of every service is driven by a service-layer test on the fakes of its ports.

A use case is a public coroutine of a ``service_layer`` module (a command, event or job handler,
or a query). The few public coroutines that are steps shared by several use cases, not use cases
of their own, are listed below with the use cases that run them. This test fails when a new use
case arrives without a test naming it in ``services/<service>/tests/unit/service_layer``, and
when a listed step is gone or becomes tested by name (so the list stays true).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("mentoring", "progress", "notify")

STEPS: dict[str, dict[str, str]] = {
    "mentoring": {
        "admin_language.language_in": "an admin's language in a program (on_participant_changed)",
        "governance.admins_follow_profile": "entries follow a profile (on_participant_changed)",
        "cohorts.cohort_of": "the cohort of a run or a preview (run_matching, preview_matching)",
        "cohorts.read_back": "a stored report read back (run_matching's replay, matching_run)",
        "data_requests.readable": "who may read an export or an erasure (data_export, ...)",
        "handlers.suggestions_for": "scored mentors (suggest_mentors, propose_next_best)",
    },
    "progress": {
        "history.sight_of": "what the reader may see of a history (the history queries)",
    },
    "notify": {
        "delivery.store_all": "storing planned notifications (on_occurrence, weekly digests)",
        "handlers.notify_all": "planning occurrences (on_occurrence, on_occurrences, replays)",
    },
}


def use_cases(service: str) -> list[str]:
    layer = ROOT / "services" / service / "src" / service / "service_layer"
    found = []
    for module in sorted(layer.glob("*.py")):
        if module.name in ("__init__.py", "ports.py"):
            continue
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.AsyncFunctionDef) and not node.name.startswith("_"):
                found.append(f"{module.stem}.{node.name}")
    return found


def unit_tests(service: str) -> str:
    """The service-layer tests of ``service`` (not its fakes)."""
    tests = ROOT / "services" / service / "tests" / "unit" / "service_layer"
    return "\n".join(path.read_text() for path in sorted(tests.rglob("test_*.py")))


def named(function: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(function)}\b", text) is not None


@pytest.mark.parametrize("service", SERVICES)
def test_every_use_case_is_named_by_a_service_layer_test(service: str) -> None:
    text = unit_tests(service)
    found = use_cases(service)
    untested = [
        name for name in found if name not in STEPS[service] and not named(name.split(".")[1], text)
    ]

    assert len(found) > 20
    assert untested == [], f"use cases of {service} without a test on the fakes: {untested}"


@pytest.mark.parametrize("service", SERVICES)
def test_the_shared_steps_listed_exist_and_are_not_tested_by_name(service: str) -> None:
    found = set(use_cases(service))
    text = unit_tests(service)
    for step in STEPS[service]:
        assert step in found, f"{step} is gone: take it off the list"
        assert not named(step.split(".")[1], text), f"{step} is tested by name: take it off"
