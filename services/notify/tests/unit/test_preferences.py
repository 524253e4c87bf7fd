from datetime import time

import pytest

from notify.domain.errors import Invalid
from notify.domain.events import EventKind
from notify.domain.preferences import (
    DEFAULT_CHANNELS,
    Channel,
    DigestMode,
    Preferences,
    QuietHours,
    channels_to_use,
    validate_webhook_url,
)

from .builders import GRACE, person

K = EventKind


def test_by_default_everything_comes_in_app_and_by_email_at_once() -> None:
    defaults = Preferences.default("pt-grace")

    everything = {Channel.IN_APP, Channel.EMAIL}
    assert all(defaults.channels_for(kind) == everything for kind in EventKind)
    assert defaults.quiet_hours is None
    assert defaults.digest is DigestMode.IMMEDIATE
    assert defaults.webhook_url is None


def test_in_app_cannot_be_turned_off() -> None:
    chosen = Preferences.parse(
        "pt-grace", channels={"progress.module_completed": [], "match.proposed": ["email"]}
    )

    assert chosen.channels_for(K.MODULE_COMPLETED) == {Channel.IN_APP}
    assert chosen.channels_for(K.MATCH_PROPOSED) == {Channel.IN_APP, Channel.EMAIL}
    assert chosen.channels_for(K.MENTEE_STALLED) == DEFAULT_CHANNELS


def test_a_webhook_channel_needs_a_webhook_url() -> None:
    with pytest.raises(Invalid) as raised:
        Preferences.parse("pt-grace", channels={"progress.mentee_stalled": ["webhook"]})

    assert raised.value.field == "webhook_url"


def test_e_mail_is_left_out_for_someone_without_an_address() -> None:
    no_address = person("pt-ada", "Ada", email=None)
    defaults = Preferences.default("pt-ada")

    assert channels_to_use(defaults, no_address, K.MATCH_ACCEPTED) == {Channel.IN_APP}
    assert channels_to_use(defaults, GRACE, K.MATCH_ACCEPTED) == DEFAULT_CHANNELS


def test_all_the_settings_parse_from_a_request() -> None:
    chosen = Preferences.parse(
        "pt-grace",
        channels={"progress.mentee_stalled": ["email", "webhook"]},
        quiet_hours=("22:00", "07:00"),
        digest="daily",
        digest_hour=18,
        webhook_url="https://hooks.slack.com/services/T000/B000/XXXX",
    )

    assert chosen.channels_for(K.MENTEE_STALLED) == set(Channel)
    assert chosen.quiet_hours == QuietHours(time(22, 0), time(7, 0))
    assert chosen.quiet_hours.spans_midnight
    assert chosen.digest is DigestMode.DAILY
    assert chosen.digest_hour == 18


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T000/B000/XXXX",
        "https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/1/2",
        "http://localhost:8080/hook",
        "http://127.0.0.1:9999/receiver",
        "https://hooks.example.com/" + "a" * (2000 - len("https://hooks.example.com/")),
    ],
)
def test_good_webhook_urls_are_accepted(url: str) -> None:
    assert validate_webhook_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", "https"),
        ("http://localhost.evil.example/x", "https"),
        ("http://127.0.0.1.nip.io/x", "https"),
        ("https://user:secret@hooks.example.com/x", "credentials"),
        ("https://token@hooks.example.com/x", "credentials"),
        ("https://hooks.slack.com@evil.example/x", "credentials"),
        ("http://user:pw@localhost/x", "credentials"),
        ("ftp://hooks.example.com/x", "https"),
        ("https:///no-host", "https"),
        ("hooks.example.com/x", "https"),
        ("https://hooks.example.com/a b", "spaces"),
        ("https://hooks.example.com/\n", "spaces"),
        ("https://hooks.exämple.com/x", "non-ASCII"),
        ("https://hooks.example.com:99999/x", "valid URL"),
        ("https://[::1/x", "valid URL"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://0.0.0.0/x", "link-local"),
        ("https://hooks.example.com/" + "a" * 2000, "at most 2000"),
    ],
)
def test_bad_webhook_urls_are_refused_naming_the_field(url: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason) as raised:
        Preferences.parse("pt-grace", webhook_url=url)

    assert raised.value.field == "webhook_url"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("25:00", "07:00"),
        ("7:00", "08:00"),
        ("22h00", "07:00"),
        ("", "07:00"),
        ("22:60", "07:00"),
        ("22:00", "22:00"),
        ("22:00:00", "07:00"),
    ],
)
def test_quiet_hours_must_be_two_different_24_hour_times(start: str, end: str) -> None:
    with pytest.raises(Invalid) as raised:
        Preferences.parse("pt-grace", quiet_hours=(start, end))

    assert raised.value.field == "quiet_hours"


@pytest.mark.parametrize("hour", [-1, 24, 100])
def test_the_digest_hour_is_an_hour_of_the_day(hour: int) -> None:
    with pytest.raises(Invalid) as raised:
        Preferences.parse("pt-grace", digest="daily", digest_hour=hour)

    assert raised.value.field == "digest_hour"


def test_the_digest_is_immediate_or_daily() -> None:
    with pytest.raises(Invalid) as raised:
        Preferences.parse("pt-grace", digest="weekly")

    assert raised.value.field == "digest"


def test_unknown_kinds_and_channels_are_refused_naming_them() -> None:
    with pytest.raises(Invalid) as unknown_kind:
        Preferences.parse("pt-grace", channels={"match.exploded": ["email"]})
    with pytest.raises(Invalid) as unknown_channel:
        Preferences.parse("pt-grace", channels={"match.proposed": ["sms"]})

    assert unknown_kind.value.field == "channels"
    assert unknown_channel.value.field == "channels.match.proposed"


def test_a_digest_hour_must_be_a_whole_number() -> None:
    with pytest.raises(Invalid) as raised:
        Preferences("pt-grace", digest_hour=True)

    assert raised.value.field == "digest_hour"
