"""A person's preferences: read with defaults, replaced as a whole, always valid when stored."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from mentorship_runtime import errors as runtime_errors
from mentorship_runtime.auth import Principal
from notify.domain import errors
from notify.domain.preferences import Preferences, QuietHours

if TYPE_CHECKING:
    from notify.service_layer.handlers import Context

Document = dict[str, Any]


def preferences_of(user_id: str, document: Document | None) -> Preferences:
    """The stored preferences, validated again (a document edited by hand raises ``Invalid``)."""
    if not document:
        return Preferences.default(user_id)
    quiet = document.get("quiet_hours")
    return Preferences.parse(
        user_id,
        channels={c["kind"]: c["channels"] for c in document.get("channels") or []},
        quiet_hours=(quiet["start"], quiet["end"]) if quiet else None,
        digest=document.get("digest", "immediate"),
        digest_hour=document.get("digest_hour", 8),
        webhook_url=document.get("webhook_url"),
        timezone=document.get("timezone"),
        email=document.get("email"),
    )


def document_of(preferences: Preferences) -> Document:
    """Channels are a list of {kind, channels}: kinds contain dots, which keys may not."""
    quiet: QuietHours | None = preferences.quiet_hours
    return {
        "channels": [
            {"kind": kind.value, "channels": sorted(c.value for c in chosen)}
            for kind, chosen in sorted(preferences.channels.items())
        ],
        "quiet_hours": (
            {"start": quiet.start.strftime("%H:%M"), "end": quiet.end.strftime("%H:%M")}
            if quiet
            else None
        ),
        "timezone": preferences.timezone,
        "digest": preferences.digest.value,
        "digest_hour": preferences.digest_hour,
        "webhook_url": preferences.webhook_url,
        "email": preferences.email,
    }


def _answer(preferences: Preferences, secret: str | None) -> Document:
    document = document_of(preferences)
    document["channels"] = {c["kind"]: c["channels"] for c in document["channels"]}
    return {**document, "webhook_secret": secret}


async def get_preferences(ctx: Context, actor: Principal) -> Document:
    stored = (await ctx.store.preferences_of([actor.user_id])).get(actor.user_id)
    return _answer(preferences_of(actor.user_id, stored), (stored or {}).get("webhook_secret"))


async def update_preferences(ctx: Context, actor: Principal, raw: Document) -> Document:
    """Validate everything first (an error names its field and nothing is stored), then save."""
    quiet = raw.get("quiet_hours")
    try:
        preferences = Preferences.parse(
            actor.user_id,
            channels=raw.get("channels") or {},
            quiet_hours=(quiet["start"], quiet["end"]) if quiet else None,
            digest=raw.get("digest", "immediate"),
            digest_hour=raw.get("digest_hour", 8),
            webhook_url=raw.get("webhook_url"),
            timezone=raw.get("timezone"),
            email=raw.get("email"),
        )
    except errors.Invalid as exc:
        message = str(exc).removeprefix(f"{exc.field}: ")
        raise runtime_errors.Invalid(exc.field, message) from None
    stored = await ctx.store.save_preferences(
        actor.user_id, document_of(preferences), secrets.token_urlsafe(32)
    )
    return _answer(preferences, stored.get("webhook_secret"))
