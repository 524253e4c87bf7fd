"""The channels' adapters: e-mail over SMTP (aiosmtplib), webhooks over HTTP (httpx)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Literal

import aiosmtplib
import httpx

from notify.domain.delivery import is_transient_http_status
from notify.domain.notifications import CalendarInvite
from notify.domain.webhooks import SIGNATURE_HEADER, sign
from notify.service_layer.ports import Email, SendFailed, WebhookCall

DELIVERY_HEADER = "X-Notify-Delivery"
SMTP_AUTH_CODES = frozenset({530, 534, 535, 538})
"""Authentication refused: a configuration fault of ours that a fix will cure, so transient."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: Literal["none", "starttls", "tls"]
    username: str | None
    password: str | None
    sender: str
    timeout: float


def build_message(email: Email, sender: str, now: datetime) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML the client prefers."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(now.timestamp(), usegmt=True)
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text)
    message.add_alternative(
        f'<!doctype html><html lang="{email.language}"><body>{email.html}</body></html>',
        subtype="html",
    )
    if email.calendar is not None:
        attach_calendar(message, email.calendar)
    message["Content-Language"] = email.language  # after the body: set_content drops Content-*
    return message


def attach_calendar(message: EmailMessage, invite: CalendarInvite) -> None:
    """The invitation as calendar clients expect it: a third alternative of the body,
    ``text/calendar; method=REQUEST`` (or CANCEL), which Outlook, Gmail and Apple Mail act on, and
    the same calendar attached as ``invite.ics`` (``application/ics``) for those that only open
    attachments. The message becomes multipart/mixed: the alternatives, then the attachment."""
    message.add_alternative(
        invite.ics, subtype="calendar", params={"method": invite.method}, cte="quoted-printable"
    )
    message.add_attachment(
        invite.ics.encode(),
        maintype="application",
        subtype="ics",
        filename="invite.ics",
        params={"method": invite.method},
    )


class SmtpSender:
    def __init__(self, settings: SmtpSettings, clock: Callable[[], datetime]) -> None:
        self._settings = settings
        self._clock = clock

    async def send(self, email: Email) -> None:
        s = self._settings
        message = build_message(email, s.sender, self._clock())
        try:
            await aiosmtplib.send(
                message,
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password,
                use_tls=s.tls == "tls",
                start_tls=s.tls == "starttls",
                timeout=s.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise SendFailed(
                f"recipient refused: {_reasons(exc)}", transient=all(c < 500 for c in codes)
            ) from None
        except aiosmtplib.SMTPResponseException as exc:
            transient = exc.code < 500 or exc.code in SMTP_AUTH_CODES
            raise SendFailed(f"SMTP {exc.code}: {exc.message}", transient=transient) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendFailed(f"SMTP unreachable: {exc!r}", transient=True) from None


def _reasons(exc: aiosmtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(f"{r.code} {r.message}" for r in exc.recipients)


class HttpWebhookSender:
    """POSTs signed JSON; redirects are not followed (a webhook that moved must be updated)."""

    def __init__(self, client: httpx.AsyncClient, clock: Callable[[], datetime]) -> None:
        self._client = client
        self._clock = clock

    async def post(self, call: WebhookCall) -> None:
        timestamp = int(self._clock().timestamp())
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(call.secret.encode(), timestamp, call.body),
            DELIVERY_HEADER: call.delivery_id,
            "User-Agent": "mentorship-notify/1",
        }
        try:
            answer = await self._client.post(call.url, content=call.body, headers=headers)
        except httpx.HTTPError as exc:
            raise SendFailed(f"webhook unreachable: {exc!r}", transient=True) from None
        if not answer.is_success:
            raise SendFailed(
                f"webhook answered HTTP {answer.status_code}",
                transient=is_transient_http_status(answer.status_code),
            )
