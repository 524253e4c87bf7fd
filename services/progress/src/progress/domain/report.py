"""A program's report from its read model: weekly counts by status, confidence per module at the
start and now, sessions per active match.

The read model keeps, per program, mentee and ISO week, what the events of that week said of the
mentee, each as a *mark* that only grows or only shrinks, so that the order and the repetition of
events do not matter (``WeekMarks``):

- ``started``: the first acceptance of a match (a mentee is counted from then on);
- ``state``: the latest of ``<moment>|active|<mentor>``, ``<moment>|paused`` and
  ``~stopped`` (a withdrawal is final, so it sorts after every moment);
- ``activity``: the latest check-in, session or milestone;
- ``done``: the first completion of the path;
- ``first`` and ``last``: the first and latest check-in per (assessor, module), as
  ``<moment>|<level>|<check-in tag>``;
- ``drops``: the tags of the check-ins that were drops;
- ``sessions``: the tag of each session logged, with the mentor named by it.

Moments are ISO 8601 strings of the same width (UTC, microseconds), so that comparing them as
text compares them in time. A mentee's status at a moment is the status rules
(``domain.status``) applied to every mark of the weeks up to it. The cost of a report grows with
mentees times the weeks they were active, never with the check-ins recorded.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from progress.domain.errors import Invalid
from progress.domain.status import ProgressStatus, status_of
from progress.domain.tracking import TrackingState

STOPPED_MARK = "~stopped"
MAX_WEEKS = 53
"""A report covers at most a year of weeks."""
ASSESSORS = ("mentee", "mentor")
MODULE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""The module ids a mark may name as they are (a learning path's grammar: no dot, no leading
``$``)."""


def tag(identifier: str) -> str:
    """An id as a mark's key: 16 hex digits of its SHA-256 (any id, whatever it contains)."""
    return hashlib.sha256(identifier.encode()).hexdigest()[:16]


def storable_module(module_id: str) -> bool:
    return MODULE_KEY.fullmatch(module_id) is not None


def moment_mark(moment: datetime) -> str:
    """A moment as text that sorts in time: UTC, always with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def moment_of(mark: str) -> datetime:
    return datetime.strptime(mark, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def week_of(moment: datetime | date) -> date:
    """The Monday starting the ISO week of a moment (at UTC) or a date."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def report_weeks(start: date, end: date) -> list[date]:
    """The Mondays of the weeks from ``start``'s to ``end``'s, both included."""
    if start > end:
        raise Invalid("from", "must not be after to")
    first, last = week_of(start), week_of(end)
    count = (last - first).days // 7 + 1
    if count > MAX_WEEKS:
        raise Invalid("to", f"a report covers at most {MAX_WEEKS} weeks, not {count}")
    return [first + timedelta(weeks=i) for i in range(count)]


@dataclass(frozen=True)
class WeekMarks:
    """What one week's events said of one mentee."""

    mentee_id: str
    week: date
    started: str | None = None
    state: str | None = None
    activity: str | None = None
    done: str | None = None
    first: dict[tuple[str, str], str] = field(default_factory=dict)
    last: dict[tuple[str, str], str] = field(default_factory=dict)
    drops: frozenset[str] = frozenset()
    sessions: dict[str, str] = field(default_factory=dict)


def _later(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b > a) else a


def _earlier(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b < a) else a


@dataclass
class _Mentee:
    """Every mark of a mentee up to some week, folded."""

    started: str | None = None
    state: str | None = None
    activity: str | None = None
    done: str | None = None
    first: dict[tuple[str, str], str] = field(default_factory=dict)
    last: dict[tuple[str, str], str] = field(default_factory=dict)
    drops: set[str] = field(default_factory=set)
    sessions: dict[str, str] = field(default_factory=dict)

    def add(self, marks: WeekMarks) -> None:
        self.started = _earlier(self.started, marks.started)
        self.state = _later(self.state, marks.state)
        self.activity = _later(self.activity, marks.activity)
        self.done = _earlier(self.done, marks.done)
        for key, mark in marks.first.items():
            self.first[key] = _earlier(self.first.get(key), mark) or mark
        for key, mark in marks.last.items():
            self.last[key] = _later(self.last.get(key), mark) or mark
        self.drops |= marks.drops
        self.sessions.update(marks.sessions)

    @property
    def tracking_state(self) -> TrackingState:
        if self.state == STOPPED_MARK:
            return TrackingState.STOPPED
        if self.state is not None and self.state.split("|")[1] == "active":
            return TrackingState.ACTIVE
        return TrackingState.PAUSED

    @property
    def mentor(self) -> str | None:
        parts = (self.state or "").split("|")
        return parts[2] if len(parts) == 3 and parts[1] == "active" else None

    @property
    def active_since(self) -> str | None:
        return self.state.split("|")[0] if self.mentor is not None and self.state else None

    def status(self, now: datetime, stall_window: timedelta) -> ProgressStatus:
        since = [m for m in (self.activity, self.active_since) if m is not None]
        idle_since = moment_of(max(since)) if since else now
        falling = any(mark.split("|")[2] in self.drops for mark in self.last.values())
        return status_of(
            state=self.tracking_state,
            path_complete=self.done is not None,
            idle_since=idle_since,
            confidence_falling=falling,
            now=now,
            stall_window=stall_window,
        )


@dataclass(frozen=True)
class WeekStatuses:
    week: date
    counts: dict[ProgressStatus, int]
    """Mentees by status at the end of the week (now, for the week under way)."""


@dataclass(frozen=True)
class ModuleConfidence:
    module_id: str
    assessed_by: str
    mentees: int
    """Mentees with a check-in on the module by this assessor."""
    at_start: float
    """The mean of their first check-in's level."""
    now: float
    """The mean of their latest check-in's level."""


@dataclass(frozen=True)
class ProgressReport:
    weeks: tuple[WeekStatuses, ...]
    confidence: tuple[ModuleConfidence, ...]
    active_matches: int
    sessions_in_active_matches: int


def progress_report(
    marks: Iterable[WeekMarks], *, weeks: Sequence[date], now: datetime, stall_window: timedelta
) -> ProgressReport:
    """Fold the marks mentee by mentee, week by week; the figures now use every mark."""
    by_mentee: dict[str, list[WeekMarks]] = defaultdict(list)
    for mark in marks:
        by_mentee[mark.mentee_id].append(mark)
    counts = {week: dict.fromkeys(ProgressStatus, 0) for week in weeks}
    current: list[_Mentee] = []
    for found in by_mentee.values():
        found.sort(key=lambda m: m.week)
        mentee, i = _Mentee(), 0
        for week in weeks:
            if datetime.combine(week, datetime.min.time(), UTC) >= now:
                break  # a week not begun yet (the last of year 9999 has no end to compute)
            end = min(datetime.combine(week + timedelta(days=7), datetime.min.time(), UTC), now)
            while i < len(found) and found[i].week <= week:
                mentee.add(found[i])
                i += 1
            if mentee.started:
                counts[week][mentee.status(end, stall_window)] += 1
        for rest in found[i:]:
            mentee.add(rest)
        if mentee.started:
            current.append(mentee)
    return ProgressReport(
        weeks=tuple(WeekStatuses(week, counts[week]) for week in weeks),
        confidence=_confidence(current),
        active_matches=sum(1 for m in current if m.mentor is not None),
        sessions_in_active_matches=sum(
            sum(1 for mentor in m.sessions.values() if mentor == m.mentor)
            for m in current
            if m.mentor is not None
        ),
    )


def _confidence(mentees: Sequence[_Mentee]) -> tuple[ModuleConfidence, ...]:
    starts: dict[tuple[str, str], list[int]] = defaultdict(list)
    latest: dict[tuple[str, str], list[int]] = defaultdict(list)
    for mentee in mentees:
        for key, mark in mentee.first.items():
            starts[key].append(int(mark.split("|")[1]))
        for key, mark in mentee.last.items():
            latest[key].append(int(mark.split("|")[1]))
    return tuple(
        ModuleConfidence(
            module_id=module,
            assessed_by=assessor,
            mentees=len(starts[(assessor, module)]),
            at_start=round(sum(starts[(assessor, module)]) / len(starts[(assessor, module)]), 2),
            now=round(sum(latest[(assessor, module)]) / len(latest[(assessor, module)]), 2),
        )
        for assessor, module in sorted(starts, key=lambda k: (k[1], ASSESSORS.index(k[0])))
    )
