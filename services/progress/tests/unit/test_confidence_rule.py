"""The confidence drop rule, through the Tracking aggregate (the signal) and the progress view
(``confidence_dropped``): a fall to 1, or 2 levels below the best of the 3 check-ins before, by
the same assessor on the same module."""

from itertools import product

import pytest

from progress.domain.confidence import latest_is_drop
from progress.domain.signals import ConfidenceDropped, Role
from progress.domain.tracking import Tracking
from progress.domain.views import ModuleProgress, progress_view

from .builders import MENTEE, MENTOR, PATH, PROGRAM, START, days, started


class Recorded:
    """A tracking fed check-ins one by one, keeping what each check-in signalled."""

    def __init__(self) -> None:
        self.tracking = started()
        self.drops: list[ConfidenceDropped | None] = []

    def check_in(self, confidence: int, by: Role = "mentee", module_id: str = "basics") -> None:
        step = len(self.drops)
        transition = self.tracking.record_check_in(
            path=PATH,
            check_in_id=f"c-{step}",
            module_id=module_id,
            confidence=confidence,
            by=by,
            note=None,
            now=START + days(step),
        )
        self.tracking = transition.tracking
        dropped = [s for s in transition.signals if isinstance(s, ConfidenceDropped)]
        assert len(dropped) <= 1
        self.drops.append(dropped[0] if dropped else None)

    @property
    def dropped_at(self) -> list[int]:
        """The positions (from 0) of the check-ins that signalled a drop."""
        return [i for i, drop in enumerate(self.drops) if drop is not None]

    def module(self, module_id: str = "basics") -> ModuleProgress:
        view = progress_view(self.tracking, PATH, now=START + days(len(self.drops)))
        found = view.module(module_id)
        assert found is not None
        return found


def recorded(*steps: int | tuple[Role, int]) -> Recorded:
    """Record levels by the mentee, or (assessor, level) pairs, in this order on one module."""
    tracking = Recorded()
    for step in steps:
        by, level = step if isinstance(step, tuple) else ("mentee", step)
        tracking.check_in(level, by=by)
    return tracking


SEQUENCES = [
    pytest.param([2, 1], [1], id="2-1: a fall to 1 is a drop"),
    pytest.param([4, 2], [1], id="4-2: two levels below is a drop"),
    pytest.param([4, 2, 1], [1, 2], id="4-2-1: a drop at 2 and again at 1"),
    pytest.param([4, 3, 2], [2], id="4-3-2: a slide to two below the recent best"),
    pytest.param([3, 3, 2], [], id="3-3-2: one level below the best is no drop"),
    pytest.param([4, 3], [], id="4-3: one level is no drop"),
    pytest.param([5], [], id="5: a first check-in is never a drop"),
    pytest.param([1], [], id="1: a first check-in at 1 is never a drop"),
    pytest.param([1, 1], [], id="1-1: staying at 1 is no new drop"),
    pytest.param([2, 1, 1], [1], id="2-1-1: alerted once at 1"),
    pytest.param([4, 2, 2], [1], id="4-2-2: alerted once, not for staying low"),
    pytest.param([2, 4], [], id="2-4: a rise is no drop"),
    pytest.param([4, 2, 3], [1], id="4-2-3: a partial recovery is no drop"),
    pytest.param([4, 2, 4, 2], [1, 3], id="4-2-4-2: each new fall is a drop"),
    pytest.param([5, 3, 4, 3], [1, 3], id="5-3-4-3: falling again below the recent best"),
    pytest.param([5, 4, 4, 3], [3], id="5-4-4-3: the best of the 3 before counts"),
    pytest.param([5, 4, 4, 4, 3], [], id="5-4-4-4-3: an older high no longer counts"),
    pytest.param([5, 5, 5, 5, 5, 3], [5], id="steady at 5 then 3"),
]


@pytest.mark.parametrize(("levels", "drops"), SEQUENCES)
def test_a_check_in_signals_a_drop_when_the_rule_says_so(
    levels: list[int], drops: list[int]
) -> None:
    assert recorded(*levels).dropped_at == drops


@pytest.mark.parametrize(("levels", "drops"), SEQUENCES)
def test_the_rule_alone_gives_the_same_drops(levels: list[int], drops: list[int]) -> None:
    assert [i for i in range(len(levels)) if latest_is_drop(levels[: i + 1])] == drops


def test_no_levels_are_no_drop() -> None:
    assert not latest_is_drop([])


def test_the_drop_signal_carries_the_previous_check_in_level_not_the_recent_best() -> None:
    tracking = recorded(4, 3, 2)

    assert tracking.drops[2] == ConfidenceDropped(
        mentee_id=MENTEE,
        mentor_id=MENTOR,
        program_id=PROGRAM,
        check_in_id="c-2",
        module_id="basics",
        assessed_by="mentee",
        previous_confidence=3,
        confidence=2,
    )


def test_a_fall_to_1_and_then_further_are_each_signalled_from_the_level_before() -> None:
    drops = recorded(4, 2, 1).drops

    assert [(d.previous_confidence, d.confidence) for d in drops if d] == [(4, 2), (2, 1)]


def test_a_mentors_first_check_in_below_the_mentee_is_a_second_opinion_not_a_drop() -> None:
    assert recorded(("mentee", 5), ("mentor", 1)).dropped_at == []


def test_a_mentees_first_check_in_below_the_mentor_is_not_a_drop() -> None:
    assert recorded(("mentor", 4), ("mentee", 2)).dropped_at == []


def test_interleaved_assessors_are_each_compared_with_their_own_check_ins() -> None:
    tracking = recorded(
        ("mentee", 4),
        ("mentor", 3),
        ("mentee", 3),
        ("mentor", 2),  # the mentor: 3 → 2, one level
        ("mentee", 2),  # the mentee: 4 → 3 → 2, two below their best
    )

    assert tracking.dropped_at == [4]
    drop = tracking.drops[4]
    assert drop is not None
    assert (drop.assessed_by, drop.previous_confidence, drop.confidence) == ("mentee", 3, 2)


def test_a_fall_to_1_by_each_assessor_is_signalled_for_each() -> None:
    tracking = recorded(("mentee", 2), ("mentor", 3), ("mentee", 1), ("mentor", 1))

    assert [(d.assessed_by, d.previous_confidence) for d in tracking.drops if d] == [
        ("mentee", 2),
        ("mentor", 3),
    ]


def test_the_other_assessors_high_level_is_not_the_recent_best() -> None:
    # The mentor rated 5; the mentee goes 3 → 3 → 2: one level below their own best.
    assert recorded(("mentor", 5), ("mentee", 3), ("mentee", 3), ("mentee", 2)).dropped_at == []


def test_the_recent_best_is_counted_within_one_module() -> None:
    tracking = Recorded()
    tracking.check_in(5, module_id="practice")
    tracking.check_in(3, module_id="basics")
    tracking.check_in(3, module_id="basics")

    assert tracking.dropped_at == []


def test_the_view_says_dropped_when_the_latest_check_in_is_a_drop() -> None:
    assert recorded(4, 3, 2).module().confidence_dropped
    assert recorded(2, 1).module().confidence_dropped


def test_the_view_says_not_dropped_for_a_fall_of_one_from_the_recent_best() -> None:
    assert not recorded(3, 3, 2).module().confidence_dropped


def test_the_view_stops_saying_dropped_once_a_later_check_in_is_no_drop() -> None:
    assert not recorded(4, 2, 3).module().confidence_dropped
    assert not recorded(4, 2, 2).module().confidence_dropped


def test_the_view_says_dropped_when_the_mentors_latest_is_a_drop() -> None:
    assert recorded(("mentor", 4), ("mentor", 2), ("mentee", 5)).module().confidence_dropped


def test_the_mentors_optimism_does_not_hide_the_mentees_drop_in_the_view() -> None:
    assert recorded(("mentee", 4), ("mentee", 1), ("mentor", 5)).module().confidence_dropped


def test_the_view_agrees_with_the_signal_after_every_check_in_of_every_short_sequence() -> None:
    for levels in product(range(1, 6), repeat=4):
        tracking = Recorded()
        for level in levels:
            tracking.check_in(level)
            assert tracking.module().confidence_dropped is (tracking.drops[-1] is not None), levels


def test_a_drop_on_one_module_leaves_the_other_modules_view_alone() -> None:
    tracking = Recorded()
    tracking.check_in(4)
    tracking.check_in(1)

    assert tracking.module("basics").confidence_dropped
    assert not tracking.module("practice").confidence_dropped


def test_replaying_a_dropping_check_in_signals_nothing_more() -> None:
    tracking: Tracking = recorded(4, 1).tracking

    again = tracking.record_check_in(
        path=PATH,
        check_in_id="c-1",
        module_id="basics",
        confidence=1,
        by="mentee",
        note=None,
        now=START + days(9),
    )

    assert again.signals == ()
