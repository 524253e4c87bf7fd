"""Matching runs and previews, and their stored reports read again, on the fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentoring.domain.errors import Conflict, Forbidden, Invalid, NotFound
from mentoring.domain.matches import MatchStatus, ProposedBy
from mentoring.domain.programs import ProgramStatus
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import handlers, matching_runs
from mentoring.service_layer.ports import (
    ReportBlockingPair,
    ReportPair,
    RunSummary,
    StoredRun,
    UnmatchedMentee,
)
from mentorship_runtime.request_keys import KeyReused
from services.mentoring.tests.unit.fakes import Fakes
from services.mentoring.tests.unit.service_layer.world import (
    ADMIN,
    OTHER_ADMIN,
    program,
    register,
)


async def cohort(fakes: Fakes, mentees: int = 3, **settings: object) -> str:
    made = await program(fakes, **settings)
    for i in range(mentees):
        await register(fakes, made.id, f"u-mentee-{i}", "mentee")
    await register(fakes, made.id, "u-grace", "mentor")
    await register(fakes, made.id, "u-linus", "mentor", competencies={"python": 2})
    return made.id


async def test_a_run_proposes_the_cohorts_matches_and_stores_its_report() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)

    report = await handlers.run_matching(cmd.RunMatching(ADMIN, program_id), fakes.context())

    proposed = [fakes.store.matches[i] for i in report.proposals]
    assert len(proposed) == report.summary.matched_count > 0
    assert all(m.proposed_by is ProposedBy.COHORT_RUN for m in proposed)
    assert all(m.status is MatchStatus.PROPOSED for m in proposed)
    stored = fakes.store.runs[report.summary.id].summary
    assert stored is not None
    assert stored.preview is False
    assert fakes.kinds()[-1] == "AdminActionRecorded"


async def test_a_run_sent_again_with_its_key_answers_its_report_and_proposes_nothing_more() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)
    run = cmd.RunMatching(ADMIN, program_id, idempotency_key="k-run")

    first = await handlers.run_matching(run, fakes.context())
    matches = len(fakes.store.matches)
    again = await handlers.run_matching(run, fakes.context())

    assert again.proposals == first.proposals
    assert again.summary.id == first.summary.id
    assert len(fakes.store.matches) == matches


async def test_a_run_key_reused_for_another_objective_is_refused() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)
    await handlers.run_matching(
        cmd.RunMatching(ADMIN, program_id, idempotency_key="k-run"), fakes.context()
    )

    with pytest.raises(KeyReused):
        await handlers.run_matching(
            cmd.RunMatching(ADMIN, program_id, "most_matched", idempotency_key="k-run"),
            fakes.context(),
        )


async def test_a_keyed_run_whose_process_died_is_taken_over_after_its_lease() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)
    run = cmd.RunMatching(ADMIN, program_id, idempotency_key="k-run")
    run_id = handlers.new_id("run", "k-run", ADMIN.user_id)
    fakes.store.runs[run_id] = StoredRun(program_id, "best_fit", fakes.clock(), summary=None)
    fakes.clock.advance(seconds=(handlers.RUN_LEASE + timedelta(seconds=1)).total_seconds())

    report = await handlers.run_matching(run, fakes.context())

    assert report.summary.id == run_id
    assert fakes.store.runs[run_id].done


async def test_only_the_programs_admins_run_its_matching() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)

    with pytest.raises(Forbidden):
        await handlers.run_matching(cmd.RunMatching(OTHER_ADMIN, program_id), fakes.context())


async def test_a_draft_program_matches_no_one() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes, status=ProgramStatus.DRAFT)

    with pytest.raises(Conflict):
        await handlers.run_matching(cmd.RunMatching(ADMIN, program_id), fakes.context())


async def test_a_preview_stores_its_report_and_proposes_nothing() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes, status=ProgramStatus.DRAFT)

    report = await matching_runs.preview_matching(
        cmd.PreviewMatching(ADMIN, program_id), fakes.context()
    )

    assert report.summary.preview is True
    assert report.summary.matched_count > 0
    assert report.proposals == []
    assert fakes.store.matches == {}
    assert fakes.kinds()[-1] == "AdminActionRecorded"


async def test_only_the_programs_admins_preview_its_matching() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)

    with pytest.raises(Forbidden):
        await matching_runs.preview_matching(
            cmd.PreviewMatching(OTHER_ADMIN, program_id), fakes.context()
        )


async def test_a_report_is_read_again_by_the_programs_admins_and_missing_to_others() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)
    made = await handlers.run_matching(cmd.RunMatching(ADMIN, program_id), fakes.context())
    run_id = made.summary.id

    read = await matching_runs.matching_run(fakes.context(), ADMIN, run_id)

    assert read.proposals == made.proposals
    assert read.unmatched == made.unmatched
    with pytest.raises(NotFound):
        await matching_runs.matching_run(fakes.context(), OTHER_ADMIN, run_id)
    with pytest.raises(NotFound):
        await matching_runs.matching_run(fakes.context(), ADMIN, "run-none")


async def test_a_reports_pairs_are_read_page_by_page() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes, mentees=3)
    made = await matching_runs.preview_matching(
        cmd.PreviewMatching(ADMIN, program_id), fakes.context()
    )
    run_id = made.summary.id

    seen: list[ReportPair | ReportBlockingPair] = []
    after: str | None = None
    while True:
        items, after = await matching_runs.run_entries(
            fakes.context(), ADMIN, run_id, "pairs", 1, after
        )
        seen += items
        if after is None:
            break

    assert len(seen) == made.summary.matched_count
    assert {p.mentee_id for p in seen} <= {p.id for p in fakes.store.participants.values()}


async def test_a_report_section_and_cursor_must_be_ones_the_api_gives() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)
    made = await matching_runs.preview_matching(
        cmd.PreviewMatching(ADMIN, program_id), fakes.context()
    )

    with pytest.raises(Invalid):
        await matching_runs.run_entries(
            fakes.context(), ADMIN, made.summary.id, "unmatched", 5, None
        )
    with pytest.raises(Invalid):
        await matching_runs.run_entries(fakes.context(), ADMIN, made.summary.id, "pairs", 5, "x")


async def test_a_programs_reports_are_listed_newest_first_with_or_without_previews() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)
    preview = await matching_runs.preview_matching(
        cmd.PreviewMatching(ADMIN, program_id), fakes.context()
    )
    fakes.clock.advance(minutes=1)
    run = await handlers.run_matching(cmd.RunMatching(ADMIN, program_id), fakes.context())

    everything, cursor = await matching_runs.matching_runs(
        fakes.context(), ADMIN, program_id, 10, None
    )
    runs_only, _ = await matching_runs.matching_runs(
        fakes.context(), ADMIN, program_id, 10, None, previews=False
    )
    first, after = await matching_runs.matching_runs(fakes.context(), ADMIN, program_id, 1, None)
    second, _ = await matching_runs.matching_runs(fakes.context(), ADMIN, program_id, 1, after)

    ids = [r.summary.id for r in everything]
    assert ids == [run.summary.id, preview.summary.id]
    assert cursor is None
    assert [r.summary.id for r in runs_only] == [run.summary.id]
    assert [r.summary.id for r in first + second] == ids
    with pytest.raises(NotFound):
        await matching_runs.matching_runs(fakes.context(), OTHER_ADMIN, program_id, 10, None)


async def test_a_report_stored_before_reports_were_split_is_read_from_its_summary() -> None:
    fakes = Fakes()
    program_id = await cohort(fakes)
    early = RunSummary(
        id="run-early",
        program_id=program_id,
        objective="best_fit",
        preview=False,
        ran_at=fakes.clock(),
        by=ADMIN.user_id,
        mentees=3,
        mentors=2,
        matched_count=1,
        total_score=70.0,
        mean_score=70.0,
        blocking_pairs=0,
        early_proposals=("m-1",),
        early_unmatched=(UnmatchedMentee("pt-2", "no mentor left"),),
    )
    fakes.store.runs[early.id] = StoredRun(program_id, "best_fit", None, summary=early)

    read = await matching_runs.matching_run(fakes.context(), ADMIN, early.id)

    assert read.proposals == ["m-1"]
    assert read.unmatched == [UnmatchedMentee("pt-2", "no mentor left")]
