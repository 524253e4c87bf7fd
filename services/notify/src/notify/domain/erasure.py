"""What an erasure leaves of the notifications other people keep about the erased person: their
name gives way to a neutral wording in the notification's language, in the title, the bodies
and the calendar invitation (where their e-mail address goes too), the rest of the text stays.

The wording is a noun phrase; at the start of a sentence it takes a capital letter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from icalendar import Calendar

from notify.domain.directory import Language
from notify.domain.notifications import CalendarInvite

FORMER_PARTICIPANT: Mapping[Language, str] = {
    Language.EN: "a former participant",
    Language.FR: "un ancien participant",
}
NO_ADDRESS = "former-participant@invalid"
"""What an erased person's e-mail address becomes in a calendar invitation kept by others."""
SENTENCE_START = re.compile(r"(^|[.!?:]\s+|\n\s*|>\s*)$")


def without_names(
    text: str, names: Sequence[str], language: Language, *, markup: bool = False
) -> str:
    """``text`` with each of ``names`` (HTML-escaped too with ``markup``) replaced."""
    wording = FORMER_PARTICIPANT[language]
    for name in sorted({n for n in names if n.strip()}, key=len, reverse=True):
        forms = {name, html.escape(name)} if markup else {name}
        for form in forms:
            text = _replace(text, form, wording)
    return text


def invitation_without(
    ics: str, names: Sequence[str], emails: Sequence[str], language: Language
) -> str:
    """A calendar invitation without the names (as text, escaped as RFC 5545 escapes them) and
    the e-mail addresses, unfolded to be searched and folded again when written."""
    unfolded = re.sub(r"\r?\n[ \t]", "", ics)
    escaped = [n.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,") for n in names]
    text = without_names(unfolded, [*names, *escaped], language)
    for email in emails:
        if email:
            text = re.sub(re.escape(email), NO_ADDRESS, text, flags=re.IGNORECASE)
    try:
        return str(Calendar.from_ical(text).to_ical().decode())
    except ValueError:
        return text


def document_without(
    document: Mapping[str, Any], names: Sequence[str], emails: Sequence[str], language: Language
) -> dict[str, Any]:
    """A stored notification (or a delivery's copy of one) with its texts rewritten: ``title``,
    ``body``, ``html_body`` and the calendar's ``ics``; other fields as they are."""
    changed = dict(document)
    for field in ("title", "body"):
        if isinstance(changed.get(field), str):
            changed[field] = without_names(changed[field], names, language)
    if isinstance(changed.get("html_body"), str):
        changed["html_body"] = without_names(changed["html_body"], names, language, markup=True)
    calendar = changed.get("calendar")
    if isinstance(calendar, Mapping) and isinstance(calendar.get("ics"), str):
        changed["calendar"] = {
            **calendar,
            "ics": invitation_without(calendar["ics"], names, emails, language),
        }
    return changed


@dataclass(frozen=True)
class Texts:
    """What of a notification may name people: its texts and its calendar invitation (None for
    what it lacks)."""

    title: str | None = None
    body: str | None = None
    html_body: str | None = None
    calendar: CalendarInvite | None = None


def texts_without(
    texts: Texts, names: Sequence[str], emails: Sequence[str], language: Language
) -> Texts:
    """``texts`` rewritten as ``document_without`` rewrites a stored notification's."""
    calendar = texts.calendar
    return Texts(
        title=None if texts.title is None else without_names(texts.title, names, language),
        body=None if texts.body is None else without_names(texts.body, names, language),
        html_body=(
            None
            if texts.html_body is None
            else without_names(texts.html_body, names, language, markup=True)
        ),
        calendar=(
            None
            if calendar is None
            else CalendarInvite(
                calendar.method, invitation_without(calendar.ics, names, emails, language)
            )
        ),
    )


def _replace(text: str, name: str, wording: str) -> str:
    """Each occurrence of ``name`` as a whole (not inside a longer word) replaced."""
    parts = re.split(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    out = parts[0]
    for part in parts[1:]:
        starts = SENTENCE_START.search(out) is not None
        out += (wording[:1].upper() + wording[1:] if starts else wording) + part
    return out
