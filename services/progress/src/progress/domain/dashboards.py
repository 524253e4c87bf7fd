"""Counts over many progress views: a mentor's mentees at a glance, a program's health."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from progress.domain.learning_paths import LearningPath
from progress.domain.status import ProgressStatus
from progress.domain.views import ProgressView


def count_by_status(views: Iterable[ProgressView]) -> dict[ProgressStatus, int]:
    """Every status is present, with zero when no mentee has it, in a stable order."""
    counts = Counter(view.status for view in views)
    return {status: counts[status] for status in ProgressStatus}


@dataclass(frozen=True)
class FunnelStep:
    module_id: str
    title: str
    completed: int
    """How many mentees completed the module."""
    following: int
    """How many mentees follow a path version that has the module."""


@dataclass(frozen=True)
class ProgramOverview:
    mentees: int
    by_status: Mapping[ProgressStatus, int]
    funnel: tuple[FunnelStep, ...]


def mentor_overview(views: Iterable[ProgressView]) -> dict[ProgressStatus, int]:
    return count_by_status(views)


def program_overview(
    views: Iterable[ProgressView], paths: Iterable[LearningPath]
) -> ProgramOverview:
    """Counts by status and, module by module, how many mentees completed it.

    A program's mentees may follow several versions of its path (each stays on the version it
    started with). Modules are matched by id across versions; the funnel lists the newest
    version's modules in its order, then those only older versions have, newest first. Each step
    says how many mentees completed the module and how many follow a version that has it.
    """
    views = list(views)
    completed = Counter(
        module.module_id for view in views for module in view.modules if module.completed
    )
    following = Counter(module.module_id for view in views for module in view.modules)
    titles: dict[str, str] = {}
    for path in sorted(paths, key=lambda p: p.version, reverse=True):
        for module in path.modules:
            titles.setdefault(module.id, module.title)
    return ProgramOverview(
        mentees=len(views),
        by_status=count_by_status(views),
        funnel=tuple(
            FunnelStep(module_id, title, completed[module_id], following[module_id])
            for module_id, title in titles.items()
        ),
    )
