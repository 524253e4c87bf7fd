"""How each person wants to be told: channels per kind, quiet hours, immediate or daily digest."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlsplit

from notify.domain.directory import Recipient, zone
from notify.domain.errors import Invalid
from notify.domain.events import EventKind


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


class DigestMode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"


DEFAULT_CHANNELS = frozenset({Channel.IN_APP, Channel.EMAIL})
DEFAULT_DIGEST_HOUR = 8
WEBHOOK_URL_MAX = 2000
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})

EMAIL_MAX = 254
TIMEZONE_MAX = 64

_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` to ``end`` on the person's clock; a ``start`` after ``end`` spans midnight."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value.tzinfo is not None or value.second or value.microsecond:
                raise Invalid("quiet_hours", "times are local wall-clock hours and minutes")
        if self.start == self.end:
            raise Invalid("quiet_hours", "start and end must differ")

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        return cls(_clock(start), _clock(end))

    @property
    def spans_midnight(self) -> bool:
        return self.start > self.end


def _clock(text: str) -> time:
    matched = _CLOCK.fullmatch(text)
    if matched is None:
        raise Invalid("quiet_hours", f"{text!r} is not a time like 22:00 (24-hour HH:MM)")
    return time(int(matched[1]), int(matched[2]))


def validate_email(address: str) -> str:
    """A plain ``local@domain.tld`` address (ASCII, no display name, no comments): what goes into
    an SMTP envelope and a ``To:`` header as is, so nothing that could inject a header."""
    if len(address) > EMAIL_MAX:
        raise Invalid("email", f"must be at most {EMAIL_MAX} characters")
    if _EMAIL.fullmatch(address) is None or len(address.partition("@")[0]) > 64:
        raise Invalid("email", "is not an e-mail address like name@example.org")
    return address


def validate_timezone(name: str) -> str:
    if len(name) > TIMEZONE_MAX or not name.isascii() or not name.isprintable():
        raise Invalid("timezone", "is not an IANA time zone name like Europe/Paris")
    zone(name)
    return name


def validate_webhook_url(url: str) -> str:
    """Accept https only (http for localhost, where tests run a receiver), no credentials."""
    if len(url) > WEBHOOK_URL_MAX:
        raise Invalid("webhook_url", f"must be at most {WEBHOOK_URL_MAX} characters")
    if not url.isascii() or any(char.isspace() or not char.isprintable() for char in url):
        raise Invalid("webhook_url", "must not contain spaces, control or non-ASCII characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise Invalid("webhook_url", "is not a valid URL") from None
    if port == 0:
        raise Invalid("webhook_url", "port 0 is not a valid port")
    if parts.scheme not in ("https", "http") or not host:
        raise Invalid("webhook_url", "must be an https:// URL with a host")
    if "@" in parts.netloc:
        raise Invalid("webhook_url", "must not carry credentials; sign the requests instead")
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise Invalid("webhook_url", "must use https (http is allowed for localhost only)")
    _refuse_special_addresses(host)
    return url


def _refuse_special_addresses(host: str) -> None:
    """Literal link-local, multicast or unspecified addresses (a cloud metadata endpoint...) are
    never a chat webhook. Names are resolved by the sender, which must check them again."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        raise Invalid("webhook_url", "must not point to a link-local or special address")


CAN_BE_OFF = frozenset({EventKind.MENTOR_WEEKLY_DIGEST})
"""Kinds a person may turn off (no channel at all): a summary of news each told on its own. Every
other kind always reaches the inbox, the record of every notification."""


def _with_inbox(kind: EventKind, chosen: frozenset[Channel]) -> frozenset[Channel]:
    if kind in CAN_BE_OFF and not chosen:
        return chosen
    return chosen | {Channel.IN_APP}


@dataclass(frozen=True)
class Preferences:
    """Valid by construction. ``channels`` overrides the default (in-app and e-mail) per kind;
    in-app is always added (it is the person's inbox, the record of every notification), except
    to no channel at all for a kind that ``CAN_BE_OFF``: that kind is off."""

    person_id: str
    channels: Mapping[EventKind, frozenset[Channel]] = field(default_factory=dict)
    quiet_hours: QuietHours | None = None
    digest: DigestMode = DigestMode.IMMEDIATE
    digest_hour: int = DEFAULT_DIGEST_HOUR
    webhook_url: str | None = None
    timezone: str | None = None
    email: str | None = None

    def __post_init__(self) -> None:
        if not self.person_id:
            raise Invalid("person_id", "must not be empty")
        try:
            normalized = {
                EventKind(kind): _with_inbox(EventKind(kind), frozenset(Channel(c) for c in chosen))
                for kind, chosen in self.channels.items()
            }
        except ValueError as error:
            raise Invalid("channels", str(error)) from None
        object.__setattr__(self, "channels", MappingProxyType(normalized))
        if isinstance(self.digest_hour, bool) or not isinstance(self.digest_hour, int):
            raise Invalid("digest_hour", "must be a whole hour")
        if not 0 <= self.digest_hour <= 23:
            raise Invalid("digest_hour", "must be between 0 and 23")
        if self.timezone is not None:
            validate_timezone(self.timezone)
        if self.email is not None:
            validate_email(self.email)
        if self.webhook_url is not None:
            validate_webhook_url(self.webhook_url)
        elif any(Channel.WEBHOOK in chosen for chosen in normalized.values()):
            raise Invalid("webhook_url", "is needed to deliver by webhook")

    @classmethod
    def default(cls, person_id: str) -> Preferences:
        return cls(person_id)

    @classmethod
    def parse(
        cls,
        person_id: str,
        *,
        channels: Mapping[str, Iterable[str]] | None = None,
        quiet_hours: tuple[str, str] | None = None,
        digest: str = DigestMode.IMMEDIATE,
        digest_hour: int = DEFAULT_DIGEST_HOUR,
        webhook_url: str | None = None,
        timezone: str | None = None,
        email: str | None = None,
    ) -> Preferences:
        """From the raw values of a request; every error names the field at fault."""
        parsed: dict[EventKind, frozenset[Channel]] = {}
        for kind, chosen in (channels or {}).items():
            try:
                event_kind = EventKind(kind)
            except ValueError:
                raise Invalid("channels", f"unknown notification kind {kind!r}") from None
            try:
                parsed[event_kind] = frozenset(Channel(channel) for channel in chosen)
            except ValueError:
                raise Invalid(
                    f"channels.{kind}", f"channels are among {[c.value for c in Channel]}"
                ) from None
        try:
            mode = DigestMode(digest)
        except ValueError:
            raise Invalid("digest", "must be 'immediate' or 'daily'") from None
        return cls(
            person_id,
            channels=parsed,
            quiet_hours=QuietHours.parse(*quiet_hours) if quiet_hours else None,
            digest=mode,
            digest_hour=digest_hour,
            webhook_url=webhook_url or None,
            timezone=timezone or None,
            email=email or None,
        )

    def wants(self, kind: EventKind) -> bool:
        """Whether the person gets this kind at all (only a kind that ``CAN_BE_OFF`` may not)."""
        return bool(self.channels_for(kind))

    def channels_for(self, kind: EventKind) -> frozenset[Channel]:
        """The kind's chosen channels; by default in-app and e-mail, plus the webhook once a URL
        is set (setting one is asking for it)."""
        default = DEFAULT_CHANNELS | {Channel.WEBHOOK} if self.webhook_url else DEFAULT_CHANNELS
        return self.channels.get(kind, default)


def channels_to_use(
    preferences: Preferences, recipient: Recipient, kind: EventKind
) -> frozenset[Channel]:
    """The chosen channels the recipient can actually be reached on (no e-mail without address)."""
    chosen = preferences.channels_for(kind)
    if (preferences.email or recipient.email) is None:
        chosen -= {Channel.EMAIL}
    if preferences.webhook_url is None:
        chosen -= {Channel.WEBHOOK}
    return chosen
