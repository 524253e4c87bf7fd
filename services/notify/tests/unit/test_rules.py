from collections.abc import Mapping

import pytest

from notify.domain.directory import Audience, Role
from notify.domain.errors import Invalid
from notify.domain.events import EventKind, Occurrence
from notify.domain.notifications import Priority, notification_id
from notify.domain.rules import (
    AUDIENCES_BY,
    CHOICES,
    OUTCOMES,
    RULES,
    Skipped,
    SkipReason,
    UnknownRecipient,
    plan,
)
from notify.domain.texts import TEMPLATES

from .builders import ADA, ALAN, CHLOE, GRACE, NOW, PROGRAM, directory, occurrence, person

K = EventKind
DETAILS: Mapping[EventKind, Mapping[str, str | int]] = {
    K.MATCH_PROPOSED: {"expires_at": "2026-11-09T08:00:00+00:00"},
    K.MATCH_ACCEPTANCE_GIVEN: {"expires_at": "2026-11-09T08:00:00+00:00", "accepted_by": "mentor"},
    K.MATCH_ENDED: {"outcome": "completed"},
    K.MENTEE_STALLED: {"days": 14},
    K.MENTEE_STILL_STALLED: {"days": 28},
    K.CONFIDENCE_DROPPED: {"module_id": "m-2", "previous_confidence": 4, "confidence": 2},
    K.MILESTONE_COMPLETED: {"module_id": "m-3", "milestone_id": "ms-1"},
    K.MODULE_COMPLETED: {"module_id": "m-3"},
    K.SESSION_NOT_RATED: {"not_rated_by": "both"},
    **{
        kind: {
            "planned_session_id": "ps-1",
            "starts_at": "2026-11-10T13:30:00+00:00",
            "time_zone": "Europe/Paris",
            "duration_minutes": 60,
            "sequence": 0,
            "planned_by": "mentee",
            "location": "Café",
        }
        for kind in (
            K.SESSION_PLANNED,
            K.SESSION_RESCHEDULED,
            K.SESSION_CANCELLED,
            K.SESSION_TO_CONFIRM,
        )
    },
    K.CHECK_IN_OVERDUE: {"days": 7},
    K.PROPOSAL_EXPIRING: {"expires_at": "2026-11-09T08:00:00+00:00", "match_id": "m-1"},
}
ADMINS = {"u-alan", "u-chloe"}


def planned(kind: EventKind, details: Mapping[str, str | int] | None = None) -> Occurrence:
    return occurrence(kind, DETAILS.get(kind, {}) if details is None else details)


@pytest.mark.parametrize(
    ("kind", "recipients", "priority"),
    [
        (K.MATCH_PROPOSED, {"pt-grace", "pt-ada"}, Priority.NORMAL),
        (K.MATCH_ACCEPTANCE_GIVEN, {"pt-ada"}, Priority.NORMAL),
        (K.MATCH_CANCELLED, {"pt-ada", "pt-grace"}, Priority.NORMAL),
        (K.MATCH_ACCEPTED, {"pt-ada"}, Priority.NORMAL),
        (K.MATCH_DECLINED, {"pt-ada", *ADMINS}, Priority.NORMAL),
        (K.MATCH_EXPIRED, {"pt-ada", *ADMINS}, Priority.NORMAL),
        (K.MATCH_ENDED, {"pt-ada", "pt-grace"}, Priority.NORMAL),
        (K.MENTEE_STALLED, {"pt-grace"}, Priority.HIGH),
        (K.MENTEE_STILL_STALLED, ADMINS, Priority.HIGH),
        (K.CONFIDENCE_DROPPED, {"pt-grace"}, Priority.HIGH),
        (K.MILESTONE_COMPLETED, {"pt-grace"}, Priority.LOW),
        (K.MODULE_COMPLETED, {"pt-grace"}, Priority.LOW),
        (K.PATH_COMPLETED, {"pt-ada", "pt-grace", *ADMINS}, Priority.NORMAL),
        (K.SESSION_NOT_RATED, {"pt-ada", "pt-grace"}, Priority.LOW),
        (K.MENTEE_BACK_ON_TRACK, {"pt-grace"}, Priority.LOW),
        (K.PARTICIPANT_WITHDRAWN, ADMINS, Priority.NORMAL),
        (K.CHECK_IN_OVERDUE, {"pt-ada"}, Priority.NORMAL),
        (K.PROPOSAL_EXPIRING, {"pt-grace"}, Priority.NORMAL),
        (K.SESSION_TO_CONFIRM, {"pt-ada", "pt-grace"}, Priority.NORMAL),
    ],
)
def test_each_rule_tells_its_audience_with_its_priority(
    kind: EventKind, recipients: set[str], priority: Priority
) -> None:
    result = plan(planned(kind), directory())

    assert {n.recipient_id for n in result.notifications} == recipients
    assert {n.priority for n in result.notifications} == {priority}
    assert {n.kind for n in result.notifications} == {kind}
    assert result.unknown == ()
    assert result.skipped == ()


@pytest.mark.parametrize(
    ("not_rated_by", "recipients"),
    [("mentor", {"pt-grace"}), ("mentee", {"pt-ada"}), ("both", {"pt-ada", "pt-grace"})],
)
def test_the_rating_reminder_goes_to_whoever_has_not_rated(
    not_rated_by: str, recipients: set[str]
) -> None:
    result = plan(planned(K.SESSION_NOT_RATED, {"not_rated_by": not_rated_by}), directory())

    assert {n.recipient_id for n in result.notifications} == recipients


def test_every_event_kind_has_exactly_one_rule() -> None:
    assert set(RULES) == set(EventKind)
    assert all(kind is rule.kind for kind, rule in RULES.items())


def test_every_audience_a_rule_can_reach_has_english_and_french_texts() -> None:
    needed = set()
    for rule in RULES.values():
        audiences = {*rule.audiences, *rule.without_mentor}
        choices = CHOICES.get(rule.text_variant, OUTCOMES) if rule.text_variant else ("",)
        for variant in choices:
            reached = audiences
            detail = rule.audience_detail
            if detail is not None and detail is rule.text_variant:
                reached = set(AUDIENCES_BY[detail][variant])
            elif detail is not None:
                reached = {Audience.MENTOR, Audience.MENTEE}
            needed |= {(rule.kind, a, variant) for a in reached}

    assert set(TEMPLATES) == needed
    assert all(set(by_language) == {"en", "fr"} for by_language in TEMPLATES.values())


def test_planning_the_same_event_twice_yields_the_same_notifications() -> None:
    first = plan(planned(K.PATH_COMPLETED), directory())
    again = plan(planned(K.PATH_COMPLETED), directory())

    assert first == again
    assert len({n.notification_id for n in first.notifications}) == 4


def test_notification_ids_derive_from_the_event_the_recipient_and_the_kind() -> None:
    (proposed,) = plan(planned(K.MENTEE_STALLED), directory()).notifications
    other_event = plan(
        occurrence(K.MENTEE_STALLED, DETAILS[K.MENTEE_STALLED], event_id="ev-2"), directory()
    ).notifications[0]

    assert proposed.notification_id == notification_id("ev-1", "pt-grace", K.MENTEE_STALLED)
    assert proposed.notification_id != other_event.notification_id
    assert proposed.event_id == "ev-1"


def test_notifications_are_about_the_mentee_and_dated_when_it_happened() -> None:
    (stalled,) = plan(planned(K.MENTEE_STALLED), directory()).notifications

    assert stalled.subject_id == "pt-ada"
    assert stalled.created_at == NOW


def test_a_mentor_not_in_the_directory_yet_is_reported_for_a_retry() -> None:
    result = plan(planned(K.MENTEE_STALLED), directory(ADA))

    assert result.notifications == ()
    assert result.unknown == (UnknownRecipient(Audience.MENTOR, "pt-grace", PROGRAM),)


def test_unknown_program_admins_are_reported_while_the_mentee_is_told() -> None:
    result = plan(planned(K.MATCH_EXPIRED), directory(ADA, GRACE, admins=None))

    assert [n.recipient_id for n in result.notifications] == ["pt-ada"]
    assert result.unknown == (UnknownRecipient(Audience.ADMINS, None, PROGRAM),)


def test_a_program_without_admins_is_said_not_silently_ignored() -> None:
    result = plan(planned(K.MENTEE_STILL_STALLED), directory(ADA, GRACE, admins=()))

    assert result.notifications == ()
    assert result.skipped == (Skipped(Audience.ADMINS, None, SkipReason.NO_ADMIN),)


def test_a_withdrawn_person_receives_nothing() -> None:
    gone = person("pt-ada", "Ada", withdrawn=True)

    result = plan(planned(K.MATCH_ACCEPTED), directory(gone, GRACE))

    assert result.notifications == ()
    assert result.skipped == (Skipped(Audience.MENTEE, "pt-ada", SkipReason.WITHDRAWN),)


def test_a_withdrawn_admin_is_skipped_and_the_other_admins_are_told() -> None:
    gone = person("u-alan", "Alan", roles=(Role.ADMIN,), withdrawn=True)

    result = plan(planned(K.MENTEE_STILL_STALLED), directory(ADA, GRACE, admins=(gone, CHLOE)))

    assert [n.recipient_id for n in result.notifications] == ["u-chloe"]
    assert result.skipped == (Skipped(Audience.ADMINS, "u-alan", SkipReason.WITHDRAWN),)


@pytest.mark.parametrize("kind", [K.MENTEE_STALLED, K.CONFIDENCE_DROPPED])
def test_an_alert_for_a_mentee_without_mentor_goes_to_the_admins(kind: EventKind) -> None:
    alone = occurrence(kind, DETAILS[kind], mentor_id=None, mentor_name=None)

    result = plan(alone, directory())

    assert {n.recipient_id for n in result.notifications} == ADMINS
    assert {n.priority for n in result.notifications} == {Priority.HIGH}
    assert "no mentor" in result.notifications[0].title
    assert result.skipped == (Skipped(Audience.MENTOR, None, SkipReason.NO_MENTOR),)


def test_low_priority_news_for_a_missing_mentor_is_skipped_and_said() -> None:
    alone = occurrence(K.MODULE_COMPLETED, DETAILS[K.MODULE_COMPLETED], mentor_id=None)

    result = plan(alone, directory())

    assert result.notifications == ()
    assert result.skipped == (Skipped(Audience.MENTOR, None, SkipReason.NO_MENTOR),)


@pytest.mark.parametrize("kind", [k for k in EventKind if not k.startswith("match.")])
def test_every_progress_event_can_be_planned_for_a_mentee_without_mentor(kind: EventKind) -> None:
    alone = occurrence(kind, DETAILS.get(kind, {}), mentor_id=None, mentor_name=None)

    result = plan(alone, directory())

    assert all(n.title and n.body for n in result.notifications)
    assert all("{" not in n.title + n.body for n in result.notifications)


def test_a_match_event_always_names_its_mentor() -> None:
    with pytest.raises(Invalid) as raised:
        occurrence(K.MATCH_ACCEPTED, mentor_id=None)

    assert raised.value.field == "mentor_id"


def test_a_mentor_who_is_also_an_admin_is_told_once_as_the_mentor() -> None:
    admin_too = person("u-grace", "Grace", roles=(Role.ADMIN,), user_id="u-grace")

    result = plan(planned(K.PATH_COMPLETED), directory(ADA, GRACE, admins=(admin_too, ALAN)))

    assert sorted(n.recipient_id for n in result.notifications) == ["pt-ada", "pt-grace", "u-alan"]
    (to_grace,) = [n for n in result.notifications if n.recipient_id == "pt-grace"]
    assert "Thank you for your accompaniment" in to_grace.body


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        (K.MATCH_PROPOSED, {}, "details.expires_at"),
        (K.MATCH_PROPOSED, {"expires_at": "next monday"}, "details.expires_at"),
        (K.MATCH_PROPOSED, {"expires_at": "2026-11-09T08:00:00"}, "details.expires_at"),
        (K.MATCH_ENDED, {"outcome": "abandoned"}, "details.outcome"),
        (K.MENTEE_STALLED, {}, "details.days"),
        (K.MENTEE_STALLED, {"days": "fourteen"}, "details.days"),
        (K.MENTEE_STALLED, {"days": 0}, "details.days"),
        (
            K.CONFIDENCE_DROPPED,
            {"module_id": "m-2", "confidence": 2},
            "details.previous_confidence",
        ),
        (
            K.CONFIDENCE_DROPPED,
            {"module_id": "m-2", "previous_confidence": 9, "confidence": 2},
            "details.previous_confidence",
        ),
        (K.MILESTONE_COMPLETED, {"module_id": "m-3"}, "details.milestone_id"),
        (K.SESSION_NOT_RATED, {"not_rated_by": "nobody"}, "details.not_rated_by"),
        (
            K.SESSION_NOT_RATED,
            {"not_rated_by": "mentor", "session_date": "2/11"},
            "details.session_date",
        ),
    ],
)
def test_missing_or_malformed_details_are_refused_naming_the_detail(
    kind: EventKind, details: Mapping[str, str | int], field: str
) -> None:
    with pytest.raises(Invalid) as raised:
        plan(occurrence(kind, details), directory())

    assert raised.value.field == field


def test_an_unknown_event_kind_is_refused() -> None:
    with pytest.raises(Invalid, match="unknown event kind"):
        EventKind.parse("match.exploded")

    assert EventKind.parse("match.accepted") is K.MATCH_ACCEPTED


def test_an_occurrence_needs_an_aware_time_and_an_event_id() -> None:
    with pytest.raises(Invalid, match="occurred_at"):
        Occurrence(K.MENTEE_BACK_ON_TRACK, "ev-1", NOW.replace(tzinfo=None), PROGRAM, "pt-ada")
    with pytest.raises(Invalid, match="event_id"):
        Occurrence(K.MENTEE_BACK_ON_TRACK, "", NOW, PROGRAM, "pt-ada")
