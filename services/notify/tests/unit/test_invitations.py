from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

from icalendar import Calendar

from notify.adapters.senders import build_message
from notify.domain.directory import Language
from notify.domain.dispatch import plan_deliveries
from notify.domain.events import EventKind
from notify.domain.notifications import Notification
from notify.domain.preferences import Channel, DigestMode, Preferences
from notify.domain.rules import plan
from notify.service_layer.ports import Email

from .builders import NOW, directory, occurrence, person

K = EventKind
ADA = person("pt-ada", "Ada", user_id="u-ada", email="ada@example.org", timezone="Asia/Tokyo")
GRACE = person(
    "pt-grace", "Grace", user_id="u-grace", email="grace@example.org", language=Language.FR
)
START = datetime(2026, 11, 10, 13, 30, tzinfo=UTC)


def details(**extra: str | int) -> dict[str, str | int]:
    return {
        "planned_session_id": "ps-42",
        "starts_at": "2026-11-10T14:30:00+01:00",
        "time_zone": "Europe/Paris",
        "duration_minutes": 45,
        "sequence": 0,
        "planned_by": "mentor",
        "location": "Café de la Gare, Lyon",
        "video_url": "https://meet.example.org/ps-42",
        **extra,
    }


def notifications(kind: EventKind, **extra: str | int) -> dict[str, Notification]:
    planned = plan(occurrence(kind, details(**extra)), directory(ADA, GRACE))
    return {n.recipient_id: n for n in planned.notifications}


def event_of(notification: Notification) -> tuple[Calendar, Any]:
    """The calendar and its one event (``Any``: a property's type depends on its name)."""
    assert notification.calendar is not None
    parsed = Calendar.from_ical(notification.calendar.ics)
    events: list[Any] = parsed.walk("VEVENT")
    assert len(events) == 1
    return parsed, events[0]


def test_both_sides_get_a_request_for_the_same_event_at_the_planned_instant() -> None:
    told = notifications(K.SESSION_PLANNED)

    assert set(told) == {"pt-ada", "pt-grace"}
    for notification in told.values():
        calendar, event = event_of(notification)
        assert notification.calendar is not None
        assert notification.calendar.method == "REQUEST"
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == "ps-42@sessions.mentorship"
        assert int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == START
        assert event.decoded("DTEND") == datetime(2026, 11, 10, 14, 15, tzinfo=UTC)
        assert event["DTSTART"].to_ical() == b"20261110T133000Z"
        assert str(event["ORGANIZER"]) == "mailto:grace@example.org"
        assert {str(a) for a in event["ATTENDEE"]} == {
            "mailto:ada@example.org",
            "mailto:grace@example.org",
        }
        assert str(event["LOCATION"]) == "Café de la Gare, Lyon"
        assert str(event["URL"]) == "https://meet.example.org/ps-42"
        assert str(event["STATUS"]) == "CONFIRMED"


def test_each_side_reads_the_invitation_in_their_language_and_on_their_clock() -> None:
    told = notifications(K.SESSION_PLANNED)

    ada, grace = told["pt-ada"], told["pt-grace"]
    assert "Grace" in ada.title
    assert "22:30 (Asia/Tokyo)" in ada.body  # 13:30 UTC in Tokyo
    assert "Video link: https://meet.example.org/ps-42" in ada.body
    assert "Séance prévue avec Ada" in grace.title
    assert "14:30 (Europe/Paris)" in grace.body
    assert str(event_of(grace)[1]["SUMMARY"]) == "Séance de mentorat : Ada et Grace"


def test_a_reschedule_updates_the_same_event_with_a_higher_sequence() -> None:
    first = event_of(notifications(K.SESSION_PLANNED)["pt-ada"])[1]
    moved = notifications(
        K.SESSION_RESCHEDULED,
        starts_at="2026-11-12T09:00:00+00:00",
        previous_starts_at="2026-11-10T13:30:00+00:00",
        sequence=1,
    )["pt-ada"]

    calendar, event = event_of(moved)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == str(first["UID"])
    assert int(event["SEQUENCE"]) > int(first["SEQUENCE"])
    assert event.decoded("DTSTART") == datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
    assert "planned for Tuesday 10 November 2026 at 22:30" in moved.body


def test_a_cancellation_is_a_cancel_of_the_same_event() -> None:
    cancelled = notifications(K.SESSION_CANCELLED, sequence=2, reason="ill")["pt-grace"]

    calendar, event = event_of(cancelled)
    assert cancelled.calendar is not None
    assert cancelled.calendar.method == "CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2
    assert str(event["UID"]) == "ps-42@sessions.mentorship"
    assert "Motif indiqué : ill" in cancelled.body


def test_the_e_mail_carries_the_calendar_as_clients_expect_it() -> None:
    note = notifications(K.SESSION_PLANNED)["pt-ada"]
    email = Email(
        to="ada@example.org",
        subject=note.title,
        text=note.body,
        html=note.html_body,
        message_id="<x@notify.mentorship>",
        calendar=note.calendar,
    )

    raw = build_message(email, "notify@mentorship.local", NOW).as_bytes()
    message = message_from_bytes(raw, policy=policy.default)

    parts = {part.get_content_type(): part for part in message.walk()}
    assert message.get_content_type() == "multipart/mixed"
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    attached = parts["application/ics"]
    assert attached.get_filename() == "invite.ics"
    for part in (parts["text/calendar"], attached):
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        events: list[Any] = Calendar.from_ical(payload).walk("VEVENT")
        assert [e.decoded("DTSTART") for e in events] == [START]


def test_someone_without_an_address_is_no_attendee_and_the_organizer_falls_back() -> None:
    quiet = person("pt-grace", "Grace", user_id="u-grace", email=None)
    planned = plan(occurrence(K.SESSION_PLANNED, details()), directory(ADA, quiet))

    _, event = event_of(planned.notifications[0])
    assert str(event["ORGANIZER"]) == "mailto:noreply@sessions.mentorship"
    attendees = event["ATTENDEE"]
    listed = [attendees] if not isinstance(attendees, list) else attendees
    assert [str(a) for a in listed] == ["mailto:ada@example.org"]


def test_an_invitation_is_never_folded_into_the_daily_digest() -> None:
    note = notifications(K.SESSION_PLANNED)["pt-ada"]
    daily = Preferences("u-ada", digest=DigestMode.DAILY, digest_hour=8)

    planned = plan_deliveries(note, ADA, daily, NOW)
    plain = plan_deliveries(replace(note, calendar=None), ADA, daily, NOW)

    assert [d.digest for d in planned if d.channel is Channel.EMAIL] == [False]
    assert [d.digest for d in plain if d.channel is Channel.EMAIL] == [True]
