"""What the progress use cases need from the outside world, as typed interfaces, and the values
they exchange with it.

The adapters (MongoDB, with the outbox that publishes the events written with each change)
implement them; ``bootstrap`` wires them in; the service-layer tests use in-memory fakes of them.
A conditional write that loses a race raises ``mentorship_runtime.errors.ConcurrentUpdate``; a
lookup of something absent raises ``progress.domain.errors.NotFound``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from mentorship_contracts import Envelope
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.export_part import ExportPart
from progress.domain.learning_paths import LearningPath
from progress.domain.planned_sessions import PlannedSession, When
from progress.domain.report import WeekMarks
from progress.domain.tracking import Tracking

Clock = Callable[[], datetime]
Events = Sequence[Envelope[Any]]
HistoryPart = Literal["check_ins", "milestones", "sessions"]
"""One part of a mentee's history, read without the others (they grow as long as they are
followed)."""


# ---- values -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """A tracking as stored, with who may see it and the version that guards the next write."""

    tracking: Tracking
    version: int
    mentee_user_id: str | None
    mentor_user_id: str | None
    seen_events: frozenset[str] = frozenset()
    """Ids of mentoring's events already applied: a redelivered one is recognised and skipped."""
    mentor_set_by: EventOrder | None = None
    """The event that last set who the current mentor is (a match accepted or closed, a
    withdrawal): an older match event changes nothing. None on a tracking written before this
    was kept, which any event may then set."""


@dataclass(frozen=True)
class ProgramInfo:
    """What progress keeps of a program, from mentoring's latest ProgramPublished."""

    program_id: str
    admin_ids: frozenset[str]
    learning_path_id: str | None
    stall_window: timedelta | None


@dataclass(frozen=True)
class Candidate:
    """A tracking read for stall detection (no history) and the version that guards its write."""

    tracking: Tracking
    version: int


@dataclass(frozen=True)
class Detected:
    """What stall detection decided for a candidate: its tracking after, and the events."""

    candidate: Candidate
    tracking: Tracking
    events: Events


@dataclass(frozen=True)
class MenteePage:
    items: list[Stored]
    next_cursor: str | None


@dataclass(frozen=True)
class PlannedPage:
    items: list[PlannedSession]
    next_cursor: str | None


@dataclass(frozen=True)
class MentorRef:
    """A mentor by their account (a token's user id) or by their participant id."""

    by: Literal["account", "participant"]
    value: str

    @classmethod
    def account(cls, user_id: str) -> MentorRef:
        return cls("account", user_id)

    @classmethod
    def participant(cls, mentor_id: str) -> MentorRef:
        return cls("participant", mentor_id)


@dataclass(frozen=True)
class PathSummary:
    """A learning path's latest version."""

    path_id: str
    title: str
    version: int


@dataclass(frozen=True)
class ParkedEvent:
    """An event about a mentee not tracked yet, kept as it arrived (its JSON text)."""

    event_id: str
    raw: str


@dataclass(frozen=True)
class StoredPlan:
    """A planned session as stored, with the version that guards the next write."""

    session: PlannedSession
    version: int


Record = Mapping[str, object]
"""A record as stored, copied as it is into a person's export (the archive holds what is kept)."""


@dataclass(frozen=True)
class PersonalRecords:
    """Where progress keeps a person's data: their trackings as a mentee, what they recorded as a
    mentor in the trackings of the mentees they follow, and the sessions planned with them."""

    trackings: Sequence[Record]
    recorded_as_mentor: Sequence[Record]
    planned_sessions: Sequence[Record]

    def sections(self) -> dict[str, Sequence[Record]]:
        return {
            "trackings": self.trackings,
            "recorded_as_mentor": self.recorded_as_mentor,
            "planned_sessions": self.planned_sessions,
        }


# ---- the store of trackings, learning paths, programs and parked events ------------------------


class Trackings(Protocol):
    async def get(self, mentee_id: str) -> Stored:
        """The mentee's tracking; ``NotFound`` when none."""
        ...

    async def find(self, mentee_id: str) -> Stored | None: ...

    async def many(self, mentee_ids: Sequence[str]) -> list[Stored]: ...

    async def with_part(self, mentee_id: str, part: HistoryPart | None) -> Stored:
        """The tracking with only ``part`` of its history (None: none of it), for reading
        only; ``NotFound`` when none."""
        ...

    async def of_mentor(self, mentor: MentorRef, limit: int = 1000) -> list[Stored]:
        """A mentor's current mentees (active, completed or paused), by mentee id."""
        ...

    async def mentees_page(
        self,
        mentor: MentorRef,
        *,
        program_ids: Sequence[str] | None,
        first: int,
        after: str | None,
    ) -> MenteePage:
        """A mentor's current mentees, oldest tracking first; ``program_ids`` restricts them
        to those programs."""
        ...

    async def of_program(self, program_id: str) -> list[Stored]: ...

    async def insert(self, stored: Stored, events: Events) -> bool:
        """Write a new tracking with its events; False when the mentee has one already."""
        ...

    async def save(
        self,
        stored: Stored,
        tracking: Tracking,
        events: Events,
        *,
        applied: str | None = None,
        mentor_set_by: EventOrder | None = None,
        **people: str | None,
    ) -> Stored:
        """Write the tracking and its events if it is still at ``stored.version``
        (``ConcurrentUpdate`` otherwise). ``applied``: the id of the event applied;
        ``mentor_set_by``: that event, when it set who the current mentor is; ``people``:
        ``mentee_user_id`` and ``mentor_user_id`` when they change."""
        ...

    def detection_candidates(
        self, *, stall_before: datetime, escalate_before: datetime, batch: int = 1000
    ) -> AsyncIterator[list[Candidate]]:
        """The active trackings that may have stalled (idle since ``stall_before``, not
        signalled yet) or escalate (idle since ``escalate_before``, not escalated), without
        their history, in batches."""
        ...

    async def save_detected(self, detected: Sequence[Detected]) -> int:
        """Write each detection if its tracking is still at the version read (the others are
        left alone); returns how many were written."""
        ...


class LearningPaths(Protocol):
    async def add_path(self, path: LearningPath, *, created_by: str | None) -> bool:
        """Store a new version; False when that version exists already (never overwritten)."""
        ...

    async def path(self, path_id: str, version: int | None = None) -> LearningPath:
        """A version of a path (the latest when None); ``NotFound`` when none."""
        ...

    async def latest_path(self, path_id: str) -> LearningPath: ...

    async def path_summaries(self) -> list[PathSummary]:
        """Every path's latest version, by path id."""
        ...


class Programs(Protocol):
    async def remember_program(
        self,
        program_id: str,
        *,
        admin_ids: list[str],
        name: str,
        learning_path_id: str,
        stall_window_days: int,
        published: EventOrder,
    ) -> bool:
        """Keep this state of the program unless a newer one is kept; whether it was kept."""
        ...

    async def programs_of(self, program_ids: Sequence[str]) -> dict[str, ProgramInfo]: ...

    async def program(self, program_id: str) -> ProgramInfo | None: ...

    async def stall_windows(self) -> dict[str, timedelta]:
        """Every known program's own stall window."""
        ...

    async def programs_administered_by(self, user_id: str) -> list[str]: ...

    async def admins_of(self, program_ids: Sequence[str]) -> dict[str, set[str]]: ...


class ParkedEvents(Protocol):
    async def park(self, mentee_id: str, event_id: str, occurred_at: datetime, raw: str) -> None:
        """Keep an event for later (once, however often it is parked)."""
        ...

    async def parked_for(self, mentee_id: str) -> list[ParkedEvent]:
        """The mentee's parked events, the earliest first."""
        ...

    async def unpark(self, event_id: str) -> None: ...


class TrackingStore(Trackings, LearningPaths, Programs, ParkedEvents, Protocol):
    """Everything progress keeps about mentees, their paths and their programs."""


# ---- planned sessions, the report's read model ------------------------------------------------


class PlannedSessions(Protocol):
    async def get(self, planned_session_id: str) -> StoredPlan:
        """``NotFound`` when none."""
        ...

    async def find(self, planned_session_id: str) -> PlannedSession | None: ...

    async def page_of_mentee(
        self, mentee_id: str, *, when: When, now: datetime, first: int, after: str | None
    ) -> PlannedPage:
        """``first`` of the mentee's planned sessions ``when`` says at ``now``, upcoming ones
        the earliest start first and past ones the latest first, after the cursor ``after``
        (a ``next_cursor`` of the same list; ``Invalid`` on ``after`` when it is not one)."""
        ...

    async def insert(self, session: PlannedSession, events: Events) -> bool:
        """Store a new planned session and its events; False when its id exists already."""
        ...

    async def save(self, stored: StoredPlan, session: PlannedSession, events: Events) -> StoredPlan:
        """Write a change if still at ``stored.version`` (``ConcurrentUpdate`` otherwise)."""
        ...


class ReportMarks(Protocol):
    async def mark(
        self,
        *,
        program_id: str,
        mentee_id: str,
        week: date,
        latest: Mapping[str, str] = {},
        earliest: Mapping[str, str] = {},
        named: Mapping[str, str] = {},
    ) -> None:
        """In the mentee's marks of ``week``: raise each of ``latest`` to its value, lower each
        of ``earliest``, set each of ``named``. Marks are named by dotted keys
        (``last.mentee.<module>``); applying the same marks again changes nothing."""
        ...

    async def of_program(self, program_id: str) -> list[WeekMarks]: ...


# ---- personal data: exports and erasures ------------------------------------------------------


class ErasedParticipations(Protocol):
    async def erased(self, participant_ids: Sequence[str]) -> bool:
        """Whether one of the participations was erased."""
        ...


class Erasures(ErasedParticipations, Protocol):
    async def done(self, erasure_id: str) -> bool: ...

    async def mentored_by(self, mentor_id: str) -> list[str]:
        """The mentees ``mentor_id`` has been a mentor of, now or before."""
        ...

    async def erase_planned(self, participant_id: str) -> int:
        """Remove the texts of the sessions planned with the participant; how many."""
        ...

    async def delete_parked(self, participant_id: str) -> int: ...

    async def delete_parts(self, subject_user_id: str) -> int: ...

    async def record(
        self,
        erasure_id: str,
        participant_ids: Sequence[str],
        counts: dict[str, int],
        done_at: datetime,
        events: Events,
    ) -> bool:
        """Keep the erasure's record (the participations' tombstone) with its events; False
        when it was kept before."""
        ...


class ExportParts(Protocol):
    async def add(self, part: ExportPart, events: Events) -> bool:
        """Keep a part with its events; False when it was kept before."""
        ...

    async def get(self, export_id: str) -> ExportPart | None: ...

    async def delete_expired(self, now: datetime) -> int: ...


class PersonalData(Protocol):
    async def of_participants(self, participant_ids: tuple[str, ...]) -> PersonalRecords: ...
