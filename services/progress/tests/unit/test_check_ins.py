import pytest

from progress.domain.errors import Conflict, Invalid, NotFound
from progress.domain.signals import CheckInRecorded, ConfidenceDropped, Role
from progress.domain.tracking import Tracking, Transition

from .builders import MENTEE, MENTOR, PATH, PROGRAM, START, checked_in, days, started


def record(
    tracking: Tracking,
    *,
    check_in_id: str = "c-1",
    module_id: str = "basics",
    confidence: int = 3,
    by: Role = "mentee",
    note: str | None = None,
    days_later: float = 1,
) -> Transition:
    return tracking.record_check_in(
        path=PATH,
        check_in_id=check_in_id,
        module_id=module_id,
        confidence=confidence,
        by=by,
        note=note,
        now=START + days(days_later),
    )


def test_a_check_in_is_kept_with_its_note_and_signalled_without_it() -> None:
    transition = record(started(), confidence=4, note="I posted twice this week")

    assert transition.changed
    assert transition.signals == (
        CheckInRecorded(
            mentee_id=MENTEE,
            mentor_id=MENTOR,
            program_id=PROGRAM,
            check_in_id="c-1",
            module_id="basics",
            confidence=4,
            assessed_by="mentee",
        ),
    )
    [kept] = transition.tracking.check_ins
    assert (kept.confidence, kept.assessed_by, kept.recorded_at) == (4, "mentee", START + days(1))
    assert kept.note == "I posted twice this week"


def test_a_check_in_is_activity() -> None:
    assert record(started(), days_later=3).tracking.last_activity_at == START + days(3)


def test_the_mentees_and_the_mentors_check_ins_are_both_kept() -> None:
    tracking = record(started(), check_in_id="c-1", confidence=4, by="mentee").tracking
    tracking = record(tracking, check_in_id="c-2", confidence=2, by="mentor").tracking

    assert [(c.assessed_by, c.confidence) for c in tracking.check_ins] == [
        ("mentee", 4),
        ("mentor", 2),
    ]


@pytest.mark.parametrize("confidence", [0, 6, -1, 100])
def test_a_confidence_outside_one_to_five_is_invalid(confidence: int) -> None:
    with pytest.raises(Invalid, match="from 1 to 5") as raised:
        record(started(), confidence=confidence)
    assert raised.value.field == "confidence"


def test_an_assessor_other_than_mentee_or_mentor_is_invalid() -> None:
    with pytest.raises(Invalid) as raised:
        record(started(), by="admin")  # type: ignore[arg-type]
    assert raised.value.field == "by"


def test_a_check_in_on_an_unknown_module_names_the_module() -> None:
    with pytest.raises(NotFound, match="module 'astrology' not found"):
        record(started(), module_id="astrology")


def test_recording_the_same_check_in_twice_changes_nothing_the_second_time() -> None:
    once = record(started(), confidence=4, days_later=1).tracking

    again = record(once, confidence=4, days_later=2)

    assert again == Transition(once, (), changed=False)
    assert again.tracking is once


def test_the_same_check_in_id_with_other_values_is_a_conflict() -> None:
    once = record(started(), confidence=4).tracking

    with pytest.raises(Conflict, match="'c-1' was already recorded"):
        record(once, confidence=2)


def test_a_blank_note_is_no_note() -> None:
    [kept] = record(started(), note="   ").tracking.check_ins
    assert kept.note is None


def test_a_check_in_against_another_version_of_the_path_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="version 1, not 'small-path' version 2"):
        started().record_check_in(
            path=PATH.revised(),
            check_in_id="c-1",
            module_id="basics",
            confidence=3,
            by="mentee",
            note=None,
            now=START,
        )


def test_a_fall_of_two_levels_signals_a_confidence_drop() -> None:
    tracking = record(started(), check_in_id="c-1", confidence=4).tracking

    transition = record(tracking, check_in_id="c-2", confidence=2, days_later=8)

    assert transition.signals[1] == ConfidenceDropped(
        mentee_id=MENTEE,
        mentor_id=MENTOR,
        program_id=PROGRAM,
        check_in_id="c-2",
        module_id="basics",
        assessed_by="mentee",
        previous_confidence=4,
        confidence=2,
    )


def test_a_fall_of_one_level_that_stays_above_1_is_no_drop() -> None:
    tracking = record(started(), check_in_id="c-1", confidence=4).tracking

    transition = record(tracking, check_in_id="c-2", confidence=3)

    assert not any(isinstance(s, ConfidenceDropped) for s in transition.signals)


def test_a_drop_compares_with_the_same_assessors_earlier_check_ins() -> None:
    tracking = checked_in(started(), "basics", 5, by="mentee")

    mentor_second_opinion = record(tracking, check_in_id="c-m", confidence=3, by="mentor")
    assert not any(isinstance(s, ConfidenceDropped) for s in mentor_second_opinion.signals)

    mentee_again = record(mentor_second_opinion.tracking, check_in_id="c-2", confidence=3)
    dropped = [s for s in mentee_again.signals if isinstance(s, ConfidenceDropped)]
    assert [(d.previous_confidence, d.confidence) for d in dropped] == [(5, 3)]


def test_a_drop_compares_within_one_module() -> None:
    tracking = checked_in(started(), "basics", 5)

    transition = record(tracking, module_id="practice", confidence=2)

    assert not any(isinstance(s, ConfidenceDropped) for s in transition.signals)


def test_the_first_check_in_of_a_module_is_never_a_drop() -> None:
    assert len(record(started(), confidence=1).signals) == 1
