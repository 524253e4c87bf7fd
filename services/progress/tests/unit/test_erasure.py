from progress.domain.erasure import erase_mentee, erase_mentor

from .builders import MENTOR, tracking_with_two_mentors


def test_erasing_the_mentee_removes_every_text_and_keeps_the_figures() -> None:
    tracking = tracking_with_two_mentors()

    erased, counts = erase_mentee(tracking)

    assert counts == {"check_in_notes": 3, "milestone_texts": 2, "session_notes": 2}
    assert [c.note for c in erased.check_ins] == [None] * 4
    assert [(m.evidence, m.reason) for m in erased.milestones] == [(None, None)] * 2
    assert [s.notes for s in erased.sessions] == [None, None]
    assert [c.confidence for c in erased.check_ins] == [3, 4, 2, 2]
    assert [(s.duration_minutes, s.mentee_rating, s.mentor_rating) for s in erased.sessions] == [
        (30, None, None),
        (45, 4, 5),
    ]
    assert (erased.mentors, erased.state, erased.mentor_id) == (
        tracking.mentors,
        tracking.state,
        tracking.mentor_id,
    )


def test_erasing_a_mentor_removes_only_what_was_written_while_they_were_the_mentor() -> None:
    erased, counts = erase_mentor(tracking_with_two_mentors(), MENTOR)

    assert counts == {"check_in_notes": 1, "milestone_texts": 1, "session_notes": 1}
    assert [c.note for c in erased.check_ins] == [None, "by the mentee", "by the next mentor", None]
    assert [(m.evidence, m.reason) for m in erased.milestones] == [("mine", None), (None, None)]
    assert [s.notes for s in erased.sessions] == [None, "second pair"]


def test_erasing_someone_who_never_mentored_the_mentee_changes_nothing() -> None:
    tracking = tracking_with_two_mentors()

    erased, counts = erase_mentor(tracking, "pt-stranger")

    assert (erased, counts) == (tracking, {})
