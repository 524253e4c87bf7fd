"""A participant who leaves their program: the program's admins are told who, and why."""

from mentorship_contracts import new_envelope
from mentorship_contracts.events import ParticipantWithdrawn
from notify.domain.events import EventKind, Occurrence
from notify.domain.rules import plan
from notify.service_layer.translate import occurrence_of

from .builders import ALAN, CHLOE, GRACE, NOW, PROGRAM, directory, person


def withdrawal(participant_id: str, reason: str | None) -> Occurrence:
    event = new_envelope(
        ParticipantWithdrawn(participant_id=participant_id, program_id=PROGRAM, reason=reason),
        producer="mentoring",
        clock=lambda: NOW,
    )
    found = occurrence_of(event)
    assert found is not None
    return found


def test_a_withdrawal_is_about_the_person_who_left_whatever_their_role() -> None:
    left = withdrawal("pt-grace", "new job")

    assert (left.kind, left.mentee_id, left.mentor_id) == (
        EventKind.PARTICIPANT_WITHDRAWN,
        "pt-grace",
        None,
    )
    assert left.details == {"reason": "new job"}
    assert withdrawal("pt-grace", None).details == {}


def test_the_admins_are_told_in_their_language_with_the_reason() -> None:
    gone = person("pt-grace", "Grace", user_id="u-grace", withdrawn=True)
    result = plan(withdrawal("pt-grace", "new job"), directory(gone, admins=(ALAN, CHLOE)))

    by_admin = {n.recipient_id: n for n in result.notifications}
    assert set(by_admin) == {ALAN.person_id, CHLOE.person_id}
    english, french = by_admin[ALAN.person_id], by_admin[CHLOE.person_id]
    assert english.title == "Grace has left the program"
    assert "Reason given: new job" in english.body
    assert french.title == "Départ du programme : Grace"
    assert "Motif indiqué : new job" in french.body
    assert english.subject_id == "pt-grace"


def test_without_a_reason_the_notice_leaves_that_paragraph_out() -> None:
    result = plan(withdrawal("pt-grace", None), directory(GRACE))

    assert result.notifications
    assert all("Reason" not in n.body and "Motif" not in n.body for n in result.notifications)
