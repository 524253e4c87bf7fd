"""Whom a cohort run matches, and its report: the same for a run that proposes and a preview.

Only mentees with no open match (proposed or active) and no completed one in the program are
matched (``awaits_proposal``); mentors they had before, in a closed match, are excluded.
A report lists the matched pairs with their explained scores (and, for a run, the proposal
each became), the unmatched mentees with the reason, and the blocking pairs with why they
block; it is stored (``ports.RunReports``) and read again by its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from mentoring.domain.matches import MatchStatus, awaits_proposal
from mentoring.domain.matching import CohortResult, MenteeCandidate, MentorCandidate
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentoring.service_layer.candidates import manager_lookup, mentee_candidate, mentor_candidate
from mentoring.service_layer.ports import (
    Events,
    ExplainedCriterion,
    MentoringStore,
    ReportBlockingPair,
    ReportPair,
    ReportSections,
    RunReports,
    RunSummary,
    UnmatchedMentee,
)
from mentorship_runtime.principal import Principal


@dataclass(frozen=True)
class Cohort:
    by_id: dict[str, Participant]
    mentees: list[MenteeCandidate]
    mentors: list[MentorCandidate]


async def cohort_of(program: Program, now: datetime, store: MentoringStore) -> Cohort:
    everyone = await store.active_participants(program.id)
    people = manager_lookup(everyone)
    free = [p for p in everyone if p.is_mentee and not p.open_matches]
    history = await store.closed_matches([p.id for p in free])
    mentees = [
        mentee_candidate(p, now, people, {mentor for mentor, _ in history.get(p.id, [])})
        for p in free
        if awaits_proposal(p.open_matches, (MatchStatus(s) for _, s in history.get(p.id, [])))
    ]
    mentors = [mentor_candidate(p, now, people) for p in everyone if p.is_mentor]
    return Cohort({p.id: p for p in everyone}, mentees, mentors)


@dataclass(frozen=True)
class Report:
    """A report as it is answered: its summary, the proposals made and the unmatched mentees
    (the pairs and blocking pairs are read by page)."""

    summary: RunSummary
    proposals: list[str]
    unmatched: list[UnmatchedMentee]


def report_of(
    *,
    run_id: str,
    program: Program,
    objective: str,
    actor: Principal,
    now: datetime,
    cohort: Cohort,
    result: CohortResult,
    preview: bool,
    proposed: dict[str, str],
    skipped: Sequence[UnmatchedMentee] = (),
) -> tuple[RunSummary, ReportSections]:
    """The summary and the sections of a report. ``proposed`` maps each mentee a run proposed
    to their match id; ``skipped`` the pairs it could not propose, with the reason."""
    pairs = [
        ReportPair(
            mentee_id=a.mentee_id,
            mentor_id=a.mentor_id,
            score=round(a.score, 2),
            breakdown=tuple(
                ExplainedCriterion(
                    criterion=str(c.criterion),
                    value=round(c.value, 4),
                    points=round(c.points, 2),
                    reason=c.reason,
                )
                for c in a.breakdown
            ),
            match_id=proposed.get(a.mentee_id),
        )
        for a in result.assignments
    ]
    unmatched = [UnmatchedMentee(u.mentee_id, u.reason) for u in result.unmatched]
    unmatched += skipped
    blocking = [
        ReportBlockingPair(
            mentee_id=b.mentee_id,
            mentor_id=b.mentor_id,
            score=round(b.score, 2),
            mentee_score=None if b.mentee_score is None else round(b.mentee_score, 2),
            mentor_weakest=None if b.mentor_weakest is None else round(b.mentor_weakest, 2),
            reason=b.reason,
        )
        for b in result.blocking
    ]
    summary = RunSummary(
        id=run_id,
        program_id=program.id,
        objective=objective,
        preview=preview,
        ran_at=now,
        by=actor.user_id,
        mentees=len(cohort.mentees),
        mentors=len(cohort.mentors),
        matched_count=len(result.assignments) if preview else len(proposed),
        total_score=round(result.total_score, 2),
        mean_score=round(result.mean_score, 2),
        blocking_pairs=result.blocking_pairs,
    )
    return summary, ReportSections(pairs, unmatched, blocking)


async def stored(
    summary: RunSummary,
    sections: ReportSections,
    reports: RunReports,
    events: Events = (),
) -> Report:
    """Store a report with the events its summary's write carries, and answer it."""
    await reports.save(summary, sections, events)
    return Report(
        summary=replace(summary, sizes=sections.sizes),
        proposals=[p.match_id for p in sections.pairs if p.match_id],
        unmatched=sections.unmatched,
    )


async def read_back(summary: RunSummary, reports: RunReports) -> Report:
    """A stored report, as it was answered when it was made. A run stored before reports were
    split kept its proposals and unmatched mentees in its summary."""
    if summary.sizes is None:
        return Report(summary, list(summary.early_proposals), list(summary.early_unmatched))
    pairs = await reports.pairs(summary)
    return Report(
        summary=summary,
        proposals=[p.match_id for p in pairs if p.match_id],
        unmatched=await reports.unmatched(summary),
    )
