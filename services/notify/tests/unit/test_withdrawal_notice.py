"""A participant who leaves their program: the program's admins are told who, and why; the
other side of a proposal they leave unanswered is told it is closed."""

import pytest

from mentorship_contracts import new_envelope
from mentorship_contracts.events import MatchDeclined, ParticipantWithdrawn
from notify.domain.directory import Language
from notify.domain.events import EventKind, Occurrence
from notify.domain.rules import plan
from notify.service_layer.translate import occurrence_of

from .builders import ADA, ALAN, CHLOE, GRACE, NOW, PROGRAM, directory, person


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


def closed_by_withdrawal(side: str, *, withdrawn: bool = True) -> Occurrence:
    event = new_envelope(
        MatchDeclined(
            match_id="m-1",
            program_id=PROGRAM,
            mentee_id="pt-ada",
            mentor_id="pt-grace",
            reason=f"the {side} withdrew from the program",
            declined_by=side,
            withdrawn=withdrawn,
        ),
        producer="mentoring",
        clock=lambda: NOW,
    )
    found = occurrence_of(event)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("side", "told", "english", "french"),
    [
        (
            "mentee",
            "pt-grace",
            "Ada is no longer in the program",
            "Ada a quitté le programme",
        ),
        (
            "mentor",
            "pt-ada",
            "Your proposed mentor is no longer in the program",
            "Votre mentor proposé a quitté le programme",
        ),
    ],
)
def test_a_proposal_left_unanswered_by_a_withdrawal_is_told_to_the_other_side_only(
    side: str, told: str, english: str, french: str
) -> None:
    """Nobody is told that the side who left declined, and the admins, told of the withdrawal
    itself, are not told again."""
    in_english = plan(closed_by_withdrawal(side), directory(ADA, GRACE)).notifications
    speakers = (
        person("pt-ada", "Ada", user_id="u-ada", language=Language.FR),
        person("pt-grace", "Grace", user_id="u-grace", language=Language.FR),
    )
    in_french = plan(closed_by_withdrawal(side), directory(*speakers)).notifications

    assert [(n.recipient_id, n.title) for n in in_english] == [(told, english)]
    assert [(n.recipient_id, n.title) for n in in_french] == [(told, french)]
    assert all("declined" not in n.body and "withdrew" not in n.body for n in in_english)


def test_a_decline_is_still_told_as_one() -> None:
    declined = plan(closed_by_withdrawal("mentee", withdrawn=False), directory())

    assert {n.title for n in declined.notifications} >= {"Ada declined the mentoring proposal"}
    assert {n.recipient_id for n in declined.notifications} == {"pt-grace", "u-alan", "u-chloe"}
