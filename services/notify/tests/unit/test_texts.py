from datetime import UTC, date, datetime

import pytest

from notify.domain.directory import Language, Role
from notify.domain.events import EventKind
from notify.domain.rules import plan
from notify.domain.texts import TITLE_MAX, format_date, format_days, format_moment

from .builders import ADA, ALAN, GRACE, directory, occurrence, person

K = EventKind
PROPOSED = {"expires_at": "2026-11-09T08:00:00+00:00"}
GRACE_FR = person("pt-grace", "Grace", roles=(Role.MENTOR,), language=Language.FR)
SCRIPT = "<script>alert('x')</script>"


def test_texts_follow_the_recipients_language() -> None:
    (english,) = plan(occurrence(K.MENTEE_STALLED, {"days": 14}), directory()).notifications
    (french,) = plan(
        occurrence(K.MENTEE_STALLED, {"days": 14}), directory(ADA, GRACE_FR)
    ).notifications

    assert english.title == "Ada seems to have stalled"
    assert "no activity on the learning path for 14 days" in english.body
    assert french.title == "Ada semble à l'arrêt"
    assert "aucune activité sur le parcours depuis 14 jours" in french.body


def test_each_admin_reads_the_alert_in_their_own_language() -> None:
    result = plan(occurrence(K.MENTEE_STILL_STALLED, {"days": 28}), directory())

    titles = {n.recipient_id: n.title for n in result.notifications}
    assert titles == {"u-alan": "Ada is still stalled", "u-chloe": "Ada est toujours à l'arrêt"}


def test_the_proposal_gives_the_deadline_on_the_mentors_clock() -> None:
    english, _ = plan(occurrence(K.MATCH_PROPOSED, PROPOSED), directory()).notifications
    french, _ = plan(occurrence(K.MATCH_PROPOSED, PROPOSED), directory(ADA, GRACE_FR)).notifications
    assert english.recipient_id == french.recipient_id == "pt-grace"

    assert "accept or decline before Monday 9 November 2026 at 09:00 (Europe/Paris)" in english.body
    assert "avant le lundi 9 novembre 2026 à 09:00 (Europe/Paris)" in french.body


def test_the_html_version_escapes_every_interpolated_value() -> None:
    hostile = occurrence(
        K.CONFIDENCE_DROPPED,
        {
            "module_id": "m-2",
            "module_title": "<b>Rules & roles</b>",
            "previous_confidence": 4,
            "confidence": 2,
        },
        mentee_name=SCRIPT,
    )

    (alert,) = plan(hostile, directory()).notifications

    assert "<script>" not in alert.html_body
    assert "<b>" not in alert.html_body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in alert.html_body
    assert "&lt;b&gt;Rules &amp; roles&lt;/b&gt;" in alert.html_body
    assert alert.html_body.startswith("<p>")
    assert SCRIPT in alert.body


def test_the_html_version_keeps_the_texts_own_punctuation_readable() -> None:
    (alert,) = plan(
        occurrence(K.MENTEE_STALLED, {"days": 3}), directory(ADA, GRACE_FR)
    ).notifications

    assert "<p>C'est le bon moment pour prendre contact" in alert.html_body


def test_names_missing_from_the_event_are_taken_from_the_directory() -> None:
    expired = occurrence(K.MATCH_EXPIRED, mentee_name=None, mentor_name=None)

    result = plan(expired, directory())

    to_ada = next(n for n in result.notifications if n.recipient_id == "pt-ada")
    assert to_ada.body.startswith("Grace did not answer in time")


def test_a_name_nobody_knows_yet_reads_as_the_role() -> None:
    expired = occurrence(K.MATCH_EXPIRED, mentee_name=None, mentor_name=None)

    result = plan(expired, directory(ADA))

    to_ada = next(n for n in result.notifications if n.recipient_id == "pt-ada")
    to_chloe = next(n for n in result.notifications if n.recipient_id == "u-chloe")
    assert to_ada.body.startswith("The mentor did not answer in time")
    assert to_chloe.body.startswith("Le mentor n'a pas répondu à temps")


def test_only_the_admins_see_why_a_mentor_declined() -> None:
    declined = occurrence(K.MATCH_DECLINED, {"reason": "no time this quarter"})

    result = plan(declined, directory())

    bodies = {n.recipient_id: n.body for n in result.notifications}
    assert "no time this quarter" not in bodies["pt-ada"]
    assert "Reason given: no time this quarter" in bodies["u-alan"]
    assert "Motif indiqué : no time this quarter" in bodies["u-chloe"]


def test_a_decline_without_reason_leaves_no_empty_line() -> None:
    result = plan(occurrence(K.MATCH_DECLINED), directory(ADA, GRACE, admins=(ALAN,)))

    to_alan = next(n for n in result.notifications if n.recipient_id == "u-alan")
    assert "Reason" not in to_alan.body
    assert to_alan.body.count("\n\n") == 1


def test_optional_details_pick_the_fitting_sentence() -> None:
    with_title = occurrence(K.PATH_COMPLETED, {"path_title": "Social business"})
    alone = occurrence(K.MENTEE_STILL_STALLED, {"days": 28}, mentor_id=None, mentor_name=None)

    to_ada = plan(with_title, directory()).notifications[0]
    to_alan = plan(alone, directory(ADA, admins=(ALAN,))).notifications[0]

    assert "You completed every module of “Social business”." in to_ada.body
    assert "even though" not in to_alan.body
    assert "Next step: reach out to Ada and propose a mentor." in to_alan.body


@pytest.mark.parametrize(
    ("outcome", "to_ada", "to_grace"),
    [
        ("completed", "Your mentoring with Grace is complete", "Your mentoring of Ada is complete"),
        ("ended_early", "Your mentoring with Grace has ended", "Your mentoring of Ada has ended"),
    ],
)
def test_the_end_of_a_mentoring_is_worded_by_its_outcome(
    outcome: str, to_ada: str, to_grace: str
) -> None:
    result = plan(occurrence(K.MATCH_ENDED, {"outcome": outcome}), directory())

    assert [n.title for n in result.notifications] == [to_ada, to_grace]


def test_the_rating_reminder_names_the_session_date() -> None:
    reminder = occurrence(
        K.SESSION_NOT_RATED, {"not_rated_by": "mentor", "session_date": "2026-12-01"}
    )

    (english,) = plan(reminder, directory()).notifications
    (french,) = plan(reminder, directory(ADA, GRACE_FR)).notifications

    assert "Your session with Ada on Tuesday 1 December 2026 has no rating yet." in english.body
    assert "Votre séance du mardi 1er décembre 2026 avec Ada" in french.body


def test_titles_stay_on_one_line_and_within_the_limit() -> None:
    long_name = "Ada\nLovelace " + "x" * 400

    (accepted,) = plan(
        occurrence(K.MATCH_ACCEPTED, mentor_name=long_name), directory()
    ).notifications

    assert "\n" not in accepted.title
    assert len(accepted.title) <= TITLE_MAX
    assert accepted.title.startswith("Ada Lovelace x")


def test_durations_dates_and_moments_are_written_for_people() -> None:
    assert format_days(1, Language.EN) == "1 day"
    assert format_days(1, Language.FR) == "1 jour"
    assert format_days(3, Language.FR) == "3 jours"
    assert format_date(date(2026, 3, 1), Language.FR) == "dimanche 1er mars 2026"
    assert format_date(date(2026, 3, 1), Language.EN) == "Sunday 1 March 2026"
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert format_moment(moment, Language.EN, "America/New_York") == (
        "Wednesday 1 July 2026 at 08:00 (America/New_York)"
    )
