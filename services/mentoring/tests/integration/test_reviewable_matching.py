"""Stored reports split into chunks and read by page, the program's mutual-acceptance setting,
and the queries of reviewable matching served by indexes, on the real server."""

from __future__ import annotations

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters import run_reports
from mentoring.service_layer import cancellation, handlers, matching_runs
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.handlers import Context
from mentorship_runtime.mongo import Document
from mentorship_testing.clock import Clock
from mentorship_testing.plans import QueryRecorder, scans

from .conftest import MentoringApi
from .test_query_plans import ADMIN, context, register, shapes

__all__ = ["context"]  # the fixture, shared with the query-plan test


async def test_a_report_larger_than_a_chunk_is_stored_in_chunks_and_read_by_page(
    api: MentoringApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run_reports, "CHUNK", 3)
    prog = await api.program()
    for name in ("grace", "alan"):
        await api.register(prog["id"], name, "mentor", capacity=4, competencies={"purpose": 5})
    mentees = [
        (await api.register(prog["id"], f"mentee-{i}", "mentee", goals={"purpose": 3}))["id"]
        for i in range(8)
    ]

    run = await api.call("POST", f"/programs/{prog['id']}/matching-runs", "admin", "admin", json={})

    assert run.status_code == 200, run.text
    assert run.json()["matched_count"] == 8
    pages, after = [], None
    while True:
        query = {"first": 2, **({"after": after} if after else {})}
        page = await api.call(
            "GET", f"/matching-runs/{run.json()['id']}/pairs", "admin", "admin", params=query
        )
        assert page.status_code == 200, page.text
        pages.append([p["mentee_id"] for p in page.json()["items"]])
        after = page.json()["next_cursor"]
        if after is None:
            break
    assert [len(p) for p in pages] == [2, 2, 2, 2]
    assert sorted(m for p in pages for m in p) == sorted(mentees)
    chunks = await api.db["matching_run_entries"].find({"run_id": run.json()["id"]}).to_list()
    by_section: dict[str, list[int]] = {c["section"]: [] for c in chunks}
    for chunk in chunks:
        by_section[chunk["section"]].append(len(chunk["items"]))
    assert sorted(by_section["pairs"]) == [2, 3, 3]
    again = await api.call("GET", f"/matching-runs/{run.json()['id']}", "admin", "admin")
    assert again.json() == run.json()


async def test_mutual_acceptance_is_set_at_creation_and_by_patch(api: MentoringApi) -> None:
    prog = await api.program(mutual_acceptance=True)
    assert prog["mutual_acceptance"] is True

    patched = await api.call(
        "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"mutual_acceptance": False}
    )
    untouched = await api.call(
        "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"name": "Renamed"}
    )
    refused = await api.call(
        "PATCH", f"/programs/{prog['id']}", "admin", "admin", json={"mutual_acceptance": "maybe"}
    )

    assert patched.json()["mutual_acceptance"] is False
    assert untouched.json()["mutual_acceptance"] is False
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "mutual_acceptance"]


async def test_reviewable_matching_reads_are_served_by_indexes(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db
    program = await handlers.create_program(
        cmd.CreateProgram(ADMIN, "Social business", "", "social-business-accompaniment"), ctx
    )
    for i in range(3):
        await register(ctx, program.id, f"mentor-{i}", "mentor", competencies={"purpose": 4})
    for i in range(6):
        await register(ctx, program.id, f"mentee-{i}", "mentee", goals={"purpose": 3})

    recorder.recording = True
    preview = await matching_runs.preview_matching(cmd.PreviewMatching(ADMIN, program.id), ctx)
    clock.advance(minutes=1)
    run = await handlers.run_matching(cmd.RunMatching(ADMIN, program.id), ctx)
    await matching_runs.matching_run(ctx, ADMIN, run.summary.id)
    await matching_runs.run_entries(ctx, ADMIN, preview.summary.id, "pairs", 2, "2")
    await matching_runs.run_entries(ctx, ADMIN, run.summary.id, "blocking", 5, None)
    listed, cursor = await matching_runs.matching_runs(ctx, ADMIN, program.id, 1, None)
    await matching_runs.matching_runs(ctx, ADMIN, program.id, 1, cursor, previews=False)
    await cancellation.cancel_proposal(
        cmd.CancelProposal(ADMIN, run.proposals[0], "not this one"), ctx
    )
    recorder.recording = False

    assert [r.summary.id for r in listed] == [run.summary.id]
    assert {
        ("matching_runs", "find", frozenset({"program_id", "state"})),
        ("matching_runs", "find", frozenset({"program_id", "state", "preview", "$or"})),
        ("matching_run_entries", "find", frozenset({"_id"})),
        ("matches", "find", frozenset({"mentee_id", "status"})),
    } <= shapes(recorder.queries)
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
