"""Every creating request follows one idempotency rule, through the HTTP API on the real MongoDB
server and Kafka broker: a retry with its Idempotency-Key returns what the first request created,
with the same status and one event; the same key with another request is a 409; a key that breaks
the rule is a 422 naming the header; ten concurrent retries create one resource."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mentoring.service_layer import handlers
from mentoring.service_layer.handlers import new_id
from mentorship_contracts import decode_event
from mentorship_contracts.topics import Topic, topic_name
from mentorship_testing.kafka import read_topic

from .conftest import MentoringApi
from .test_lifecycle import two_people

MENTEE = {
    "roles": ["mentee"],
    "display_name": "Ada",
    "email": "ada@example.org",
    "timezone": "Europe/Paris",
    "goals": {"purpose": 3},
}
MENTOR = {
    "roles": ["mentor"],
    "display_name": "Grace",
    "email": "grace@example.org",
    "competencies": {"purpose": 4},
}


class LosesAnswers(httpx.ASGITransport):
    """Runs each request to its end in the service, then loses the answer on the way back."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        await response.aread()
        raise httpx.ReadError("the connection dropped before the answer arrived", request=request)


async def lost_answer(
    api: MentoringApi, method: str, path: str, user: str, role: str, **kw: Any
) -> None:
    """Send a request whose answer the client never gets."""
    headers = {**api.token(user, role), **kw.pop("headers", {})}
    transport = LosesAnswers(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mentoring") as lossy:
        with pytest.raises(httpx.ReadError):
            await lossy.request(method, path, headers=headers, **kw)


async def published(api: MentoringApi, topic: Topic) -> list[Any]:
    """Every event on ``topic`` so far (waits briefly, so that a stray second one would show)."""
    name = topic_name(topic, api.settings.kafka_topic_prefix)
    records = await read_topic(api.bootstrap, name, until=lambda rs: False, timeout=2)
    return [decode_event(r.value) for r in records]


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def types(events: list[Any]) -> list[str]:
    return [e.type.rsplit(".", 1)[-1] for e in events]


# ---- registration --------------------------------------------------------------------------


async def test_a_registration_retried_after_a_lost_answer_returns_the_same_participant_once(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    path = f"/programs/{prog['id']}/participants"

    await lost_answer(api, "POST", path, "ada", "mentee", json=MENTEE, headers=key("reg-ada"))
    assert await api.db.participants.count_documents({}) == 1, "the lost answer's work was done"
    retried = await api.call("POST", path, "ada", "mentee", json=MENTEE, headers=key("reg-ada"))
    again = await api.call("POST", path, "ada", "mentee", json=MENTEE, headers=key("reg-ada"))
    mentor = await api.call("POST", path, "grace", "mentor", json=MENTOR, headers=key("reg-1"))
    mentor_again = await api.call(
        "POST", path, "grace", "mentor", json=MENTOR, headers=key("reg-1")
    )

    assert (retried.status_code, again.status_code) == (201, 201), retried.text
    assert retried.json() == again.json()
    assert retried.json()["display_name"] == "Ada"
    assert (mentor.status_code, mentor_again.status_code) == (201, 201)
    assert mentor.json() == mentor_again.json()
    assert mentor.json()["id"] != retried.json()["id"], "a key is the caller's own"
    events = await published(api, Topic.MENTORING_PARTICIPANTS)
    assert Counter(e.data.participant_id for e in events) == {
        retried.json()["id"]: 1,
        mentor.json()["id"]: 1,
    }
    assert await api.db.participants.count_documents({}) == 2


async def test_a_retried_registration_is_answered_even_after_the_program_closed(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    path = f"/programs/{prog['id']}/participants"
    first = await api.call("POST", path, "ada", "mentee", json=MENTEE, headers=key("reg-ada"))
    await api.call("PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"status": "closed"})

    retried = await api.call("POST", path, "ada", "mentee", json=MENTEE, headers=key("reg-ada"))
    newcomer = await api.call("POST", path, "bob", "mentee", json=MENTEE, headers=key("reg-bob"))

    assert retried.status_code == 201
    assert retried.json() == first.json()
    assert newcomer.status_code == 409


async def test_the_same_key_with_another_registration_is_a_409_that_says_so(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    other = await api.program(name="Other program")
    path = f"/programs/{prog['id']}/participants"
    first = await api.call("POST", path, "ada", "mentee", json=MENTEE, headers=key("reg-ada"))

    renamed = await api.call(
        "POST",
        path,
        "ada",
        "mentee",
        json={**MENTEE, "display_name": "Ada L."},
        headers=key("reg-ada"),
    )
    elsewhere = await api.call(
        "POST",
        f"/programs/{other['id']}/participants",
        "ada",
        "mentee",
        json=MENTEE,
        headers=key("reg-ada"),
    )

    for refused in (renamed, elsewhere):
        assert refused.status_code == 409, refused.text
        assert (
            "Idempotency-Key 'reg-ada' was already used for a different request"
            in (refused.json()["detail"])
        )
        assert first.json()["id"] in refused.json()["detail"]
    assert await api.db.participants.count_documents({}) == 1
    assert len(await published(api, Topic.MENTORING_PARTICIPANTS)) == 1


async def test_a_second_registration_in_a_program_is_a_409_naming_the_participant(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    path = f"/programs/{prog['id']}/participants"
    first = await api.call("POST", path, "ada", "mentee", json=MENTEE)

    without_key = await api.call("POST", path, "ada", "mentee", json=MENTEE)
    other_key = await api.call("POST", path, "ada", "mentee", json=MENTEE, headers=key("new"))

    for refused in (without_key, other_key):
        assert refused.status_code == 409
        assert refused.json()["participant_id"] == first.json()["id"]
        assert first.json()["id"] in refused.json()["detail"]
    assert await api.db.participants.count_documents({}) == 1


# ---- programs ------------------------------------------------------------------------------


async def test_a_program_created_again_with_its_key_is_created_once(api: MentoringApi) -> None:
    body = {"name": "Social business", "weights": {"goal_coverage": 50, "department": 5}}

    await lost_answer(api, "POST", "/programs", "admin", "admin", json=body, headers=key("pg-1"))
    assert await api.db.programs.count_documents({}) == 1, "the lost answer's work was done"
    retried = await api.call("POST", "/programs", "admin", "admin", json=body, headers=key("pg-1"))
    reordered = await api.call(
        "POST",
        "/programs",
        "admin",
        "admin",
        json={"weights": body["weights"], "name": "Social business"},
        headers=key("pg-1"),
    )
    changed = await api.call(
        "POST", "/programs", "admin", "admin", json={**body, "name": "Other"}, headers=key("pg-1")
    )

    assert (retried.status_code, reordered.status_code) == (201, 201)
    assert reordered.json() == retried.json()
    assert changed.status_code == 409
    assert "different request" in changed.json()["detail"]
    assert await api.db.programs.count_documents({}) == 1
    assert len(await published(api, Topic.MENTORING_PROGRAMS)) == 1


# ---- proposals -----------------------------------------------------------------------------


async def test_the_same_key_for_another_proposal_is_a_409_and_holds_no_place(
    api: MentoringApi,
) -> None:
    prog, grace, ada = await two_people(api)
    alan = await api.register(prog["id"], "alan", "mentor", competencies={"purpose": 3})
    asked = {"mentee_id": ada["id"], "mentor_id": grace["id"]}

    await lost_answer(api, "POST", "/matches", "admin", "admin", json=asked, headers=key("m-1"))
    assert await api.db.matches.count_documents({}) == 1, "the lost answer's work was done"
    retried = await api.call("POST", "/matches", "admin", "admin", json=asked, headers=key("m-1"))
    other = await api.call(
        "POST",
        "/matches",
        "admin",
        "admin",
        json={**asked, "mentor_id": alan["id"]},
        headers=key("m-1"),
    )

    assert retried.status_code == 201
    assert retried.json()["mentor"]["participant_id"] == grace["id"]
    assert other.status_code == 409
    assert "Idempotency-Key 'm-1'" in other.json()["detail"]
    assert types(await published(api, Topic.MENTORING_MATCHES)) == ["proposed"]
    alan_now = (await api.call("GET", f"/participants/{alan['id']}", "alan", "mentor")).json()
    assert alan_now["open_matches"] == 0


# ---- matching runs -------------------------------------------------------------------------


async def cohort(api: MentoringApi) -> dict[str, Any]:
    prog = await api.program()
    await api.register(prog["id"], "grace", "mentor", capacity=1, competencies={"purpose": 5})
    await api.register(prog["id"], "alan", "mentor", capacity=1, competencies={"rules": 5})
    await api.register(prog["id"], "ada", "mentee", goals={"purpose": 4})
    await api.register(prog["id"], "bob", "mentee", goals={"rules": 4})
    return prog


async def test_a_matching_run_retried_with_its_key_runs_once(api: MentoringApi) -> None:
    prog = await cohort(api)
    path = f"/programs/{prog['id']}/matching-runs"
    best_fit = {"objective": "best_fit"}

    await lost_answer(api, "POST", path, "admin", "admin", json=best_fit, headers=key("run-1"))
    assert await api.db.matches.count_documents({}) == 2, "the lost answer's work was done"
    retried = await api.call("POST", path, "admin", "admin", json=best_fit, headers=key("run-1"))
    other = await api.call(
        "POST", path, "admin", "admin", json={"objective": "most_matched"}, headers=key("run-1")
    )

    assert retried.status_code == 200
    assert retried.json()["matched_count"] == 2
    assert other.status_code == 409
    assert retried.json()["id"] in other.json()["detail"]
    events = await published(api, Topic.MENTORING_MATCHES)
    assert sorted(e.data.match_id for e in events) == sorted(retried.json()["proposals"])
    assert await api.db.matching_runs.count_documents({}) == 1


async def test_a_retry_takes_over_a_run_whose_process_died(api: MentoringApi) -> None:
    prog = await cohort(api)
    run_id = new_id("run", "run-1", "admin")
    await api.db.matching_runs.insert_one(
        {
            "_id": run_id,
            "program_id": prog["id"],
            "objective": "best_fit",
            "by": "admin",
            "claimed_at": api.clock(),
            "state": "running",
        }
    )
    api.clock.advance(minutes=3)

    retried = await api.call(
        "POST",
        f"/programs/{prog['id']}/matching-runs",
        "admin",
        "admin",
        json={"objective": "best_fit"},
        headers=key("run-1"),
    )

    assert retried.status_code == 200, retried.text
    assert retried.json()["id"] == run_id
    assert retried.json()["matched_count"] == 2
    stored = await api.db.matching_runs.find_one({"_id": run_id})
    assert stored is not None
    assert stored["state"] == "done"


async def test_a_retry_while_its_run_still_runs_is_a_409_to_retry_later(
    api: MentoringApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    prog = await cohort(api)
    run_id = new_id("run", "run-1", "admin")
    await api.db.matching_runs.insert_one(
        {
            "_id": run_id,
            "program_id": prog["id"],
            "objective": "best_fit",
            "by": "admin",
            "claimed_at": api.clock(),
            "state": "running",
        }
    )
    monkeypatch.setattr(handlers, "RUN_WAIT_SECONDS", 0.5)

    retried = await api.call(
        "POST",
        f"/programs/{prog['id']}/matching-runs",
        "admin",
        "admin",
        json={"objective": "best_fit"},
        headers=key("run-1"),
    )

    assert retried.status_code == 409
    assert "still running; retry later" in retried.json()["detail"]
    assert await published(api, Topic.MENTORING_MATCHES) == []


# ---- bad keys ------------------------------------------------------------------------------

BAD_KEYS = ["", "two words", "x" * 201, "caf\u00e9", "tab\there"]


def raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in headers.items()]


async def test_a_key_that_breaks_the_rule_is_a_422_naming_the_header_on_every_creating_route(
    api: MentoringApi,
) -> None:
    prog, grace, ada = await two_people(api)
    routes: list[tuple[str, str, dict[str, Any]]] = [
        ("/programs", "admin", {"name": "Another"}),
        (f"/programs/{prog['id']}/participants", "admin", {**MENTEE, "user_id": "zoe"}),
        ("/matches", "admin", {"mentee_id": ada["id"], "mentor_id": grace["id"]}),
        (f"/programs/{prog['id']}/matching-runs", "admin", {"objective": "best_fit"}),
    ]

    for path, user, body in routes:
        for bad in BAD_KEYS:
            sent = await api.http.post(
                path,
                json=body,
                headers=[
                    *raw(api.token(user, "admin")),
                    (b"Idempotency-Key", bad.encode("latin-1")),
                ],
            )
            assert sent.status_code == 422, (path, bad, sent.text)
            [problem] = sent.json()["detail"]
            assert problem["loc"] == ["header", "Idempotency-Key"]
            assert "1 to 200 printable ASCII characters" in problem["msg"]
        twice = await api.http.post(
            path,
            json=body,
            headers=[
                *raw(api.token(user, "admin")),
                (b"Idempotency-Key", b"one"),
                (b"Idempotency-Key", b"two"),
            ],
        )
        assert twice.status_code == 422
        assert twice.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]

    assert await api.db.programs.count_documents({}) == 1
    assert await api.db.participants.count_documents({}) == 2
    assert await api.db.matches.count_documents({}) == 0


async def test_a_key_of_200_printable_characters_is_taken(api: MentoringApi) -> None:
    longest = "".join(chr(c) for c in range(0x21, 0x7F)) * 3  # every printable character
    longest = longest[:200]

    created = await api.call(
        "POST", "/programs", "admin", "admin", json={"name": "P"}, headers=key(longest)
    )
    again = await api.call(
        "POST", "/programs", "admin", "admin", json={"name": "P"}, headers=key(longest)
    )

    assert created.status_code == 201, created.text
    assert again.json() == created.json()


# ---- ten concurrent retries ----------------------------------------------------------------


async def ten_at_once(send: Callable[[], Any]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(send() for _ in range(10))))


async def test_ten_concurrent_registrations_with_one_key_create_one_participant(
    api: MentoringApi,
) -> None:
    prog = await api.program()
    path = f"/programs/{prog['id']}/participants"

    answers = await ten_at_once(
        lambda: api.call("POST", path, "ada", "mentee", json=MENTEE, headers=key("reg-ada"))
    )

    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await api.db.participants.count_documents({}) == 1
    assert len(await published(api, Topic.MENTORING_PARTICIPANTS)) == 1


async def test_ten_concurrent_programs_with_one_key_create_one_program(api: MentoringApi) -> None:
    answers = await ten_at_once(
        lambda: api.call(
            "POST", "/programs", "admin", "admin", json={"name": "P"}, headers=key("pg-1")
        )
    )

    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert await api.db.programs.count_documents({}) == 1
    assert len(await published(api, Topic.MENTORING_PROGRAMS)) == 1


async def test_ten_concurrent_proposals_with_one_key_create_one_match(api: MentoringApi) -> None:
    _, grace, ada = await two_people(api)
    asked = {"mentee_id": ada["id"], "mentor_id": grace["id"]}

    answers = await ten_at_once(
        lambda: api.call("POST", "/matches", "admin", "admin", json=asked, headers=key("m-1"))
    )

    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert types(await published(api, Topic.MENTORING_MATCHES)) == ["proposed"]
    grace_now = (await api.call("GET", f"/participants/{grace['id']}", "grace", "mentor")).json()
    assert grace_now["open_matches"] == 1


async def test_ten_concurrent_matching_runs_with_one_key_run_once(api: MentoringApi) -> None:
    prog = await cohort(api)
    path = f"/programs/{prog['id']}/matching-runs"

    answers = await ten_at_once(
        lambda: api.call(
            "POST", path, "admin", "admin", json={"objective": "best_fit"}, headers=key("run-1")
        )
    )

    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({str(a.json()) for a in answers}) == 1, "one report, answered ten times"
    assert answers[0].json()["matched_count"] == 2
    assert types(await published(api, Topic.MENTORING_MATCHES)) == ["proposed", "proposed"]
    assert await api.db.matching_runs.count_documents({}) == 1


async def test_without_a_key_each_program_request_creates_a_program(api: MentoringApi) -> None:
    first = await api.call("POST", "/programs", "admin", "admin", json={"name": "P"})
    second = await api.call("POST", "/programs", "admin", "admin", json={"name": "P"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert await api.db.programs.count_documents({}) == 2
