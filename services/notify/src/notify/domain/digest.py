"""The daily digest: a person's pending notifications in one message, grouped by kind.

Groups come most urgent first, then in the order of the rule table; each group lists its
notifications oldest first, with their full text (a proposal's deadline must not be lost).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from notify.domain import texts
from notify.domain.directory import Recipient
from notify.domain.errors import Invalid
from notify.domain.events import EventKind
from notify.domain.notifications import Notification, Priority

_URGENCY = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}
_TABLE_ORDER = {kind: rank for rank, kind in enumerate(EventKind)}


def build_digest(
    recipient: Recipient, notifications: Sequence[Notification]
) -> tuple[str, str, str]:
    """(title, plain text, HTML) in the recipient's language."""
    if not notifications:
        raise Invalid("notifications", "a digest needs at least one notification")
    if any(n.recipient_id != recipient.person_id for n in notifications):
        raise Invalid("notifications", f"must all be for {recipient.person_id!r}")
    unique = list({n.notification_id: n for n in notifications}.values())
    groups: dict[EventKind, list[Notification]] = {}
    for notification in sorted(unique, key=lambda n: n.created_at):
        groups.setdefault(notification.kind, []).append(notification)
    ordered = sorted(
        groups.items(),
        key=lambda group: (min(_URGENCY[n.priority] for n in group[1]), _TABLE_ORDER[group[0]]),
    )

    language = recipient.language
    title = texts.plural(texts.DIGEST_TITLE, language, len(unique))
    name = texts.one_line(recipient.display_name)
    greeting = texts.DIGEST_GREETING[language]
    lines = [texts.fill(greeting, {"name": name}) or ""]
    markup = [f"<p>{_html(greeting, name)}</p>"]
    for kind, members in ordered:
        heading = f"{texts.DIGEST_GROUPS[kind][language]} ({len(members)})"
        lines.append("")
        lines.append(heading)
        markup.append(f"<h2>{html.escape(heading)}</h2>")
        markup.append("<ul>")
        for notification in members:
            body = " ".join(notification.body.split("\n\n"))
            lines.append(f"- {notification.title}")
            lines.append(f"  {body}")
            markup.append(
                f"<li><strong>{html.escape(notification.title)}</strong><br>"
                f"{html.escape(body)}</li>"
            )
        markup.append("</ul>")
    return title, "\n".join(lines), "\n".join(markup)


def _html(template: str, name: str) -> str:
    filled = texts.fill(
        template,
        {"name": name},
        lambda text: html.escape(text, quote=False),
        lambda value: html.escape(value, quote=True),
    )
    return filled or ""
