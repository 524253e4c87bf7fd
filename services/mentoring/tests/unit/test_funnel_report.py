"""A program's funnel, time to match and mentors' load (``domain.report``), with every outcome a
match can have and mentees matched after different waits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from mentoring.domain.data_erasures import PSEUDONYM
from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import Participant, ParticipantStatus
from mentoring.domain.report import FunnelReport, MatchFacts, funnel_report
from services.mentoring.tests.unit.fakes_personal_data import participant

WITHDRAWN = ParticipantStatus.WITHDRAWN
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def mentee(participant_id: str, registered: datetime, *, active: bool = True) -> Participant:
    found = participant(participant_id, "pg_1", f"u-{participant_id}", active=active)
    return replace(found, registered_at=registered)


def mentor(participant_id: str, day: int, capacity: int, *, active: bool = True) -> Participant:
    found = participant(participant_id, "pg_1", f"u-{participant_id}", active=active)
    return replace(found, roles=frozenset({"mentor"}), registered_at=at(day), capacity=capacity)


def match(mentee_id: str, mentor_id: str, status: MatchStatus, decided: datetime) -> MatchFacts:
    return MatchFacts(mentee_id, mentor_id, status, decided)


PEOPLE = [
    mentor("g1", 1, capacity=3),
    mentor("g2", 1, capacity=2),
    mentor("g3", 1, capacity=1, active=False),  # withdrawn: no load shown
    mentee("m1", at(2)),
    mentee("m2", at(3, 0)),
    mentee("m3", at(5)),
    mentee("m4", at(6)),
    mentee("m5", at(7), active=False),  # withdrew before any proposal
    mentee("m6", datetime(2026, 2, 20, tzinfo=UTC)),  # before the period
    mentee("m7", at(8)),
]
MATCHES = [
    match("m1", "g1", MatchStatus.ACTIVE, at(2, 21)),  # 12 hours
    match("m2", "g1", MatchStatus.COMPLETED, at(4, 0)),  # 24 hours
    match("m3", "g2", MatchStatus.ENDED_EARLY, at(5, 15)),  # 6 hours
    match("m3", "g2", MatchStatus.PROPOSED, at(20)),
    match("m4", "g1", MatchStatus.DECLINED, at(6, 12)),
    match("m4", "g3", MatchStatus.EXPIRED, at(9)),
    match("m6", "g1", MatchStatus.COMPLETED, at(2)),
    match("m7", "g2", MatchStatus.ENDED_EARLY, at(10)),  # 48 hours: the first acceptance
    match("m7", "g1", MatchStatus.ACTIVE, at(12)),
]


def test_the_funnel_counts_each_mentee_of_the_period_at_the_furthest_stage_reached() -> None:
    report = funnel_report(PEOPLE, MATCHES, **MARCH)

    assert [(s.stage, s.count, s.conversion) for s in report.funnel] == [
        ("registered", 6, None),
        ("proposed", 5, 0.8333),
        ("accepted", 4, 0.8),
        ("active", 3, 0.75),
        ("completed", 1, 0.3333),
    ]


def test_the_time_to_match_runs_from_registration_to_each_mentees_first_acceptance() -> None:
    report = funnel_report(PEOPLE, MATCHES, **MARCH)

    assert report.time_to_match.matched == 4
    assert (report.time_to_match.median_hours, report.time_to_match.mean_hours) == (18.0, 22.5)


def test_mentors_load_counts_their_active_and_proposed_matches_whenever_they_began() -> None:
    report = funnel_report(PEOPLE, MATCHES, **MARCH)

    assert [(m.mentor.id, m.active, m.proposed, m.load) for m in report.mentors] == [
        ("g1", 2, 0, 0.67),
        ("g2", 0, 1, 0.0),
    ]


def test_erased_mentees_with_no_open_match_count_as_before() -> None:
    """An erasure renames the participation and withdraws it; the matches keep their status
    (an open one would close as at any withdrawal)."""
    before = funnel_report(PEOPLE, MATCHES, **MARCH)
    erased = [
        replace(p, display_name=PSEUDONYM, email="", external_id=None, status=WITHDRAWN)
        if p.id in ("m2", "m5")
        else p
        for p in PEOPLE
    ]

    after: FunnelReport = funnel_report(erased, MATCHES, **MARCH)

    assert after == before
