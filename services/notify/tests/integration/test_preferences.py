"""Preferences over HTTP: each person reads and replaces their own; bad input is refused by name."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import NotifyApi

GOOD: dict[str, Any] = {
    "channels": {"match.proposed": ["email", "webhook"], "progress.module_completed": []},
    "quiet_hours": {"start": "22:00", "end": "07:00"},
    "timezone": "Europe/Paris",
    "digest": "daily",
    "digest_hour": 18,
    "webhook_url": "https://hooks.example.org/T000/B000",
    "email": "grace.hopper@example.org",
}


async def test_defaults_then_a_saved_choice_only_for_its_owner(http_only: NotifyApi) -> None:
    before = (await http_only.call("GET", "/preferences", "u-grace")).json()
    saved = await http_only.call("PUT", "/preferences", "u-grace", json=GOOD)
    again = (await http_only.call("GET", "/preferences", "u-grace")).json()
    other = (await http_only.call("GET", "/preferences", "u-ada")).json()

    assert before["digest"] == "immediate"
    assert before["channels"] == {}
    assert saved.status_code == 200
    assert again == saved.json()
    assert again["channels"] == {
        "match.proposed": ["email", "in_app", "webhook"],
        "progress.module_completed": ["in_app"],
    }
    assert again["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    assert again["webhook_secret"]
    assert other == before


async def test_the_signing_secret_is_kept_across_saves(http_only: NotifyApi) -> None:
    first = (await http_only.call("PUT", "/preferences", "u-grace", json=GOOD)).json()
    later = {"digest_hour": 7}
    second = (await http_only.call("PUT", "/preferences", "u-grace", json=later)).json()

    assert second["webhook_secret"] == first["webhook_secret"]
    assert second["webhook_url"] is None
    assert second["digest_hour"] == 7


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"webhook_url": "ftp://example.org/hook"}, "webhook_url"),
    ({"webhook_url": "http://example.org/hook"}, "webhook_url"),
    ({"webhook_url": "https://user:pw@example.org/hook"}, "webhook_url"),
    ({"webhook_url": "https://169.254.169.254/latest"}, "webhook_url"),
    ({"webhook_url": "https://exa mple.org/"}, "webhook_url"),
    ({"webhook_url": "https://" + "a" * 2000 + ".org"}, "webhook_url"),
    ({"email": "not-an-address"}, "email"),
    ({"email": "a@b.org\r\nBcc: everyone@example.org"}, "email"),
    ({"email": "Grace <grace@example.org>"}, "email"),
    ({"email": "grace@localhost"}, "email"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"digest_hour": 24}, "digest_hour"),
    ({"digest_hour": -1}, "digest_hour"),
    ({"digest_hour": "8"}, "digest_hour"),
    ({"digest_hour": True}, "digest_hour"),
    ({"digest": "weekly"}, "digest"),
    ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours"),
    ({"quiet_hours": {"start": "07:00", "end": "07:00"}}, "quiet_hours"),
    ({"channels": {"match.proposed": ["sms"]}}, "channels"),
    ({"channels": {"no.such.kind": ["email"]}}, "channels"),
    ({"channels": {"match.proposed": ["webhook"]}}, "webhook_url"),
    ({"is_admin": True}, "is_admin"),
]


@pytest.mark.parametrize(("body", "field"), HOSTILE)
async def test_hostile_input_is_refused_naming_the_field_and_nothing_is_stored(
    http_only: NotifyApi, body: dict[str, Any], field: str
) -> None:
    answer = await http_only.call("PUT", "/preferences", "u-grace", json=body)

    assert answer.status_code == 422
    locations = [".".join(map(str, d["loc"])) for d in answer.json()["detail"]]
    assert any(field in where for where in locations), locations
    assert await http_only.db.preferences.count_documents({}) == 0


async def test_preferences_need_a_token(http_only: NotifyApi) -> None:
    assert (await http_only.http.get("/preferences")).status_code == 401
    assert (await http_only.http.put("/preferences", json=GOOD)).status_code == 401
