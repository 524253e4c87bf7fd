"""A live notification says what it is about, from notify's event; an event from a producer
that did not say names the mentee of its subjectId only."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.features.notification_subject import NotificationTarget
from gateway.features.notifications import Notification
from mentorship_contracts.events import NotificationAbout, NotificationCreatedV1

CREATED = NotificationCreatedV1(
    notification_id="n-1",
    recipient_id="u-grace",
    kind="progress.milestone_completed",
    title="Ada reached a milestone",
    body="Explain the why",
    subject_id="pt-ada",
    created_at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
)


def test_a_live_notification_names_what_notify_said_it_is_about() -> None:
    about = NotificationAbout(
        program_id="pg-1", mentee_id="pt-ada", module_id="purpose", milestone_id="why"
    )
    subject = Notification.created(CREATED.model_copy(update={"about": about})).about

    assert (subject.program_id, subject.mentee_id, subject.module_id, subject.milestone_id) == (
        "pg-1",
        "pt-ada",
        "purpose",
        "why",
    )
    assert (subject.match_id, subject.check_in_id, subject.session_id) == (None, None, None)
    assert subject.opens() is NotificationTarget.MILESTONE


def test_an_older_producers_notification_names_its_mentee_only() -> None:
    subject = Notification.created(CREATED).about

    assert subject.mentee_id == "pt-ada"
    assert subject.program_id is None
    assert subject.opens() is NotificationTarget.MENTEE


def test_a_notification_that_names_nothing_opens_nothing() -> None:
    subject = Notification.created(CREATED.model_copy(update={"subject_id": None})).about

    assert subject.opens() is None


def test_a_planned_sessions_notification_opens_the_planned_session() -> None:
    about = NotificationAbout(program_id="pg-1", mentee_id="pt-ada", planned_session_id="ps-1")
    planned = CREATED.model_copy(update={"kind": "progress.session_planned", "about": about})

    subject = Notification.created(planned).about

    assert subject.planned_session_id == "ps-1"
    assert subject.opens() is NotificationTarget.PLANNED_SESSION


def test_a_mentors_weekly_digest_opens_their_dashboard() -> None:
    digest = CREATED.model_copy(
        update={
            "kind": "mentor.weekly_digest",
            "subject_id": None,
            "about": NotificationAbout(program_id="pg-1"),
        }
    )

    subject = Notification.created(digest).about
    from_inbox = Notification.of(
        {
            "id": "n-2",
            "kind": "mentor.weekly_digest",
            "priority": "normal",
            "title": "Your week",
            "body": "Ada checked in",
            "created_at": "2026-11-30T08:00:00+00:00",
            "about": {"program_id": "pg-1"},
        }
    ).about

    assert subject.opens() is NotificationTarget.DASHBOARD
    assert from_inbox.opens() is NotificationTarget.DASHBOARD
