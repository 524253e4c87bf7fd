"""What the delivery worker needs from the outside world: small protocols, so that unit tests
use fakes and the adapters (SMTP, HTTP) stay replaceable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from notify.domain.notifications import CalendarInvite


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    """Stable for a delivery: a resend after a crash carries the same Message-ID, which mail
    systems and clients use to drop duplicates."""
    language: str = "en"
    calendar: CalendarInvite | None = None
    """A calendar invitation sent with the message (``text/calendar`` with its method)."""


@dataclass(frozen=True)
class WebhookCall:
    url: str
    body: bytes
    secret: str
    delivery_id: str


class SendFailed(Exception):
    """A channel refused or could not take a message. ``transient``: worth trying again later
    (a server down, a timeout, a 4xx SMTP reply, HTTP 429 or 5xx)."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        self.reason = reason
        self.transient = transient
        super().__init__(reason)


class EmailSender(Protocol):
    async def send(self, email: Email) -> None:
        """Return once the server accepted the message; raise ``SendFailed`` otherwise."""


class WebhookSender(Protocol):
    async def post(self, call: WebhookCall) -> None:
        """Return once the receiver answered 2xx; raise ``SendFailed`` otherwise."""
