"""The weekly digest of a mentor's mentees: what changed for each of them in one ISO week, on the
mentor's clock, as one message.

- A week is an ISO week (Monday to Sunday) in the mentor's time zone: an event belongs to the
  week in which it happened on the mentor's clock, across daylight-saving changes and the
  turn of the ISO year.
- The digest of a week goes out at a fixed local moment after it ends (``Schedule``: a weekday
  and a time, Monday 08:00 by default), whatever the program. A local time that does not exist
  that day (skipped by a daylight-saving change) is read with the offset before the change, so
  it falls an hour later on the clock.
- A mentee's status at the end of the week follows from the week's changes, in the order they
  happened: a stall leaves them stalled, the completed path completed, and anything that shows
  activity (back on track, a check-in that dropped, a completed module) on track.
- The digest lists each mentee with news (by name, then id), their status at the end of the
  week and what happened, day by day, in the mentor's language; the HTML escapes every value.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType

from notify.domain import texts
from notify.domain.directory import Audience, Language, Recipient, zone
from notify.domain.errors import Invalid
from notify.domain.events import EventKind

K = EventKind
EN, FR = Language.EN, Language.FR


class Change(StrEnum):
    """What happened to a mentee, as the digest tells it."""

    STALLED = "stalled"
    STILL_STALLED = "still_stalled"
    BACK_ON_TRACK = "back_on_track"
    CONFIDENCE_DROPPED = "confidence_dropped"
    MODULE_COMPLETED = "module_completed"
    PATH_COMPLETED = "path_completed"


class Status(StrEnum):
    ON_TRACK = "on_track"
    STALLED = "stalled"
    COMPLETED = "completed"


CHANGES: Mapping[EventKind, Change] = {
    K.MENTEE_STALLED: Change.STALLED,
    K.MENTEE_STILL_STALLED: Change.STILL_STALLED,
    K.MENTEE_BACK_ON_TRACK: Change.BACK_ON_TRACK,
    K.CONFIDENCE_DROPPED: Change.CONFIDENCE_DROPPED,
    K.MODULE_COMPLETED: Change.MODULE_COMPLETED,
    K.PATH_COMPLETED: Change.PATH_COMPLETED,
}
"""The occurrences that are a status change of a mentee, and how each is told."""

STATUS_AFTER: Mapping[Change, Status] = {
    Change.STALLED: Status.STALLED,
    Change.STILL_STALLED: Status.STALLED,
    Change.BACK_ON_TRACK: Status.ON_TRACK,
    Change.CONFIDENCE_DROPPED: Status.ON_TRACK,
    Change.MODULE_COMPLETED: Status.ON_TRACK,
    Change.PATH_COMPLETED: Status.COMPLETED,
}


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week: ``year`` is the ISO year (the week of 31 December 2026 is 2026-W53)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.number, 1)
        except ValueError:
            raise Invalid("week", f"{self.year}-W{self.number} is not an ISO week") from None

    @classmethod
    def of(cls, instant: datetime, timezone: str) -> Week:
        """The week in which ``instant`` falls on the clock of ``timezone``."""
        if instant.utcoffset() is None:
            raise Invalid("instant", "must be timezone-aware")
        year, number, _ = instant.astimezone(zone(timezone)).isocalendar()
        return cls(year, number)

    @classmethod
    def parse(cls, key: str) -> Week:
        year, separator, number = key.partition("-W")
        if not separator or not year.isdigit() or not number.isdigit():
            raise Invalid("week", f"{key!r} is not a week like 2026-W49")
        return cls(int(year), int(number))

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def starts_at(self, timezone: str) -> datetime:
        """Monday 00:00 on the clock of ``timezone``, as a UTC instant."""
        return _instant(self.monday, time(0, 0), timezone)

    def ends_at(self, timezone: str) -> datetime:
        """The next Monday 00:00 on that clock: the first instant after the week."""
        return _instant(self.monday + timedelta(days=7), time(0, 0), timezone)


@dataclass(frozen=True)
class Schedule:
    """When a week's digest goes out: on ``weekday`` (1 Monday to 7 Sunday) after the week, at
    ``at`` on the mentor's clock."""

    weekday: int = 1
    at: time = time(8, 0)

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or not 1 <= self.weekday <= 7:
            raise Invalid("weekday", "must be between 1 (Monday) and 7 (Sunday)")
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise Invalid("at", "is a local wall-clock hour and minute")

    @classmethod
    def parse(cls, weekday: int, at: str) -> Schedule:
        hours, separator, minutes = at.partition(":")
        if not separator or not (hours.isdigit() and minutes.isdigit()):
            raise Invalid("at", f"{at!r} is not a time like 08:00")
        try:
            return cls(weekday, time(int(hours), int(minutes)))
        except ValueError:
            raise Invalid("at", f"{at!r} is not a time like 08:00") from None

    def due_at(self, week: Week, timezone: str) -> datetime:
        """When the digest of ``week`` goes out, as a UTC instant."""
        day = week.monday + timedelta(days=7 + self.weekday - 1)
        return _instant(day, self.at, timezone)


def _instant(day: date, at: time, timezone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=zone(timezone)).astimezone(UTC)


def digest_id(mentor_id: str, week: Week) -> str:
    """The id of a mentor's digest of a week: the same however often, or by however many
    workers, it is composed, so it is stored and sent once."""
    key = json.dumps(["weekly-digest", mentor_id, week.key]).encode()
    return "n-" + hashlib.sha256(key).hexdigest()[:32]


NEEDS: Mapping[Change, tuple[str, ...]] = {
    Change.CONFIDENCE_DROPPED: ("module_id", "previous_confidence", "confidence"),
    Change.MODULE_COMPLETED: ("module_id",),
}
"""What a change must carry to be told."""


@dataclass(frozen=True)
class Entry:
    """One change of one mentee, as recorded from its event."""

    event_id: str
    mentee_id: str
    change: Change
    occurred_at: datetime
    module_id: str | None = None
    previous_confidence: int | None = None
    confidence: int | None = None
    module_titles: Mapping[str, str] = field(default_factory=dict)
    """The module's title by language, as its event gave them (none: named by id)."""
    path_language: str | None = None
    """The path's own language: the titles' wording for a reader whose language they lack."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "change", Change(self.change))
        object.__setattr__(self, "module_titles", MappingProxyType(dict(self.module_titles)))
        if self.occurred_at.utcoffset() is None:
            raise Invalid("occurred_at", "must be timezone-aware")
        needed = NEEDS.get(self.change, ())
        if missing := [name for name in needed if getattr(self, name) in (None, "")]:
            raise Invalid(missing[0], f"is required for {self.change}")


def status_at_end(entries: Sequence[Entry]) -> Status:
    """The status the week's changes leave a mentee in (the last one decides)."""
    if not entries:
        raise Invalid("entries", "a mentee's week needs at least one change")
    last = max(entries, key=lambda e: (e.occurred_at, e.event_id))
    return STATUS_AFTER[last.change]


@dataclass(frozen=True)
class Match:
    """A match of the mentor's as notify heard of it: when it was accepted and ended, each
    None until its event arrives."""

    mentee_id: str
    accepted_at: datetime | None = None
    ended_at: datetime | None = None


def theirs_at(mentee_id: str, matches: Sequence[Match], instant: datetime) -> bool:
    """Whether the mentee is still the mentor's at ``instant``: unless the last of their
    matches' acceptances and ends up to then is an end. A change names the mentor the mentee
    had when it happened, so a mentee whose matches notify has not heard of counts as theirs."""
    moments = [
        (at, ended)
        for match in matches
        if match.mentee_id == mentee_id
        for at, ended in ((match.accepted_at, False), (match.ended_at, True))
        if at is not None and at <= instant
    ]
    return not moments or not max(moments)[1]


@dataclass(frozen=True)
class MenteeWeek:
    mentee_id: str
    name: str | None
    status: Status
    entries: tuple[Entry, ...]
    """Oldest first; each event once."""


def mentee_weeks(entries: Sequence[Entry], names: Mapping[str, str]) -> list[MenteeWeek]:
    """Each mentee's week, mentees by name (then id), each event counted once."""
    unique = {e.event_id: e for e in entries}.values()
    by_mentee: dict[str, list[Entry]] = {}
    for entry in sorted(unique, key=lambda e: (e.occurred_at, e.event_id)):
        by_mentee.setdefault(entry.mentee_id, []).append(entry)
    weeks = [
        MenteeWeek(mentee, names.get(mentee), status_at_end(changes), tuple(changes))
        for mentee, changes in by_mentee.items()
    ]
    return sorted(weeks, key=lambda w: ((w.name or "").casefold(), w.mentee_id))


# ---- texts -------------------------------------------------------------------------------------

TITLE: Mapping[Language, tuple[str, str]] = {
    EN: (
        "Your week with your mentees: news of 1 mentee",
        "Your week with your mentees: news of {count} mentees",
    ),
    FR: (
        "Votre semaine de mentorat : du nouveau pour 1 personne",
        "Votre semaine de mentorat : du nouveau pour {count} personnes",
    ),
}
GREETING: Mapping[Language, str] = {
    EN: "Hello {name}, here is how your mentees did in the week from {first} to {last}.",
    FR: "Bonjour {name}, voici où en sont les personnes que vous accompagnez pour la semaine "
    "du {first} au {last}.",
}
PROGRAM_LINE: Mapping[Language, str] = {
    EN: "Program: {program}",
    FR: "Programme : {program}",
}
STATUS_LINE: Mapping[Language, str] = {
    EN: "Status at the end of the week: {status}",
    FR: "Situation en fin de semaine : {status}",
}
STATUSES: Mapping[Status, Mapping[Language, str]] = {
    Status.ON_TRACK: {EN: "on track", FR: "en bonne voie"},
    Status.STALLED: {EN: "stalled", FR: "à l'arrêt"},
    Status.COMPLETED: {EN: "learning path completed", FR: "parcours terminé"},
}
HAPPENED: Mapping[Change, Mapping[Language, str]] = {
    Change.STALLED: {EN: "stalled: no activity lately", FR: "à l'arrêt : aucune activité récente"},
    Change.STILL_STALLED: {
        EN: "still stalled; the program's admins were told",
        FR: "toujours à l'arrêt ; l'équipe du programme a été prévenue",
    },
    Change.BACK_ON_TRACK: {EN: "back on track", FR: "a repris son parcours"},
    Change.CONFIDENCE_DROPPED: {
        EN: "confidence dropped in module {module} ({previous} to {confidence} out of 5)",
        FR: "confiance en baisse sur le module {module} ({previous} à {confidence} sur 5)",
    },
    Change.MODULE_COMPLETED: {EN: "completed module {module}", FR: "module {module} terminé"},
    Change.PATH_COMPLETED: {EN: "completed the learning path", FR: "parcours terminé"},
}
COLON: Mapping[Language, str] = {EN: ": ", FR: " : "}
CLOSING: Mapping[Language, str] = {
    EN: "Your dashboard shows each mentee in detail.",
    FR: "Votre tableau de bord présente chaque personne en détail.",
}


@dataclass(frozen=True)
class Composed:
    title: str
    body: str
    html: str


def compose(
    mentor: Recipient,
    week: Week,
    mentees: Sequence[MenteeWeek],
    program_name: str | None,
    timezone: str,
) -> Composed:
    """The digest in the mentor's language; days on the clock of ``timezone`` (the mentor's)."""
    if not mentees:
        raise Invalid("mentees", "a digest needs at least one mentee with news")
    language = mentor.language
    title = texts.plural(TITLE, language, len(mentees))
    lines: list[str] = []
    markup: list[str] = []

    def paragraph(template: str, values: Mapping[str, str]) -> None:
        lines.append(texts.fill(template, values) or "")
        markup.append(f"<p>{_html(template, values)}</p>")

    paragraph(
        GREETING[language],
        {
            "name": texts.one_line(mentor.display_name),
            "first": texts.format_date(week.monday, language),
            "last": texts.format_date(week.sunday, language),
        },
    )
    if program_name and program_name.strip():
        paragraph(PROGRAM_LINE[language], {"program": texts.one_line(program_name)})
    unknown = texts.UNKNOWN_NAMES[language][Audience.MENTEE]
    for mentee in mentees:
        name = texts.one_line(mentee.name) if mentee.name and mentee.name.strip() else unknown
        name = name[:1].upper() + name[1:]
        status = STATUSES[mentee.status][language]
        lines += ["", name, texts.fill(STATUS_LINE[language], {"status": status}) or ""]
        markup.append(f"<h2>{html.escape(name)}</h2>")
        markup.append(f"<p>{_html(STATUS_LINE[language], {'status': status})}</p>")
        markup.append("<ul>")
        for entry in mentee.entries:
            day = entry.occurred_at.astimezone(zone(timezone)).date()
            when = texts.format_date(day, language)
            template = HAPPENED[entry.change][language]
            values = _values(entry, language)
            colon = COLON[language]
            lines.append(f"- {when}{colon}{texts.fill(template, values)}")
            markup.append(f"<li>{html.escape(when)}{colon}{_html(template, values)}</li>")
        markup.append("</ul>")
    lines += ["", CLOSING[language]]
    markup.append(f"<p>{html.escape(CLOSING[language])}</p>")
    return Composed(texts.one_line(title, texts.TITLE_MAX), "\n".join(lines), "\n".join(markup))


def _values(entry: Entry, language: str) -> dict[str, str]:
    titles = entry.module_titles
    module = titles.get(language) or titles.get(entry.path_language or "") or entry.module_id
    found = {
        "module": texts.one_line(module) if module else None,
        "previous": None if entry.previous_confidence is None else str(entry.previous_confidence),
        "confidence": None if entry.confidence is None else str(entry.confidence),
    }
    return {key: value for key, value in found.items() if value}


def _html(template: str, values: Mapping[str, str]) -> str:
    filled = texts.fill(
        template,
        values,
        lambda text: html.escape(text, quote=False),
        lambda value: html.escape(value, quote=True),
    )
    return filled or ""
