"""Check-ins, sessions and learning paths follow the platform's one idempotency rule, through the
HTTP API on the real MongoDB server and Kafka broker: a retry with its Idempotency-Key creates
nothing new and publishes no second event, the same key with another request is a 409, a key that
breaks the rule is a 422 naming the header, and ten concurrent retries create one thing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from .conftest import ProgressApi
from .test_learning_paths import ONBOARDING, ONBOARDING_V2, milestone, module
from .test_progress_flow import accepted, kinds

CHECK_IN = {"module_id": "purpose", "confidence": 4}
SESSION = {"held_on": "2026-10-30", "duration_minutes": 45, "module_ids": ["purpose"], "rating": 4}
BAD_KEYS = [b"", b"two words", b"x" * 201, "caf\u00e9".encode("latin-1")]


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def tracked(api: ProgressApi, *mentees: str) -> None:
    for mentee in mentees:
        await api.publish(accepted(mentee=mentee))
        await api.tracked(mentee)


async def as_mentor(api: ProgressApi, path: str, body: dict[str, Any], k: str) -> httpx.Response:
    return await api.call("POST", path, "u-pt-grace", "mentor", json=body, headers=key(k))


async def test_a_check_in_sent_again_with_its_key_is_recorded_once(api: ProgressApi) -> None:
    await tracked(api, "pt-ada")
    path = "/mentees/pt-ada/check-ins"

    first = await as_mentor(api, path, CHECK_IN, "ci-1")
    retried = await as_mentor(api, path, CHECK_IN, "ci-1")
    other_key = await as_mentor(api, path, CHECK_IN, "ci-2")

    assert (first.status_code, retried.status_code) == (201, 201), retried.text
    assert retried.json() == first.json()
    assert other_key.status_code == 201
    events = await api.progress_events()
    assert kinds(events) == ["check_in.recorded", "check_in.recorded"]
    assert events[0].data.check_in_id != events[1].data.check_in_id


async def test_the_same_key_with_another_check_in_is_a_409_that_says_so(api: ProgressApi) -> None:
    await tracked(api, "pt-ada", "pt-bob")
    await as_mentor(api, "/mentees/pt-ada/check-ins", CHECK_IN, "ci-1")

    lower = await as_mentor(api, "/mentees/pt-ada/check-ins", {**CHECK_IN, "confidence": 2}, "ci-1")
    another_mentee = await as_mentor(api, "/mentees/pt-bob/check-ins", CHECK_IN, "ci-1")

    for refused in (lower, another_mentee):
        assert refused.status_code == 409, refused.text
        assert (
            "Idempotency-Key 'ci-1' was already used for a different request"
            in (refused.json()["detail"])
        )
    assert kinds(await api.progress_events()) == ["check_in.recorded"]
    bob = await api.db.trackings.find_one({"_id": "pt-bob"})
    assert bob is not None
    assert bob["check_ins"] == []


async def test_a_session_sent_again_with_its_key_is_logged_once_and_a_new_rating_is_a_409(
    api: ProgressApi,
) -> None:
    await tracked(api, "pt-ada")
    path = "/mentees/pt-ada/sessions"

    first = await as_mentor(api, path, SESSION, "ss-1")
    retried = await as_mentor(api, path, SESSION, "ss-1")
    rerated = await as_mentor(api, path, {**SESSION, "rating": 2}, "ss-1")

    assert (first.status_code, retried.status_code) == (201, 201), retried.text
    assert retried.json() == first.json()
    assert rerated.status_code == 409
    assert "Idempotency-Key 'ss-1'" in rerated.json()["detail"]
    assert kinds(await api.progress_events()) == ["session.logged"]


async def test_a_key_whose_request_was_refused_may_be_used_for_the_corrected_request(
    api: ProgressApi,
) -> None:
    await tracked(api, "pt-ada")
    path = "/mentees/pt-ada/check-ins"

    unknown_module = await as_mentor(api, path, {**CHECK_IN, "module_id": "nope"}, "ci-1")
    corrected = await as_mentor(api, path, CHECK_IN, "ci-1")

    assert unknown_module.status_code == 404, unknown_module.text
    assert corrected.status_code == 201, corrected.text
    assert kinds(await api.progress_events()) == ["check_in.recorded"]


async def test_a_key_that_breaks_the_rule_is_a_422_naming_the_header_on_every_creating_route(
    api: ProgressApi,
) -> None:
    await tracked(api, "pt-ada")
    routes: list[tuple[str, str, dict[str, Any]]] = [
        ("/mentees/pt-ada/check-ins", "mentor", CHECK_IN),
        ("/mentees/pt-ada/sessions", "mentor", SESSION),
        ("/learning-paths", "admin", ONBOARDING),
        (f"/learning-paths/{ONBOARDING['id']}/versions", "admin", ONBOARDING_V2),
    ]

    for path, role, body in routes:
        user = "u-pt-grace" if role == "mentor" else "u-admin"
        token = [(k.encode(), v.encode()) for k, v in api.auth(user, role).items()]
        for bad in BAD_KEYS:
            sent = await api.http.post(path, json=body, headers=[*token, (b"Idempotency-Key", bad)])
            assert sent.status_code == 422, (path, bad, sent.text)
            [problem] = sent.json()["detail"]
            assert problem["loc"] == ["header", "Idempotency-Key"]
            assert "1 to 200 printable ASCII characters" in problem["msg"]

    assert await api.progress_events() == []
    assert await api.db.learning_paths.count_documents({"path_id": ONBOARDING["id"]}) == 0


async def ten_at_once(send: Callable[[], Awaitable[httpx.Response]]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(send() for _ in range(10))))


async def test_ten_concurrent_check_ins_with_one_key_record_one(api: ProgressApi) -> None:
    await tracked(api, "pt-ada")

    answers = await ten_at_once(
        lambda: as_mentor(api, "/mentees/pt-ada/check-ins", CHECK_IN, "ci-1")
    )

    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert kinds(await api.progress_events()) == ["check_in.recorded"]
    ada = await api.db.trackings.find_one({"_id": "pt-ada"})
    assert ada is not None
    assert len(ada["check_ins"]) == 1


async def test_ten_concurrent_sessions_with_one_key_log_one(api: ProgressApi) -> None:
    await tracked(api, "pt-ada")

    answers = await ten_at_once(lambda: as_mentor(api, "/mentees/pt-ada/sessions", SESSION, "ss-1"))

    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert kinds(await api.progress_events()) == ["session.logged"]


# ---- learning paths ------------------------------------------------------------------------


async def admin(api: ProgressApi, path: str, body: dict[str, Any], k: str) -> httpx.Response:
    return await api.call("POST", path, "u-admin", "admin", json=body, headers=key(k))


async def test_a_path_created_again_with_its_key_is_answered_again_and_another_is_a_409(
    api: ProgressApi,
) -> None:
    first = await admin(api, "/learning-paths", ONBOARDING, "lp-1")
    retried = await admin(api, "/learning-paths", ONBOARDING, "lp-1")
    other_path = await admin(api, "/learning-paths", {**ONBOARDING, "id": "other"}, "lp-1")

    assert (first.status_code, retried.status_code) == (201, 201)
    assert retried.json() == first.json()
    assert other_path.status_code == 409
    assert "Idempotency-Key 'lp-1'" in other_path.json()["detail"]
    assert await api.db.learning_paths.count_documents({"path_id": "other"}) == 0


async def test_a_version_published_again_with_its_key_is_that_version_even_after_another(
    api: ProgressApi,
) -> None:
    versions = f"/learning-paths/{ONBOARDING['id']}/versions"
    await admin(api, "/learning-paths", ONBOARDING, "lp-1")
    v2 = await admin(api, versions, ONBOARDING_V2, "v-2")
    v3_body = {"title": "Onboarding, third", "modules": [module("basics", milestone("read"))]}
    v3 = await admin(api, versions, v3_body, "v-3")

    retried = await admin(api, versions, ONBOARDING_V2, "v-2")
    other = await admin(api, versions, v3_body, "v-2")

    assert (v2.status_code, v3.status_code) == (201, 201), v3.text
    assert retried.status_code == 201
    assert retried.json() == v2.json()
    assert retried.json()["version"] == 2
    assert other.status_code == 409
    assert await api.db.learning_paths.count_documents({"path_id": ONBOARDING["id"]}) == 3


async def test_ten_concurrent_versions_with_one_key_publish_one(api: ProgressApi) -> None:
    versions = f"/learning-paths/{ONBOARDING['id']}/versions"
    await admin(api, "/learning-paths", ONBOARDING, "lp-1")

    answers = await ten_at_once(lambda: admin(api, versions, ONBOARDING_V2, "v-2"))
    retried = await admin(api, versions, ONBOARDING_V2, "v-2")

    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert {a.json()["version"] for a in answers} == {2}
    assert retried.json()["version"] == 2
    assert await api.db.learning_paths.count_documents({"path_id": ONBOARDING["id"]}) == 2
