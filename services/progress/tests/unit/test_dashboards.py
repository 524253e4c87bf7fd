from progress.domain.dashboards import FunnelStep, mentor_overview, program_overview
from progress.domain.status import ProgressStatus
from progress.domain.tracking import Tracking
from progress.domain.views import ProgressView, progress_view

from .builders import PATH, PROGRAM, START, checked_in, completed, days, module, started

NOW = START + days(20)


def view(tracking: Tracking) -> ProgressView:
    return progress_view(tracking, PATH, now=NOW)


def mentees() -> list[ProgressView]:
    return [
        view(completed(started(), "read", "try", "post")),
        view(completed(started(), "read", "try", at=NOW)),
        view(checked_in(started(), "basics", 3, at=NOW - days(8))),
        view(started()),
        view(started()),
    ]


def test_a_mentor_sees_how_many_mentees_are_in_each_status() -> None:
    assert mentor_overview(mentees()) == {
        ProgressStatus.ON_TRACK: 1,
        ProgressStatus.AT_RISK: 1,
        ProgressStatus.STALLED: 2,
        ProgressStatus.COMPLETED: 1,
        ProgressStatus.PAUSED: 0,
        ProgressStatus.STOPPED: 0,
    }


def test_a_mentor_without_mentees_sees_zero_everywhere() -> None:
    assert set(mentor_overview([]).values()) == {0}


def test_a_program_sees_its_statuses_and_a_completion_funnel_in_path_order() -> None:
    overview = program_overview(mentees(), [PATH])

    assert overview.mentees == 5
    assert overview.by_status[ProgressStatus.STALLED] == 2
    assert overview.funnel == (
        FunnelStep("basics", "Module basics", completed=2, following=5),
        FunnelStep("practice", "Module practice", completed=1, following=5),
    )
    assert all(v.program_id == PROGRAM for v in mentees())


def test_the_funnel_spans_every_version_the_programs_mentees_follow() -> None:
    v2 = PATH.revised(modules=(module("basics", "read", "try"), module("reflect", "summarise")))
    on_v1 = view(completed(started(), "read", "try", "post"))
    on_v2 = progress_view(completed(started(v2), "read", "try", "summarise", path=v2), v2, now=NOW)
    starting_v2 = progress_view(started(v2), v2, now=NOW)

    overview = program_overview([on_v1, on_v2, starting_v2], [PATH, v2])

    assert overview.mentees == 3
    assert overview.funnel == (
        FunnelStep("basics", "Module basics", completed=2, following=3),
        FunnelStep("reflect", "Module reflect", completed=1, following=2),
        FunnelStep("practice", "Module practice", completed=1, following=1),
    )
