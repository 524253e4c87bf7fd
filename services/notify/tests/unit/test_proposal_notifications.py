"""The mentee is told of a proposal; cancellations and the answers of mutual acceptance."""

import pytest

from notify.domain.directory import Language, Recipient
from notify.domain.events import EventKind
from notify.domain.notifications import Notification
from notify.domain.rules import plan

from .builders import ADA, GRACE, directory, occurrence, person

K = EventKind
DUE = "2026-11-09T08:00:00+00:00"
ADA_FR = person("pt-ada", "Ada", user_id="u-ada", language=Language.FR)


def told(
    kind: EventKind, details: dict[str, str | int], *people: Recipient
) -> dict[str, Notification]:
    planned = plan(occurrence(kind, details), directory(*people))
    return {n.recipient_id: n for n in planned.notifications}


def test_the_mentee_is_told_who_was_proposed_and_that_the_mentor_answers() -> None:
    english = told(K.MATCH_PROPOSED, {"expires_at": DUE}, ADA, GRACE)["pt-ada"]
    french = told(K.MATCH_PROPOSED, {"expires_at": DUE}, ADA_FR, GRACE)["pt-ada"]

    assert english.title == "A mentor has been proposed to you: Grace"
    assert "Grace has until Monday 9 November 2026 at 09:00 (Europe/Paris) to accept" in (
        english.body
    )
    assert french.title == "Un mentor vous est proposé : Grace"
    assert "avant le lundi 9 novembre 2026 à 09:00 (Europe/Paris)" in french.body


def test_where_both_accept_the_proposal_asks_both_sides_to_answer() -> None:
    details: dict[str, str | int] = {"expires_at": DUE, "answer_from": "both"}
    english = told(K.MATCH_PROPOSED, details, ADA, GRACE)
    french = told(K.MATCH_PROPOSED, details, ADA_FR, GRACE)

    assert "Please accept or decline before Monday 9 November" in english["pt-ada"].body
    assert "Ada is asked to accept too" in english["pt-grace"].body
    assert "Merci d'accepter ou de décliner avant le lundi 9 novembre" in french["pt-ada"].body


def test_a_cancelled_proposal_is_told_to_both_sides_without_the_admins_reason() -> None:
    details: dict[str, str | int] = {}
    english = told(K.MATCH_CANCELLED, details, ADA, GRACE)
    french = told(K.MATCH_CANCELLED, details, ADA_FR, GRACE)

    assert set(english) == {"pt-ada", "pt-grace"}
    assert english["pt-ada"].title == "Your mentoring proposal was withdrawn"
    assert english["pt-grace"].title == "Proposal withdrawn: Ada"
    assert french["pt-ada"].title == "Votre proposition de mentorat a été retirée"


@pytest.mark.parametrize(
    ("accepted_by", "awaited", "title"),
    [
        ("mentor", "pt-ada", "Grace accepted to mentor you"),
        ("mentee", "pt-grace", "Ada accepted you as mentor"),
    ],
)
def test_an_acceptance_is_told_to_the_side_still_awaited(
    accepted_by: str, awaited: str, title: str
) -> None:
    details: dict[str, str | int] = {"expires_at": DUE, "accepted_by": accepted_by}
    planned = told(K.MATCH_ACCEPTANCE_GIVEN, details, ADA, GRACE)

    assert set(planned) == {awaited}
    assert planned[awaited].title == title


def test_a_mentee_who_declines_tells_the_mentor_and_the_admins_not_herself() -> None:
    planned = plan(
        occurrence(K.MATCH_DECLINED, {"declined_by": "mentee", "reason": "timing"}), directory()
    )
    titles = {n.recipient_id: n.title for n in planned.notifications}

    assert titles == {
        "pt-grace": "Ada declined the mentoring proposal",
        "u-alan": "Proposal declined by Ada",
        "u-chloe": "Proposition déclinée par Ada",
    }


def test_a_decline_without_who_is_the_mentors_as_before() -> None:
    planned = plan(occurrence(K.MATCH_DECLINED, {}), directory())

    assert {n.recipient_id for n in planned.notifications} == {"pt-ada", "u-alan", "u-chloe"}
