"""A mentee's history in detail, page by page, as a given reader may see it.

Who sees what (``Sight``): the mentee and their current mentor see everything, words included
(check-in notes, milestone evidence, reasons for reopening, session notes); an admin of the
mentee's program sees the figures only (levels, dates, who assessed or completed, durations,
modules, ratings): every text is left out (None). Deciding who the reader is belongs to the
service layer; this module only shapes what they get.

Pages are keyset pages: a cursor names the last item given, never a position, so an item recorded
between two pages neither repeats nor hides one. Orders:

- milestones: the order of the path version the mentee follows;
- check-ins: newest first (``recorded_at``, then id);
- a module's confidence series: oldest first (``recorded_at``, then id), ready to plot;
- sessions: the latest held first (``held_on``, then id).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from progress.domain.errors import Invalid, NotFound
from progress.domain.learning_paths import LearningPath
from progress.domain.signals import Role
from progress.domain.tracking import CheckIn, MilestoneEntry, Session, Tracking

T = TypeVar("T")


class Sight(StrEnum):
    FULL = "full"
    """The mentee and their current mentor: everything."""
    FIGURES = "figures"
    """The program's admins: figures and dates, no text a person wrote."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class MilestoneLine:
    """One milestone of the path for one mentee: done or not, and its whole history."""

    milestone_id: str
    module_id: str
    title: str
    done: bool
    completed_at: datetime | None
    completed_by: Role | None
    evidence: str | None
    history: tuple[MilestoneEntry, ...]
    """Every completion and reopening of it, oldest first (reopenings carry their reason)."""


@dataclass(frozen=True)
class ConfidencePoint:
    check_in_id: str
    recorded_at: datetime
    confidence: int
    assessed_by: Role


# ---- cursors ---------------------------------------------------------------------------------


def _encode(kind: str, *parts: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([kind, *parts]).encode()).decode()


def _decode(cursor: str, kind: str, size: int) -> list[str]:
    """The parts of a cursor this module wrote for ``kind``; anything else is ``Invalid``."""
    problem = Invalid("after", "not a cursor returned by this list")
    try:
        parts: Any = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise problem from None
    if (
        not isinstance(parts, list)
        or len(parts) != size + 1
        or parts[0] != kind
        or not all(isinstance(p, str) for p in parts)
    ):
        raise problem
    return parts[1:]


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid("after", "not a cursor returned by this list") from None
    if moment.utcoffset() is None:
        raise Invalid("after", "not a cursor returned by this list")
    return moment


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("after", "not a cursor returned by this list") from None


def _page(
    ordered: Sequence[T], first: int, *, past: Callable[[T], bool], cursor: Callable[[T], str]
) -> Page[T]:
    """The ``first`` items of ``ordered`` that come after the cursor (``past`` says which)."""
    remaining = [item for item in ordered if past(item)]
    items = tuple(remaining[:first])
    more = len(remaining) > first
    return Page(items, cursor(items[-1]) if more and items else None)


# ---- what a reader may see -------------------------------------------------------------------


def _check_in_seen(check_in: CheckIn, sight: Sight) -> CheckIn:
    return check_in if sight is Sight.FULL else replace(check_in, note=None)


def _entry_seen(entry: MilestoneEntry, sight: Sight) -> MilestoneEntry:
    return entry if sight is Sight.FULL else replace(entry, evidence=None, reason=None)


def _session_seen(session: Session, sight: Sight) -> Session:
    return session if sight is Sight.FULL else replace(session, notes=None)


# ---- the lists -------------------------------------------------------------------------------


def milestones(
    tracking: Tracking, path: LearningPath, sight: Sight, *, first: int, after: str | None
) -> Page[MilestoneLine]:
    """The milestones of the path version the mentee follows, in the path's order.

    A milestone is done when its latest entry is a completion; ``completed_at``, ``completed_by``
    and ``evidence`` are that completion's. Entries of milestones the version dropped stay in the
    tracking and are not listed here.
    """
    tracking.require_path(path)
    history: dict[str, list[MilestoneEntry]] = {}
    for entry in tracking.milestones:
        history.setdefault(entry.milestone_id, []).append(_entry_seen(entry, sight))
    lines: list[MilestoneLine] = []
    for module in path.modules:
        for milestone in module.milestones:
            entries = tuple(history.get(milestone.id, ()))
            latest = entries[-1] if entries else None
            done = latest is not None and latest.kind == "completed"
            lines.append(
                MilestoneLine(
                    milestone_id=milestone.id,
                    module_id=module.id,
                    title=milestone.title,
                    done=done,
                    completed_at=latest.at if done and latest else None,
                    completed_by=latest.by if done and latest else None,
                    evidence=latest.evidence if done and latest else None,
                    history=entries,
                )
            )
    start = 0
    if after is not None:
        (milestone_id,) = _decode(after, "ms", 1)
        position = next((i for i, x in enumerate(lines) if x.milestone_id == milestone_id), None)
        if position is None:
            raise Invalid("after", "not a cursor returned by this list")
        start = position + 1
    indexed = list(enumerate(lines))
    page = _page(
        indexed,
        first,
        past=lambda pair: pair[0] >= start,
        cursor=lambda pair: _encode("ms", pair[1].milestone_id),
    )
    return Page(tuple(line for _, line in page.items), page.next_cursor)


def check_ins(
    tracking: Tracking,
    sight: Sight,
    *,
    module_id: str | None,
    first: int,
    after: str | None,
) -> Page[CheckIn]:
    """Check-ins, newest first, of every module or of one (``module_id``), whatever the path
    version they were recorded under."""
    chosen = [c for c in tracking.check_ins if module_id is None or c.module_id == module_id]
    ordered = sorted(chosen, key=lambda c: (c.recorded_at, c.id), reverse=True)
    bound: tuple[datetime, str] | None = None
    if after is not None:
        moment, identifier = _decode(after, "ci", 2)
        bound = (_moment(moment), identifier)
    page = _page(
        ordered,
        first,
        past=lambda c: bound is None or (c.recorded_at, c.id) < bound,
        cursor=lambda c: _encode("ci", c.recorded_at.isoformat(), c.id),
    )
    return Page(tuple(_check_in_seen(c, sight) for c in page.items), page.next_cursor)


def confidence_series(
    tracking: Tracking, *, module_id: str, first: int, after: str | None
) -> Page[ConfidencePoint]:
    """One module's confidence levels, oldest first, by both assessors (figures only: every
    reader who may see the mentee may see it)."""
    points = sorted(
        (
            ConfidencePoint(c.id, c.recorded_at, c.confidence, c.assessed_by)
            for c in tracking.check_ins
            if c.module_id == module_id
        ),
        key=lambda p: (p.recorded_at, p.check_in_id),
    )
    bound: tuple[datetime, str] | None = None
    if after is not None:
        moment, identifier = _decode(after, "cs", 2)
        bound = (_moment(moment), identifier)
    return _page(
        points,
        first,
        past=lambda p: bound is None or (p.recorded_at, p.check_in_id) > bound,
        cursor=lambda p: _encode("cs", p.recorded_at.isoformat(), p.check_in_id),
    )


def sessions(tracking: Tracking, sight: Sight, *, first: int, after: str | None) -> Page[Session]:
    """Sessions, the latest held first (same day: by id, descending)."""
    ordered = sorted(tracking.sessions, key=lambda s: (s.held_on, s.id), reverse=True)
    bound: tuple[date, str] | None = None
    if after is not None:
        day, identifier = _decode(after, "ss", 2)
        bound = (_day(day), identifier)
    page = _page(
        ordered,
        first,
        past=lambda s: bound is None or (s.held_on, s.id) < bound,
        cursor=lambda s: _encode("ss", s.held_on.isoformat(), s.id),
    )
    return Page(tuple(_session_seen(s, sight) for s in page.items), page.next_cursor)


def check_in(tracking: Tracking, sight: Sight, check_in_id: str) -> CheckIn:
    found = next((c for c in tracking.check_ins if c.id == check_in_id), None)
    if found is None:
        raise NotFound("check-in", check_in_id)
    return _check_in_seen(found, sight)


def session(tracking: Tracking, sight: Sight, session_id: str) -> Session:
    found = next((s for s in tracking.sessions if s.id == session_id), None)
    if found is None:
        raise NotFound("session", session_id)
    return _session_seen(found, sight)
