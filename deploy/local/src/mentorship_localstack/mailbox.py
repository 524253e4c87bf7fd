"""``make dev``'s mail catcher: notify's e-mails are kept as files instead of being sent.

An SMTP server on loopback (aiosmtpd, in the supervisor's own event loop) accepts every message
and writes it to ``.stack/mail/`` as one ``.eml`` file (readable as text, or opened by any mail
client), with a line per message in ``.stack/logs/mail.log``. It plays the part Mailpit plays
under compose. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import time
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

MAIL_PORT = 8125


class Mailbox:
    """The aiosmtpd handler: each message accepted becomes a file."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.folder = folder
        self.log = log
        self.caught = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        recipients = ", ".join(str(r) for r in envelope.rcpt_tos)
        self.caught += 1  # counted in the event loop: sessions run at once
        await asyncio.to_thread(self.keep, content, recipients, self.caught)
        return "250 Message accepted for delivery"

    def keep(self, content: bytes, recipients: str, number: int) -> None:
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{number:06d}.eml"
        (self.folder / name).write_bytes(content)
        subject = email.message_from_bytes(content, policy=email.policy.default)["Subject"]
        with self.log.open("a", encoding="utf-8") as lines:
            moment = time.strftime("%Y-%m-%dT%H:%M:%S")
            lines.write(f"{moment} to {recipients}: {subject} ({name})\n")


async def serve(folder: Path, log: Path, port: int) -> asyncio.Server:
    """Listen on 127.0.0.1:``port``; the caller closes the server."""
    for needed in (folder, log.parent):
        await asyncio.to_thread(needed.mkdir, parents=True, exist_ok=True)
    handler = Mailbox(folder, log)

    def protocol() -> Any:
        return SMTP(handler, hostname="mail.dev.local")

    return await asyncio.get_running_loop().create_server(protocol, "127.0.0.1", port)
