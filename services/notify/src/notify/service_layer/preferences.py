"""A person's preferences: read with defaults, replaced as a whole, always valid when stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from mentorship_runtime import errors as runtime_errors
from mentorship_runtime.logging import get_logger
from mentorship_runtime.principal import Principal
from notify.domain import errors
from notify.domain.preferences import Preferences
from notify.service_layer.commands import UpdatePreferences
from notify.service_layer.context import Context
from notify.service_layer.ports import StoredPreferences

log = get_logger("notify.preferences")


@dataclass(frozen=True)
class PreferencesView:
    """A person's preferences as they read them, with their webhook signing secret."""

    preferences: Preferences
    webhook_secret: str | None


def preferences_of(user_id: str, stored: StoredPreferences | None) -> Preferences:
    """The stored preferences, validated again (an edit by hand raises ``Invalid``)."""
    if stored is None:
        return Preferences.default(user_id)
    return Preferences.parse(
        user_id,
        channels=stored.channels,
        quiet_hours=stored.quiet_hours,
        digest=stored.digest,
        digest_hour=stored.digest_hour,
        webhook_url=stored.webhook_url,
        timezone=stored.timezone,
        email=stored.email,
    )


def preferences_for(user_id: str | None, stored: StoredPreferences | None) -> Preferences:
    """The person's stored preferences, or the defaults if those no longer validate."""
    try:
        return preferences_of(user_id or "-", stored)
    except errors.Invalid as exc:  # stored preferences are validated; an edit by hand is not
        log.warning("preferences_unreadable", user_id=user_id, error=str(exc))
        return Preferences.default(user_id or "-")


async def get_preferences(ctx: Context, actor: Principal) -> PreferencesView:
    stored = (await ctx.store.preferences_of([actor.user_id])).get(actor.user_id)
    return PreferencesView(
        preferences_of(actor.user_id, stored), stored.webhook_secret if stored else None
    )


async def update_preferences(command: UpdatePreferences, ctx: Context) -> PreferencesView:
    """Validate everything first (an error names its field and nothing is stored), then save."""
    quiet = command.quiet_hours
    try:
        preferences = Preferences.parse(
            command.actor.user_id,
            channels=command.channels,
            quiet_hours=(quiet.start, quiet.end) if quiet else None,
            digest=command.digest,
            digest_hour=command.digest_hour,
            webhook_url=command.webhook_url,
            timezone=command.timezone,
            email=command.email,
        )
    except errors.Invalid as exc:
        message = str(exc).removeprefix(f"{exc.field}: ")
        raise runtime_errors.Invalid(exc.field, message) from None
    stored = await ctx.store.save_preferences(
        command.actor.user_id, preferences, secrets.token_urlsafe(32)
    )
    return PreferencesView(preferences, stored.webhook_secret)
