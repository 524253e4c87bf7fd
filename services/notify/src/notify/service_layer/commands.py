"""The requests that change notify's state, as the entry points hand them to the use cases."""

from __future__ import annotations

from dataclasses import dataclass

from mentorship_runtime.principal import Principal


@dataclass(frozen=True)
class MarkRead:
    """Mark the actor's notifications read (ids of others' or unknown ones are passed over)."""

    actor: Principal
    notification_ids: tuple[str, ...]


@dataclass(frozen=True)
class QuietHoursChoice:
    start: str
    end: str


@dataclass(frozen=True)
class UpdatePreferences:
    """Replace the actor's preferences as a whole, from the raw values of their request."""

    actor: Principal
    channels: dict[str, list[str]]
    quiet_hours: QuietHoursChoice | None = None
    timezone: str | None = None
    digest: str = "immediate"
    digest_hour: int = 8
    webhook_url: str | None = None
    email: str | None = None
