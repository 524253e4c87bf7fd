"""A program's funnel, time to match and mentors' load, from its participants and matches.

The funnel follows the mentees who registered within the period (the cohort), each counted at
the furthest stage they reached by now:

  registered  in the period (withdrawn since included);
  proposed    a mentor was proposed to them (any answer);
  accepted    a mentor accepted (the match became active at once);
  active      the mentoring went on: a match active now, or completed (not ended early);
  completed   a match completed.

Each step's conversion is its count over the previous step's (None when that is zero). The time
to match is from registration to the first acceptance, for the cohort's accepted mentees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import mean, median

from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import Participant

STAGES = ("registered", "proposed", "accepted", "active", "completed")
ACCEPTED = frozenset({MatchStatus.ACTIVE, MatchStatus.COMPLETED, MatchStatus.ENDED_EARLY})
WENT_ON = frozenset({MatchStatus.ACTIVE, MatchStatus.COMPLETED})


@dataclass(frozen=True)
class MatchFacts:
    """A match as the report needs it."""

    mentee_id: str
    mentor_id: str
    status: MatchStatus
    decided_at: datetime | None


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    count: int
    conversion: float | None
    """``count`` over the previous step's count; None for the first step or after a zero."""


@dataclass(frozen=True)
class TimeToMatch:
    matched: int
    median_hours: float | None
    mean_hours: float | None


@dataclass(frozen=True)
class MentorLoad:
    mentor: Participant
    active: int
    proposed: int

    @property
    def load(self) -> float | None:
        """Active matches over capacity."""
        return round(self.active / self.mentor.capacity, 2) if self.mentor.capacity else None


@dataclass(frozen=True)
class FunnelReport:
    funnel: tuple[FunnelStep, ...]
    time_to_match: TimeToMatch
    mentors: tuple[MentorLoad, ...]


def _in_period(moment: datetime, start: date, end: date) -> bool:
    return start <= moment.date() <= end


def funnel_report(
    people: Iterable[Participant], matches: Sequence[MatchFacts], *, start: date, end: date
) -> FunnelReport:
    people = list(people)
    of_mentee: dict[str, list[MatchFacts]] = defaultdict(list)
    of_mentor: dict[str, list[MatchFacts]] = defaultdict(list)
    for match in matches:
        of_mentee[match.mentee_id].append(match)
        of_mentor[match.mentor_id].append(match)
    cohort = [p for p in people if p.is_mentee and _in_period(p.registered_at, start, end)]
    reached = dict.fromkeys(STAGES, 0)
    hours: list[float] = []
    for mentee in cohort:
        theirs = of_mentee.get(mentee.id, [])
        statuses = {m.status for m in theirs}
        reached["registered"] += 1
        reached["proposed"] += bool(theirs)
        reached["accepted"] += bool(statuses & ACCEPTED)
        reached["active"] += bool(statuses & WENT_ON)
        reached["completed"] += MatchStatus.COMPLETED in statuses
        accepted_at = [m.decided_at for m in theirs if m.status in ACCEPTED and m.decided_at]
        if accepted_at:
            waited = min(accepted_at) - mentee.registered_at
            hours.append(max(waited.total_seconds(), 0) / 3600)
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage in STAGES:
        count = reached[stage]
        rate = round(count / previous, 4) if previous else None
        steps.append(FunnelStep(stage, count, rate))
        previous = count
    mentors = tuple(
        MentorLoad(
            p,
            active=sum(m.status is MatchStatus.ACTIVE for m in of_mentor.get(p.id, [])),
            proposed=sum(m.status is MatchStatus.PROPOSED for m in of_mentor.get(p.id, [])),
        )
        for p in sorted(people, key=lambda p: (p.registered_at, p.id))
        if p.is_mentor and p.is_active
    )
    return FunnelReport(
        funnel=tuple(steps),
        time_to_match=TimeToMatch(
            matched=len(hours),
            median_hours=round(median(hours), 2) if hours else None,
            mean_hours=round(mean(hours), 2) if hours else None,
        ),
        mentors=mentors,
    )
