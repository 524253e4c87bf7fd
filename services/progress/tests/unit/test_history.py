"""A mentee's history page by page, and what an admin is not shown."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest

from progress.domain import history
from progress.domain.errors import Invalid, NotFound
from progress.domain.history import Sight
from progress.domain.tracking import Tracking

from .builders import PATH, START, days, started


def with_check_ins(count: int, *, module_id: str = "basics", same_moment: bool = False) -> Tracking:
    tracking = started()
    for n in range(count):
        tracking = tracking.record_check_in(
            path=PATH,
            check_in_id=f"ci-{n:02d}",
            module_id=module_id,
            confidence=1 + n % 5,
            by="mentee" if n % 2 else "mentor",
            note=f"note {n}",
            now=START + (days(0) if same_moment else days(n / 24)),
        ).tracking
    return tracking


def _id_of(item: object) -> str:
    for name in ("id", "check_in_id", "milestone_id"):
        if hasattr(item, name):
            return str(getattr(item, name))
    raise AssertionError(item)


def every_page(read: object, **kwargs: object) -> list[list[str]]:
    """The ids of each page, following the cursors to the end."""
    pages: list[list[str]] = []
    after = None
    while True:
        page = read(after=after, **kwargs)  # type: ignore[operator]
        pages.append([_id_of(x) for x in page.items])
        if page.next_cursor is None:
            return pages
        after = page.next_cursor


def test_check_ins_come_newest_first_in_pages_that_neither_repeat_nor_skip() -> None:
    tracking = with_check_ins(7)

    pages = every_page(
        lambda **k: history.check_ins(tracking, Sight.FULL, module_id=None, **k), first=3
    )

    assert pages == [
        ["ci-06", "ci-05", "ci-04"],
        ["ci-03", "ci-02", "ci-01"],
        ["ci-00"],
    ]


def test_check_ins_recorded_at_the_same_moment_are_paged_by_id() -> None:
    tracking = with_check_ins(5, same_moment=True)

    pages = every_page(
        lambda **k: history.check_ins(tracking, Sight.FULL, module_id=None, **k), first=2
    )

    assert pages == [["ci-04", "ci-03"], ["ci-02", "ci-01"], ["ci-00"]]


def test_a_check_in_recorded_between_two_pages_does_not_shift_the_next_page() -> None:
    tracking = with_check_ins(4)
    first = history.check_ins(tracking, Sight.FULL, module_id=None, first=2, after=None)
    later = tracking.record_check_in(
        path=PATH,
        check_in_id="ci-late",
        module_id="basics",
        confidence=3,
        by="mentee",
        note=None,
        now=START + days(10),
    ).tracking

    second = history.check_ins(later, Sight.FULL, module_id=None, first=2, after=first.next_cursor)

    assert [c.id for c in second.items] == ["ci-01", "ci-00"]
    assert second.next_cursor is None


def test_check_ins_of_one_module_leave_the_others_out() -> None:
    tracking = with_check_ins(2)
    tracking = tracking.record_check_in(
        path=PATH,
        check_in_id="ci-practice",
        module_id="practice",
        confidence=4,
        by="mentee",
        note="practice note",
        now=START + days(3),
    ).tracking

    page = history.check_ins(tracking, Sight.FULL, module_id="practice", first=10, after=None)

    assert [(c.id, c.note) for c in page.items] == [("ci-practice", "practice note")]


def test_an_admin_sees_the_figures_of_a_check_in_but_not_its_note() -> None:
    tracking = with_check_ins(1)

    [full] = history.check_ins(tracking, Sight.FULL, module_id=None, first=5, after=None).items
    [figures] = history.check_ins(
        tracking, Sight.FIGURES, module_id=None, first=5, after=None
    ).items

    assert full.note == "note 0"
    assert figures.note is None
    assert (figures.confidence, figures.assessed_by, figures.recorded_at) == (
        full.confidence,
        full.assessed_by,
        full.recorded_at,
    )
    assert history.check_in(tracking, Sight.FIGURES, "ci-00").note is None
    with pytest.raises(NotFound):
        history.check_in(tracking, Sight.FULL, "ci-unknown")


def test_the_confidence_series_of_a_module_is_oldest_first_by_both_assessors() -> None:
    tracking = with_check_ins(5)

    pages = every_page(
        lambda **k: history.confidence_series(tracking, module_id="basics", **k), first=2
    )
    points = history.confidence_series(tracking, module_id="basics", first=10, after=None).items

    assert pages == [["ci-00", "ci-01"], ["ci-02", "ci-03"], ["ci-04"]]
    assert [(p.confidence, p.assessed_by) for p in points] == [
        (1, "mentor"),
        (2, "mentee"),
        (3, "mentor"),
        (4, "mentee"),
        (5, "mentor"),
    ]
    assert (
        history.confidence_series(tracking, module_id="practice", first=5, after=None).items == ()
    )


def test_milestones_follow_the_path_with_their_completions_and_reopenings() -> None:
    tracking = started()
    for milestone_id, moment in (("read", 1), ("try", 2)):
        tracking = tracking.complete_milestone(
            path=PATH,
            milestone_id=milestone_id,
            evidence=f"link to {milestone_id}",
            by="mentee",
            now=START + days(moment),
        ).tracking
    tracking = tracking.reopen_milestone(
        path=PATH, milestone_id="try", by="mentor", reason="not yet", now=START + days(3)
    ).tracking

    page = history.milestones(tracking, PATH, Sight.FULL, first=10, after=None)

    read, tried, post = page.items
    assert (read.milestone_id, read.done, read.completed_at, read.completed_by, read.evidence) == (
        "read",
        True,
        START + days(1),
        "mentee",
        "link to read",
    )
    assert (tried.done, tried.completed_at, tried.evidence) == (False, None, None)
    assert [(e.kind, e.by, e.evidence, e.reason) for e in tried.history] == [
        ("completed", "mentee", "link to try", None),
        ("reopened", "mentor", None, "not yet"),
    ]
    assert (post.milestone_id, post.module_id, post.done, post.history) == (
        "post",
        "practice",
        False,
        (),
    )

    hidden = history.milestones(tracking, PATH, Sight.FIGURES, first=10, after=None).items
    assert hidden[0].evidence is None
    assert hidden[0].completed_at == START + days(1)
    assert [(e.kind, e.evidence, e.reason) for e in hidden[1].history] == [
        ("completed", None, None),
        ("reopened", None, None),
    ]


def test_milestones_are_paged_in_the_order_of_the_path() -> None:
    pages = every_page(lambda **k: history.milestones(started(), PATH, Sight.FULL, **k), first=2)

    assert pages == [["read", "try"], ["post"]]


def test_sessions_come_latest_held_first() -> None:
    tracking = started()
    held = [date(2026, 3, 3), date(2026, 3, 5), date(2026, 3, 4), date(2026, 3, 5)]
    for n, day in enumerate(held):
        tracking = tracking.log_session(
            path=PATH,
            session_id=f"ss-{n}",
            held_on=day,
            duration_minutes=30 + n,
            module_ids=["basics"],
            notes=f"notes {n}",
            now=START + days(5),
            rating=4,
            by="mentor",
        ).tracking

    pages = every_page(lambda **k: history.sessions(tracking, Sight.FULL, **k), first=3)
    [hidden] = history.sessions(tracking, Sight.FIGURES, first=1, after=None).items

    assert pages == [["ss-3", "ss-1", "ss-2"], ["ss-0"]]
    assert (hidden.id, hidden.notes, hidden.mentor_rating, hidden.duration_minutes) == (
        "ss-3",
        None,
        4,
        33,
    )
    assert history.session(tracking, Sight.FULL, "ss-0").notes == "notes 0"


def _cursor(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64 at all!",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _cursor("ss", "2026-03-03", "ss-1"),  # another list's cursor
        _cursor("ci", "yesterday", "ci-1"),
        _cursor("ci", "2026-03-03T09:00:00", "ci-1"),  # no UTC offset
        _cursor("ci", 3, "ci-1"),
        _cursor("ci"),
        _cursor({"ci": 1}),
        "W10=",  # []
    ],
)
def test_a_cursor_this_list_did_not_give_is_refused(cursor: str) -> None:
    with pytest.raises(Invalid) as refused:
        history.check_ins(with_check_ins(2), Sight.FULL, module_id=None, first=2, after=cursor)
    assert refused.value.field == "after"


def test_a_milestone_cursor_naming_no_milestone_of_the_path_is_refused() -> None:
    with pytest.raises(Invalid):
        history.milestones(started(), PATH, Sight.FULL, first=2, after=_cursor("ms", "gone"))
