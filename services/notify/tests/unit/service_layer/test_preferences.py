"""A person's preferences: read with defaults, replaced as a whole, refused when invalid."""

from __future__ import annotations

import pytest

from mentorship_runtime import errors
from mentorship_runtime.principal import Principal
from notify.domain.events import EventKind
from notify.domain.preferences import Channel, DigestMode
from notify.service_layer import preferences
from notify.service_layer.commands import QuietHoursChoice, UpdatePreferences
from services.notify.tests.unit.fakes import fakes

from .events import T0

ADA = Principal("u-ada", frozenset({"mentee"}))


def update(
    channels: dict[str, list[str]] | None = None,
    quiet_hours: QuietHoursChoice | None = None,
    digest: str = "immediate",
    digest_hour: int = 8,
) -> UpdatePreferences:
    return UpdatePreferences(
        actor=ADA,
        channels=channels or {},
        quiet_hours=quiet_hours,
        digest=digest,
        digest_hour=digest_hour,
    )


async def test_preferences_never_saved_read_as_the_defaults_without_a_secret() -> None:
    view = await preferences.get_preferences(fakes(T0).context(), ADA)

    assert view.preferences.digest is DigestMode.IMMEDIATE
    assert view.webhook_secret is None


async def test_saved_preferences_are_read_back_with_the_secret_made_on_the_first_save() -> None:
    world = fakes(T0)
    ctx = world.context()
    chosen = update(
        channels={EventKind.MODULE_COMPLETED.value: ["in_app"]},
        quiet_hours=QuietHoursChoice("22:00", "07:00"),
        digest="daily",
        digest_hour=18,
    )

    saved = await preferences.update_preferences(chosen, ctx)
    again = await preferences.update_preferences(update(), ctx)
    read = await preferences.get_preferences(ctx, ADA)

    assert saved.webhook_secret
    assert saved.webhook_secret == again.webhook_secret
    assert read.webhook_secret == saved.webhook_secret
    assert read.preferences.digest is DigestMode.IMMEDIATE  # replaced as a whole
    assert saved.preferences.channels_for(EventKind.MODULE_COMPLETED) == {Channel.IN_APP}


async def test_an_invalid_choice_names_its_field_and_stores_nothing() -> None:
    world = fakes(T0)

    with pytest.raises(errors.Invalid) as refused:
        await preferences.update_preferences(update(digest_hour=24), world.context())

    assert refused.value.field == "digest_hour"
    assert not world.store.preferences
