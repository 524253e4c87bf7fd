"""Strings no MongoDB server keeps, and keys named twice: a 422 naming the field, nothing stored."""

from __future__ import annotations

from typing import Any

from .conftest import NotifyApi


async def test_a_nul_a_lone_surrogate_or_a_repeated_key_is_refused_and_nothing_is_stored(
    http_only: NotifyApi,
) -> None:
    # raw bytes go without a content type (this conftest's call sets the headers alone): the
    # check reads any body as JSON, whatever the route would make of it
    hostile: list[tuple[str, str, dict[str, Any], list[Any], str]] = [
        (
            "PUT",
            "/preferences",
            {"json": {"timezone": "Europe/Paris\u0000"}},
            ["body", "timezone"],
            "NUL",
        ),
        (
            "PUT",
            "/preferences",
            {"json": {"email": "\u0000@example.org"}},
            ["body", "email"],
            "NUL",
        ),
        (
            "PUT",
            "/preferences",
            {"json": {"quiet_hours": {"start": "22:00\u0000", "end": "07:00"}}},
            ["body", "quiet_hours", "start"],
            "NUL",
        ),
        (
            "PUT",
            "/preferences",
            {"json": {"channels": {"match.proposed\u0000": ["email"]}}},
            ["body", "channels"],
            "a key contains the NUL",
        ),
        (
            "PUT",
            "/preferences",
            {"content": b'{"webhook_url": "https://hooks.example.org/\\ud800"}'},
            ["body", "webhook_url"],
            "lone surrogate",
        ),
        (
            "PUT",
            "/preferences",
            {
                "content": b'{"channels": {"match.proposed": ["email"], "match.proposed": []}}',
            },
            ["body", "channels"],
            "'match.proposed' more than once",
        ),
        (
            "POST",
            "/inbox/read",
            {"json": {"notification_ids": ["n-1", "n\u0000"]}},
            ["body", "notification_ids", 1],
            "NUL",
        ),
        (
            "GET",
            "/inbox/unread-count/by-subject?subject_id=pt-1%00",
            {},
            ["query", "subject_id"],
            "NUL",
        ),
    ]

    for method, path, request, loc, why in hostile:
        answer = await http_only.call(method, path, "u-grace", **request)
        assert answer.status_code == 422, (path, answer.text[:300])
        [problem] = answer.json()["detail"]
        assert problem["loc"] == loc, path
        assert why in problem["msg"], path

    assert await http_only.db.preferences.count_documents({}) == 0
    assert await http_only.announced() == []


async def test_notification_kinds_are_stored_as_values_since_they_contain_dots(
    http_only: NotifyApi,
) -> None:
    saved = await http_only.call(
        "PUT",
        "/preferences",
        "u-grace",
        json={"channels": {"progress.confidence_dropped": ["email"]}},
    )

    assert saved.status_code == 200, saved.text
    stored = await http_only.db.preferences.find_one({"_id": "u-grace"})
    assert stored is not None
    assert stored["channels"] == [
        {"kind": "progress.confidence_dropped", "channels": ["email", "in_app"]}
    ]
