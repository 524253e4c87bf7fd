"""Calendar invitations for planned sessions (RFC 5545 iCalendar, RFC 5546 iTIP methods).

A planned session's notifications to its mentee and mentor each carry an invitation, built with
the ``icalendar`` library, that a calendar client imports as one event:

- ``METHOD:REQUEST`` when the session is planned or rescheduled, ``METHOD:CANCEL`` (and
  ``STATUS:CANCELLED``) when it is cancelled;
- ``UID`` derived from the planned session's id alone, so every message about it names the same
  event, and ``SEQUENCE`` as progress counts the changes (0 when planned, one more for each
  reschedule and for the cancellation): a client replaces the event it holds by a higher one;
- ``DTSTART``/``DTEND`` in UTC (``...Z``): an instant every client places right on its own clock,
  with no ``VTIMEZONE`` to get wrong; the zone the session was planned in is named in the text;
- ``ORGANIZER`` the side who planned it, ``ATTENDEE`` both sides (e-mail addresses from the
  directory; the organizer accepted, the other side's answer needed); someone without a known
  address is left out of the attendees, and an organizer without one is written with
  ``ORGANIZER_FALLBACK``;
- ``LOCATION`` the place (else the link), ``URL`` the video link.

The summary and description are in the recipient's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from notify.domain import texts
from notify.domain.directory import Audience, DirectoryLookup, Language, Recipient, zone
from notify.domain.errors import Invalid
from notify.domain.events import Detail, EventKind, Occurrence
from notify.domain.notifications import CalendarInvite, Notification

KINDS = frozenset(
    {EventKind.SESSION_PLANNED, EventKind.SESSION_RESCHEDULED, EventKind.SESSION_CANCELLED}
)
TEXT_KINDS = KINDS | {EventKind.SESSION_TO_CONFIRM}
"""The kinds whose texts say when a planned session is: its invitations', and the reminder to
confirm it took place (which carries no invitation)."""
UID_DOMAIN = "sessions.mentorship"
ORGANIZER_FALLBACK = "noreply@sessions.mentorship"
PRODUCT = "-//Mentorship platform//Planned sessions//EN"

_SUMMARY: Mapping[Language, str] = {
    Language.EN: "Mentoring session: {mentee} and {mentor}",
    Language.FR: "Séance de mentorat : {mentee} et {mentor}",
}
_PLANNED_IN: Mapping[Language, str] = {
    Language.EN: "Planned in the time zone {zone}: {local}.",
    Language.FR: "Prévue dans le fuseau horaire {zone} : {local}.",
}
_MINUTES: Mapping[Language, tuple[str, str]] = {
    Language.EN: ("1 minute", "{count} minutes"),
    Language.FR: ("1 minute", "{count} minutes"),
}


@dataclass(frozen=True)
class Planned:
    """What an occurrence says of its planned session, checked."""

    planned_session_id: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    sequence: int
    location: str | None
    video_url: str | None
    planned_by: Audience
    previous_starts_at: datetime | None

    @classmethod
    def of(cls, occurrence: Occurrence) -> Planned:
        planned_id = occurrence.text(Detail.PLANNED_SESSION_ID)
        zone_name = occurrence.text(Detail.TIME_ZONE)
        minutes = occurrence.whole(Detail.DURATION_MINUTES, 1, 480)
        sequence = occurrence.whole(Detail.SEQUENCE, 0, 10_000)
        starts_at = _instant(occurrence, Detail.STARTS_AT)
        if not planned_id or not zone_name or minutes is None or sequence is None:
            raise Invalid("details", f"{occurrence.kind} needs the planned session's details")
        if starts_at is None:
            raise Invalid(f"details.{Detail.STARTS_AT}", "is required")
        by = occurrence.text(Detail.PLANNED_BY)
        if by not in (Audience.MENTEE.value, Audience.MENTOR.value):
            raise Invalid(f"details.{Detail.PLANNED_BY}", "must be mentee or mentor")
        return cls(
            planned_session_id=planned_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            time_zone=zone_name,
            sequence=sequence,
            location=occurrence.text(Detail.LOCATION),
            video_url=occurrence.text(Detail.VIDEO_URL),
            planned_by=Audience(by),
            previous_starts_at=_instant(occurrence, Detail.PREVIOUS_STARTS_AT),
        )


def _instant(occurrence: Occurrence, key: Detail) -> datetime | None:
    text = occurrence.text(key)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"details.{key}", "must be an ISO 8601 date and time") from None
    if moment.utcoffset() is None:
        raise Invalid(f"details.{key}", "must carry its UTC offset")
    return moment.astimezone(UTC)


def values(occurrence: Occurrence, recipient: Recipient) -> dict[str, str]:
    """The template values of a planned session's texts, on the recipient's clock."""
    if occurrence.kind not in TEXT_KINDS:
        return {}
    planned = Planned.of(occurrence)
    language = recipient.language
    minutes = round((planned.ends_at - planned.starts_at).total_seconds() / 60)
    found = {
        "start": texts.format_moment(planned.starts_at, language, recipient.timezone),
        "previous_start": (
            texts.format_moment(planned.previous_starts_at, language, recipient.timezone)
            if planned.previous_starts_at
            else None
        ),
        "minutes": texts.plural(_MINUTES, language, minutes),
        "place": texts.one_line(planned.location, 300) if planned.location else None,
        "link": planned.video_url,
        "mentor": None if occurrence.mentor_id else texts.UNKNOWN_NAMES[language][Audience.MENTOR],
    }
    return {name: value for name, value in found.items() if value}


def attach(
    occurrence: Occurrence, directory: DirectoryLookup, notifications: tuple[Notification, ...]
) -> tuple[Notification, ...]:
    """The notifications of a planned session's occurrence, each with its invitation."""
    if occurrence.kind not in KINDS:
        return notifications
    planned = Planned.of(occurrence)
    mentee = directory.person(occurrence.mentee_id)
    mentor = directory.person(occurrence.mentor_id) if occurrence.mentor_id else None
    attached = []
    for notification in notifications:
        reader = directory.person(notification.recipient_id)
        language = reader.language if reader else Language.EN
        ics = calendar(occurrence, planned, mentee, mentor, language, notification.body)
        method = "CANCEL" if occurrence.kind is EventKind.SESSION_CANCELLED else "REQUEST"
        attached.append(replace(notification, calendar=CalendarInvite(method, ics)))
    return tuple(attached)


def calendar(
    occurrence: Occurrence,
    planned: Planned,
    mentee: Recipient | None,
    mentor: Recipient | None,
    language: Language,
    description: str,
) -> str:
    cancelled = occurrence.kind is EventKind.SESSION_CANCELLED
    names = {
        "mentee": _name(mentee, texts.UNKNOWN_NAMES[language][Audience.MENTEE]),
        "mentor": _name(mentor, texts.UNKNOWN_NAMES[language][Audience.MENTOR]),
    }
    local = planned.starts_at.astimezone(zone(planned.time_zone))
    event = Event()
    event.add("uid", f"{planned.planned_session_id}@{UID_DOMAIN}")
    event.add("sequence", planned.sequence)
    event.add("dtstamp", occurrence.occurred_at.astimezone(UTC))
    event.add("dtstart", planned.starts_at)
    event.add("dtend", planned.ends_at)
    event.add("summary", _SUMMARY[language].format(**names))
    zone_line = _PLANNED_IN[language].format(
        zone=planned.time_zone, local=f"{local:%Y-%m-%d %H:%M}"
    )
    event.add("description", f"{description}\n\n{zone_line}")
    place = planned.location or planned.video_url
    if place:
        event.add("location", place)
    if planned.video_url:
        event.add("url", planned.video_url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = mentee if planned.planned_by is Audience.MENTEE else mentor
    event.add("organizer", _address(organizer, ORGANIZER_FALLBACK))
    for person in (mentee, mentor):
        if person is not None and person.email:
            attendee = _address(person, person.email)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            chair = person is organizer
            attendee.params["partstat"] = vText("ACCEPTED" if chair else "NEEDS-ACTION")
            attendee.params["rsvp"] = vText("FALSE" if chair or cancelled else "TRUE")
            event.add("attendee", attendee, encode=False)
    ics = Calendar()
    ics.add("prodid", PRODUCT)
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("method", "CANCEL" if cancelled else "REQUEST")
    ics.add_component(event)
    text: str = ics.to_ical().decode()
    return text


def _name(person: Recipient | None, unknown: str) -> str:
    if person is None or not person.display_name.strip():
        return unknown
    return texts.one_line(person.display_name)


def _address(person: Recipient | None, fallback: str) -> vCalAddress:
    email = person.email if person is not None and person.email else fallback
    address = vCalAddress(f"mailto:{email}")
    if person is not None and person.display_name.strip():
        address.params["cn"] = vText(texts.one_line(person.display_name))
    return address
