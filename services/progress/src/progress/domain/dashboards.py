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


@dataclass(frozen=True)
class ProgramOverview:
    mentees: int
    by_status: Mapping[ProgressStatus, int]
    funnel: tuple[FunnelStep, ...]


def mentor_overview(views: Iterable[ProgressView]) -> dict[ProgressStatus, int]:
    return count_by_status(views)


def program_overview(views: Iterable[ProgressView], path: LearningPath) -> ProgramOverview:
    """Counts by status and, in the path's order, how many mentees completed each module.

    Modules are matched by id, so mentees on another version of the path count for the modules it
    shares with this one.
    """
    views = list(views)
    completed = Counter(
        module.module_id for view in views for module in view.modules if module.completed
    )
    return ProgramOverview(
        mentees=len(views),
        by_status=count_by_status(views),
        funnel=tuple(
            FunnelStep(module.id, module.title, completed[module.id]) for module in path.modules
        ),
    )
