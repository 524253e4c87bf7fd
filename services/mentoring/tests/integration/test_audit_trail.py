"""The audit trail on the real broker and server: each administrative action recorded once, in
the write that performs it, stored once by the worker, read by the program's admins only."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.bootstrap import create_app
from mentoring.config import Settings
from mentoring.service_layer import audit, audit_trail
from mentorship_contracts.events import AdminAction
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.services import publish_events, serving, settings_for

from .conftest import MentoringApi

WAIT_SECONDS = 20.0


@pytest_asyncio.fixture(loop_scope="session")
async def audited(
    kafka_bootstrap: str, mongo_url: str, mongo_db: AsyncDatabase[Document], topic_prefix: str
) -> AsyncIterator[MentoringApi]:
    """The service serving its API and running its worker (which stores the records)."""
    clock = Clock()
    settings = settings_for(
        Settings,
        kafka=kafka_bootstrap,
        mongo_url=mongo_url,
        database=mongo_db.name,
        topic_prefix=topic_prefix,
        role="all",
    )
    app = create_app(settings, clock=clock)
    async with serving(app, "mentoring") as http:
        yield MentoringApi(http, app.state.service, settings, clock, mongo_db, kafka_bootstrap, app)


async def trail(api: MentoringApi, program_id: str, count: int) -> list[dict[str, Any]]:
    """The program's whole trail, newest first, once it holds ``count`` records (then a moment
    more, so that a duplicate would show)."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        records = await read_all(api, program_id)
        if len(records) >= count or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)
    return await read_all(api, program_id)


async def read_all(api: MentoringApi, program_id: str, page: int = 7) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {"first": page, **({"after": after} if after else {})}
        response = await api.call(
            "GET", f"/programs/{program_id}/audit", "admin", "admin", params=params
        )
        assert response.status_code == 200, response.text
        records += response.json()["items"]
        after = response.json()["next_cursor"]
        if after is None:
            return records


async def test_each_administrative_action_is_recorded_once_with_its_values(
    audited: MentoringApi,
) -> None:
    api = audited
    original = api.call

    async def call(*args: Any, **kwargs: Any) -> Any:
        """Each action a second after the previous one, so that the trail's order shows."""
        api.clock.advance(seconds=1)
        return await original(*args, **kwargs)

    api.call = call  # type: ignore[method-assign]
    prog = await api.program(status="draft", name="Social business")
    pid = prog["id"]
    await api.call("PATCH", f"/programs/{pid}", "admin", "admin", json={"name": "Renamed"})
    added = await api.call(
        "POST", f"/programs/{pid}/admins", "admin", "admin", json={"user_id": "co"}
    )
    assert added.status_code == 200, added.text
    removed = await api.call("DELETE", f"/programs/{pid}/admins/co", "admin", "admin")
    assert removed.status_code == 200, removed.text
    opened = await api.call("PATCH", f"/programs/{pid}", "admin", "admin", json={"status": "open"})
    assert opened.status_code == 200, opened.text
    mentor = await api.register(pid, "grace", "mentor", capacity=2, competencies={"purpose": 5})
    mentees = {
        (await api.register(pid, name, "mentee", goals={"purpose": 3}))["id"]: name
        for name in ("ada", "alan")
    }
    preview = await api.call(
        "POST", f"/programs/{pid}/matching-previews", "admin", "admin", json={}
    )
    assert preview.status_code == 200, preview.text
    run = await api.call("POST", f"/programs/{pid}/matching-runs", "admin", "admin", json={})
    assert run.status_code == 200, run.text
    first, second = run.json()["proposals"]
    cancelled = await api.call(
        "POST", f"/matches/{first}/cancel", "admin", "admin", json={"reason": "not now"}
    )
    assert cancelled.status_code == 200, cancelled.text
    withdrawn_id = cancelled.json()["mentee"]["participant_id"]
    other = next(m for m in mentees if m != withdrawn_id)
    withdrawn = await api.call(
        "POST", f"/participants/{other}/withdraw", "admin", "admin", json={"reason": "left"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    closed = await api.call(
        "PATCH", f"/programs/{pid}", "admin", "admin", json={"status": "closed"}
    )
    assert closed.status_code == 200, closed.text

    records = await trail(api, pid, 10)

    assert [r["action"] for r in reversed(records)] == [
        "program_created",
        "program_changed",
        "admin_added",
        "admin_removed",
        "program_opened",
        "matching_previewed",
        "matching_run",
        "proposal_cancelled",
        "participant_withdrawn",
        "program_closed",
    ]
    assert {r["actor_id"] for r in records} == {"admin"}
    assert len({r["id"] for r in records}) == 10
    by_action = {r["action"]: r for r in records}
    created = by_action["program_created"]
    assert (created["object_kind"], created["object_id"], created["before"]) == (
        "program",
        pid,
        None,
    )
    assert created["after"]["name"] == "Social business"
    assert created["after"]["admin_ids"] == ["admin"]
    assert by_action["program_changed"]["before"] == {"name": "Social business"}
    assert by_action["program_changed"]["after"] == {"name": "Renamed"}
    assert by_action["admin_added"]["object_id"] == "co"
    assert by_action["admin_added"]["before"] == {"admin_ids": ["admin"]}
    assert by_action["admin_added"]["after"] == {"admin_ids": ["admin", "co"]}
    assert by_action["admin_removed"]["after"] == {"admin_ids": ["admin"]}
    assert by_action["program_opened"]["before"] == {"status": "draft"}
    assert by_action["program_opened"]["after"] == {"status": "open"}
    assert by_action["matching_previewed"]["object_id"] == preview.json()["id"]
    assert by_action["matching_previewed"]["after"]["matched"] == 2
    assert by_action["matching_run"]["object_kind"] == "matching_run"
    assert by_action["matching_run"]["object_id"] == run.json()["id"]
    assert by_action["matching_run"]["after"]["mentees"] == 2
    assert by_action["matching_run"]["after"]["mentors"] == 1
    cancel = by_action["proposal_cancelled"]
    assert (cancel["object_kind"], cancel["object_id"]) == ("match", first)
    assert cancel["before"] == {
        "status": "proposed",
        "mentee_id": withdrawn_id,
        "mentor_id": mentor["id"],
    }
    assert cancel["after"]["status"] == "cancelled"
    withdrawal = by_action["participant_withdrawn"]
    assert (withdrawal["object_kind"], withdrawal["object_id"]) == ("participant", other)
    assert withdrawal["before"] == {"status": "active", "user_id": mentees[other]}
    assert withdrawal["after"] == {"status": "withdrawn", "user_id": mentees[other]}
    assert by_action["program_closed"]["after"] == {"status": "closed"}
    text = json.dumps(records)
    for personal in ("Ada", "Alan", "Grace", "@example.org", "left", "not now"):
        assert personal not in text, personal
    assert second in run.json()["proposals"]


async def test_a_record_delivered_twice_or_handled_by_two_workers_is_stored_once(
    audited: MentoringApi,
) -> None:
    api = audited
    prog = await api.program()
    ctx = api.service.context()
    event = audit.record(
        ctx, "admin", AdminAction.PROGRAM_CHANGED, prog["id"], "program", prog["id"]
    )
    await publish_events(api.bootstrap, api.settings.kafka_topic_prefix, [event, event])
    stored = api.service.audit_context()
    await asyncio.gather(*(audit_trail.on_recorded(event, stored) for _ in range(10)))

    records = await trail(api, prog["id"], 2)

    assert sorted(r["action"] for r in records) == ["program_changed", "program_created"]
    assert await api.db["audit_log"].count_documents({"_id": str(event.event_id)}) == 1


async def test_many_admins_acting_at_once_have_every_action_recorded_once(
    audited: MentoringApi,
) -> None:
    api = audited
    prog = await api.program()
    pid = prog["id"]
    admins = [f"admin-{i}" for i in range(8)]
    for user in admins:
        added = await api.call(
            "POST", f"/programs/{pid}/admins", "admin", "admin", json={"user_id": user}
        )
        assert added.status_code == 200, added.text

    async def act(user: str) -> None:
        while True:  # a change refused for a concurrent one says "try again", and writes nothing
            changed = await api.call(
                "PATCH", f"/programs/{pid}", user, "admin", json={"description": f"by {user}"}
            )
            if changed.status_code != 409:
                break
        assert changed.status_code == 200, changed.text
        added = await api.call(
            "POST", f"/programs/{pid}/admins", user, "admin", json={"user_id": f"{user}-deputy"}
        )
        assert added.status_code == 200, added.text

    await asyncio.gather(*(act(user) for user in admins))

    records = await trail(api, pid, 1 + 8 + 16)
    assert len(records) == 1 + 8 + 16
    assert len({r["id"] for r in records}) == len(records)
    ours = [r for r in records if r["actor_id"] in admins]
    assert sorted((r["actor_id"], r["action"]) for r in ours) == sorted(
        (user, action) for user in admins for action in ("admin_added", "program_changed")
    )
    deputies = {r["object_id"] for r in ours if r["action"] == "admin_added"}
    assert deputies == {f"{user}-deputy" for user in admins}
    changes = [r for r in ours if r["action"] == "program_changed"]
    assert {r["after"]["description"] for r in changes} == {f"by {user}" for user in admins}


async def test_only_the_programs_admins_read_its_trail(audited: MentoringApi) -> None:
    api = audited
    prog = await api.program()
    await api.program(admin="other-admin")
    await api.register(prog["id"], "grace", "mentor")
    await api.register(prog["id"], "ada", "mentee")
    path = f"/programs/{prog['id']}/audit"

    assert (await api.call("GET", path, "admin", "admin")).status_code == 200
    assert (await api.call("GET", path, "other-admin", "admin")).status_code == 403
    assert (await api.call("GET", path, "grace", "mentor")).status_code == 403
    assert (await api.call("GET", path, "ada", "mentee")).status_code == 403
    assert (await api.call("GET", path, "admin")).status_code == 403  # without the admin role
    assert (await api.http.get(path)).status_code == 401
    assert (
        await api.call("GET", "/programs/pg_missing/audit", "admin", "admin")
    ).status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_the_trail_has_no_route_that_changes_it(audited: MentoringApi, method: str) -> None:
    api = audited
    prog = await api.program()
    response = await api.call(method, f"/programs/{prog['id']}/audit", "admin", "admin", json={})
    assert response.status_code == 405, response.text
    records = await trail(api, prog["id"], 1)
    assert [r["action"] for r in records] == ["program_created"]


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "params",
    [
        {"after": "not a cursor"},
        {"after": "x" * 5000},
        {"after": _cursor(["2026-01-01T00:00:00", "a" * 32])},  # naive moment
        {"after": _cursor(["2026-01-01T00:00:00+00:00", {"$gt": ""}])},
        {"after": _cursor(["2026-01-01T00:00:00+00:00", "\u0000" * 32])},
        {"after": _cursor([1e308, "a" * 32])},
        {"after": _cursor([[[[["deep"]]]]])},
        {"after": "%00"},
        {"first": 0},
        {"first": 101},
        {"first": "many"},
    ],
)
async def test_hostile_paging_gets_a_422(audited: MentoringApi, params: dict[str, Any]) -> None:
    api = audited
    prog = await api.program()
    response = await api.call(
        "GET", f"/programs/{prog['id']}/audit", "admin", "admin", params=params
    )
    assert response.status_code == 422, response.text[:300]


async def test_a_finished_import_is_recorded_once_with_its_counts(audited: MentoringApi) -> None:
    api = audited
    prog = await api.program()
    counts = {"rows": 12, "created": 9, "updated": 1, "unchanged": 1, "refused": 1}
    path = f"/programs/{prog['id']}/imports"
    assert (
        await api.call("POST", path, "grace", "mentor", json={"source": "csv", **counts})
    ).status_code == 403
    for hostile in ({"source": "xml", **counts}, {"source": "csv", **counts, "rows": -1}, {}):
        assert (await api.call("POST", path, "admin", "admin", json=hostile)).status_code == 422
    api.clock.advance(seconds=1)  # after the program's creation, so that the order shows
    done = await api.call("POST", path, "admin", "admin", json={"source": "csv", **counts})
    assert done.status_code == 201, done.text

    records = await trail(api, prog["id"], 2)

    assert [r["action"] for r in records] == ["participants_imported", "program_created"]
    assert records[0]["object_kind"] == "import"
    assert records[0]["object_id"] == done.json()["id"]
    assert records[0]["after"] == {"source": "csv", **counts}


async def test_each_provisioning_write_is_recorded_as_the_tokens_admin(
    audited: MentoringApi,
) -> None:
    api = audited
    prog = await api.program()
    minted = await api.call(
        "POST", f"/programs/{prog['id']}/scim-tokens", "admin", "admin", json={"label": "idp"}
    )
    assert minted.status_code == 201, minted.text
    scim = {"Authorization": f"Bearer {minted.json()['secret']}"}

    def account(department: str, *, active: bool = True) -> dict[str, Any]:
        profile = {"display_name": "Ada", "email": "ada@example.org", "roles": ["mentee"]}
        return {
            "user_name": "ada",
            "external_id": "hr-1",
            "active": active,
            "representation": "{}",
            "profile": {**profile, "department": department},
        }

    api.clock.advance(seconds=1)
    created = await api.http.post("/provisioning/accounts", json=account("Ops"), headers=scim)
    assert created.status_code == 201, created.text
    pid = created.json()["participant_id"]
    api.clock.advance(seconds=1)
    path = f"/provisioning/accounts/{pid}"
    moved = await api.http.put(path, json=account("Board"), headers=scim)
    assert moved.status_code == 200, moved.text
    again = await api.http.put(path, json=account("Board"), headers=scim)
    assert again.status_code == 200, again.text  # nothing changed: nothing recorded
    api.clock.advance(seconds=1)
    gone = await api.http.put(path, json=account("Board", active=False), headers=scim)
    assert gone.status_code == 200, gone.text

    records = await trail(api, prog["id"], 5)

    assert [(r["action"], r["actor_id"]) for r in records[:3]] == [
        ("participant_withdrawn", "admin"),
        ("participant_provisioned", "admin"),
        ("participant_provisioned", "admin"),
    ]
    assert sorted((r["action"], r["actor_id"]) for r in records[3:]) == [
        ("program_created", "admin"),
        ("scim_token_created", "admin"),  # at the program's moment: in either order
    ]
    changed, first = records[1], records[2]
    assert (first["object_id"], first["before"]) == (pid, None)
    assert first["after"]["status"] == "active"
    assert changed["before"] == {"status": "active"}
    assert changed["after"] == {"status": "active", "changed": ["department"]}
    assert "Ada" not in json.dumps(records)
