"""Chat webhooks: the message a Slack or Teams incoming webhook accepts, and request signing.

A signed request carries ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``. The
timestamp is part of what is signed, so a captured request cannot be replayed once it is older
than the tolerance; within it, receivers drop repeats by ``notification.id``. Several ``v1``
values may be sent while a secret is being rotated: one match is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta

from notify.domain.errors import Invalid, InvalidSignature
from notify.domain.notifications import Notification

SIGNATURE_HEADER = "X-Notify-Signature"
DEFAULT_TOLERANCE = timedelta(seconds=300)
HEADER_MAX = 1000
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000

_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    if not secret:
        raise Invalid("secret", "must not be empty")
    if timestamp < 0:
        raise Invalid("timestamp", "must be a Unix time in seconds")
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify(
    secret: bytes,
    header: str,
    body: bytes,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Return quietly for an authentic, fresh request; raise ``InvalidSignature`` otherwise."""
    if now.utcoffset() is None:
        raise Invalid("now", "must be timezone-aware")
    if not secret:
        raise Invalid("secret", "must not be empty")
    timestamp, signatures = _parse(header)
    expected = _mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidSignature("the signature does not match the body")
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        raise InvalidSignature("the timestamp is outside the tolerance (stale or replayed)")


def _mac(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _parse(header: str) -> tuple[int, list[str]]:
    if len(header) > HEADER_MAX:
        raise InvalidSignature("malformed header")
    timestamp: int | None = None
    signatures: list[str] = []
    for entry in header.split(","):
        name, equals, value = entry.strip().partition("=")
        if not equals:
            raise InvalidSignature("malformed header")
        if name == "t":
            if timestamp is not None or not _UNIX_SECONDS.fullmatch(value):
                raise InvalidSignature("malformed header")
            timestamp = int(value)
        elif name == "v1":
            if not _HEX_SHA256.fullmatch(value):
                raise InvalidSignature("malformed header")
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature("malformed header: t and v1 are required")
    return timestamp, signatures


def webhook_payload(notification: Notification) -> dict[str, object]:
    """``text`` is what every incoming webhook (Slack, Teams) shows; Slack also renders
    ``blocks`` (plain text: a name is never read as a mention or a link); ``notification`` carries
    the fields for receivers that are programs rather than chat rooms."""
    return {
        "text": _slack_escape(f"{notification.title}\n\n{notification.body}"),
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": _clip(notification.title, SLACK_HEADER_MAX)},
            },
            {
                "type": "section",
                "text": {"type": "plain_text", "text": _clip(notification.body, SLACK_SECTION_MAX)},
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "plain_text",
                        "text": f"{notification.priority} priority · {notification.kind}",
                    }
                ],
            },
        ],
        "notification": {
            "id": notification.notification_id,
            "kind": str(notification.kind),
            "priority": str(notification.priority),
            "recipient_id": notification.recipient_id,
            "subject_id": notification.subject_id,
            "event_id": notification.event_id,
            "created_at": notification.created_at.isoformat(),
            "title": notification.title,
            "body": notification.body,
        },
    }


def _slack_escape(text: str) -> str:
    """Slack reads <...> as links and mentions (<!channel> pings everyone): escape them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
