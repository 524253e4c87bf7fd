"""The reminders' texts and rules (a mentee's overdue check-in, a proposal about to lapse), and
the check-in watch: one reminder per stretch of silence, whatever order the events come in."""

from datetime import UTC, datetime, timedelta

import pytest

from notify.domain import check_ins
from notify.domain.check_ins import Watch, WatchState
from notify.domain.digest import build_digest
from notify.domain.directory import Language, Role
from notify.domain.errors import Invalid
from notify.domain.events import EventKind
from notify.domain.rules import plan

from .builders import ADA, GRACE, NOW, directory, occurrence, person

K = EventKind
ADA_FR = person("pt-ada", "Ada", language=Language.FR, user_id="u-ada")
GRACE_FR = person("pt-grace", "Grace", roles=(Role.MENTOR,), language=Language.FR)
EXPIRING = {"expires_at": "2026-11-09T08:00:00+00:00", "match_id": "m-1"}
DAY = timedelta(days=1)


# ---- texts and rules ------------------------------------------------------------------------


def test_a_mentee_is_reminded_to_check_in_in_their_language_naming_their_mentor() -> None:
    (english,) = plan(occurrence(K.CHECK_IN_OVERDUE, {"days": 7}), directory()).notifications
    (french,) = plan(
        occurrence(K.CHECK_IN_OVERDUE, {"days": 7}), directory(ADA_FR, GRACE)
    ).notifications

    assert english.recipient_id == "pt-ada"
    assert english.title == "Time for a check-in"
    assert "You have not recorded a check-in on your learning path for 7 days." in english.body
    assert "tells Grace how confident you feel" in english.body
    assert french.title == "C'est le moment de faire le point"
    assert "pas fait de point de confiance sur votre parcours depuis 7 jours" in french.body
    assert "indique à Grace votre niveau de confiance" in french.body


def test_a_mentee_without_mentor_is_reminded_without_naming_one() -> None:
    alone = occurrence(K.CHECK_IN_OVERDUE, {"days": 1}, mentor_id=None, mentor_name=None)

    (reminder,) = plan(alone, directory()).notifications

    assert "for 1 day." in reminder.body
    assert "shows how far you have come" in reminder.body
    assert "mentor" not in reminder.body
    assert "{" not in reminder.body


def test_the_mentor_is_reminded_of_the_deadline_on_their_clock_and_of_the_match() -> None:
    (english,) = plan(occurrence(K.PROPOSAL_EXPIRING, EXPIRING), directory()).notifications
    (french,) = plan(
        occurrence(K.PROPOSAL_EXPIRING, EXPIRING), directory(ADA, GRACE_FR)
    ).notifications

    assert english.recipient_id == "pt-grace"
    assert english.title == "Reminder: the proposal to mentor Ada expires soon"
    assert "before Monday 9 November 2026 at 09:00 (Europe/Paris)" in english.body
    assert french.title == "Rappel : la proposition d'accompagner Ada expire bientôt"
    assert "avant le lundi 9 novembre 2026 à 09:00 (Europe/Paris)" in french.body
    assert english.about.match_id == "m-1"
    assert english.about.mentee_id == "pt-ada"


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        (K.CHECK_IN_OVERDUE, {}, "details.days"),
        (K.CHECK_IN_OVERDUE, {"days": 0}, "details.days"),
        (K.PROPOSAL_EXPIRING, {}, "details.expires_at"),
        (K.PROPOSAL_EXPIRING, {"expires_at": "2026-11-09T08:00:00"}, "details.expires_at"),
    ],
)
def test_a_reminder_without_what_its_text_needs_is_refused(
    kind: EventKind, details: dict[str, str | int], field: str
) -> None:
    with pytest.raises(Invalid) as raised:
        plan(occurrence(kind, details), directory())

    assert raised.value.field == field


def test_reminders_are_grouped_in_the_daily_digest_in_the_readers_language() -> None:
    (reminder,) = plan(
        occurrence(K.CHECK_IN_OVERDUE, {"days": 7}), directory(ADA_FR, GRACE)
    ).notifications

    _title, text, _html = build_digest(ADA_FR, [reminder])

    assert "Points de confiance à faire (1)" in text


# ---- the check-in watch ---------------------------------------------------------------------


def start(watch: Watch | None, at: datetime) -> Watch | None:
    return check_ins.started(
        watch, mentee_id="pt-ada", program_id="pg-1", mentor_id="pt-grace", at=at
    )


def check_in(watch: Watch | None, at: datetime) -> Watch | None:
    return check_ins.checked_in(
        watch, mentee_id="pt-ada", program_id="pg-1", mentor_id="pt-grace", at=at
    )


def stop(watch: Watch | None, at: datetime) -> Watch | None:
    return check_ins.stopped(watch, mentee_id="pt-ada", program_id="pg-1", at=at)


def then(watch: Watch | None, changed: Watch | None) -> Watch | None:
    """The watch after a transition (None: unchanged)."""
    return watch if changed is None else changed


def test_the_silence_counts_from_the_match_then_from_each_own_check_in() -> None:
    watch = start(None, NOW)
    assert watch is not None
    assert (watch.since, watch.state) == (NOW, WatchState.WAITING)
    assert watch.due_at(7) == NOW + 7 * DAY

    later = then(watch, check_in(watch, NOW + 3 * DAY))
    assert later is not None
    assert (later.since, later.state) == (NOW + 3 * DAY, WatchState.WAITING)
    assert later.episode_id() != watch.episode_id()


def test_a_reminded_stretch_waits_for_a_new_check_in_to_start_the_next() -> None:
    watch = start(None, NOW)
    assert watch is not None
    reminded = Watch(**{**watch.__dict__, "state": WatchState.REMINDED})

    assert check_in(reminded, NOW) is None, "the same moment again starts nothing"
    assert start(reminded, NOW) is None, "the acceptance delivered again changes nothing"
    renewed = check_in(reminded, NOW + 8 * DAY)
    assert renewed is not None
    assert renewed.state is WatchState.WAITING
    assert renewed.episode_id() == f"check-in:pt-ada:{(NOW + 8 * DAY).isoformat()}"


def test_events_delivered_again_or_older_change_nothing() -> None:
    watch = start(None, NOW)
    watch = then(watch, check_in(watch, NOW + 2 * DAY))

    assert check_in(watch, NOW + 2 * DAY) is None
    assert check_in(watch, NOW + DAY) is None
    assert start(watch, NOW) is None
    assert start(watch, NOW - DAY) is None


def test_a_stop_ends_the_reminders_until_a_newer_match_starts() -> None:
    watch = start(None, NOW)
    ended = then(watch, stop(watch, NOW + DAY))
    assert ended is not None
    assert ended.state is WatchState.STOPPED

    during = then(ended, check_in(ended, NOW + 2 * DAY))
    assert during is not None
    assert during.state is WatchState.STOPPED
    assert start(during, NOW) is None, "the old acceptance arriving late restarts nothing"

    again = start(during, NOW + 5 * DAY)
    assert again is not None
    assert (again.state, again.since) == (WatchState.WAITING, NOW + 5 * DAY)


def test_a_stop_that_arrives_before_its_start_still_wins() -> None:
    tombstone = stop(None, NOW + DAY)
    assert tombstone is not None
    assert tombstone.state is WatchState.STOPPED

    assert start(tombstone, NOW) is None
    assert stop(tombstone, NOW + DAY) is None, "delivered again"


def test_a_stop_older_than_the_latest_start_changes_nothing() -> None:
    watch = start(None, NOW + 3 * DAY)

    assert stop(watch, NOW) is None


def test_moments_are_kept_to_the_millisecond_so_a_redelivery_compares_equal() -> None:
    precise = NOW + timedelta(microseconds=1500)
    watch = start(None, precise)
    assert watch is not None
    assert watch.since == NOW + timedelta(milliseconds=1)

    assert check_in(watch, precise) is None
    with pytest.raises(Invalid):
        start(None, datetime(2026, 11, 2, 9, 0))


def test_the_watch_names_its_episode_from_the_mentee_and_the_start_of_the_silence() -> None:
    watch = start(None, datetime(2026, 11, 2, 9, 0, tzinfo=UTC))

    assert watch is not None
    assert watch.episode_id() == "check-in:pt-ada:2026-11-02T09:00:00+00:00"
