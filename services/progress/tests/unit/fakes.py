"""In-memory implementations of progress's ports (``progress.service_layer.ports``), for the
service-layer tests: dicts and lists with the stores' semantics (a write under a stale version is
refused with ``ConcurrentUpdate``, an insert of an existing id returns False, an older program
state never replaces a newer one). Every event written with a change is kept in ``events``, in
the order written, as the outbox would publish it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.export_part import ExportPart
from mentorship_runtime.pagination import decode_cursor, encode_cursor
from progress.domain.errors import NotFound
from progress.domain.learning_paths import LearningPath
from progress.domain.planned_sessions import KIND, PlannedSession, When
from progress.domain.report import WeekMarks
from progress.domain.tracking import Tracking, TrackingState
from progress.service_layer.ports import (
    Candidate,
    Detected,
    Events,
    HistoryPart,
    MenteePage,
    MentorRef,
    ParkedEvent,
    PathSummary,
    PersonalRecords,
    PlannedPage,
    ProgramInfo,
    Stored,
    StoredPlan,
)

CURRENT = (TrackingState.ACTIVE, TrackingState.COMPLETED, TrackingState.PAUSED)
HISTORY: tuple[HistoryPart, ...] = ("check_ins", "milestones", "sessions")


@dataclass
class Outbox:
    """The events written with the changes, in the order written."""

    events: list[Envelope[Any]] = field(default_factory=list)

    def types(self) -> list[str]:
        return [e.type for e in self.events]

    def add(self, events: Events) -> None:
        self.events.extend(events)


@dataclass
class KeptProgram:
    info: ProgramInfo
    name: str
    published: EventOrder


@dataclass
class Parked:
    mentee_id: str
    occurred_at: datetime
    raw: str


class FakeTrackingStore:
    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox = outbox or Outbox()
        self.trackings: dict[str, Stored] = {}
        self.mentors_ever: dict[str, set[str]] = {}
        self.paths: dict[tuple[str, int], LearningPath] = {}
        self.programs: dict[str, KeptProgram] = {}
        self.parked: dict[str, Parked] = {}

    # ---- trackings ----------------------------------------------------------------------------

    async def get(self, mentee_id: str) -> Stored:
        found = self.trackings.get(mentee_id)
        if found is None:
            raise NotFound("mentee", mentee_id)
        return found

    async def find(self, mentee_id: str) -> Stored | None:
        return self.trackings.get(mentee_id)

    async def many(self, mentee_ids: Sequence[str]) -> list[Stored]:
        return [self.trackings[i] for i in mentee_ids if i in self.trackings]

    async def with_part(self, mentee_id: str, part: HistoryPart | None) -> Stored:
        stored = await self.get(mentee_id)
        emptied = {name: () for name in HISTORY if name != part}
        tracking = replace(stored.tracking, **emptied)  # type: ignore[arg-type]
        return Stored(tracking, stored.version, stored.mentee_user_id, stored.mentor_user_id)

    def _of_mentor(self, mentor: MentorRef) -> list[Stored]:
        def named(stored: Stored) -> bool:
            if mentor.by == "account":
                return stored.mentor_user_id == mentor.value
            return stored.tracking.mentor_id == mentor.value

        return [s for s in self.trackings.values() if named(s) and s.tracking.state in CURRENT]

    async def of_mentor(self, mentor: MentorRef, limit: int = 1000) -> list[Stored]:
        return sorted(self._of_mentor(mentor), key=lambda s: s.tracking.mentee_id)[:limit]

    async def mentees_page(
        self,
        mentor: MentorRef,
        *,
        program_ids: Sequence[str] | None,
        first: int,
        after: str | None,
    ) -> MenteePage:
        found = [
            s
            for s in self._of_mentor(mentor)
            if program_ids is None or s.tracking.program_id in program_ids
        ]
        found.sort(key=lambda s: (s.tracking.started_at, s.tracking.mentee_id))
        if after is not None:
            moment, identifier = decode_cursor(after)
            found = [
                s
                for s in found
                if (s.tracking.started_at, s.tracking.mentee_id) > (moment, identifier)
            ]
        items = found[:first]
        last = items[-1].tracking if len(found) > first and items else None
        return MenteePage(items, encode_cursor(last.started_at, last.mentee_id) if last else None)

    async def of_program(self, program_id: str) -> list[Stored]:
        return [s for s in self.trackings.values() if s.tracking.program_id == program_id]

    def _keep(self, stored: Stored) -> None:
        self.trackings[stored.tracking.mentee_id] = stored
        ever = self.mentors_ever.setdefault(stored.tracking.mentee_id, set())
        ever.update(m.mentor_id for m in stored.tracking.mentors)

    async def insert(self, stored: Stored, events: Events) -> bool:
        if stored.tracking.mentee_id in self.trackings:
            return False
        self._keep(replace(stored, version=0))
        self.outbox.add(events)
        return True

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
        current = self.trackings.get(tracking.mentee_id)
        if current is None or current.version != stored.version:
            raise ConcurrentUpdate("tracking", tracking.mentee_id)
        updated = Stored(
            tracking,
            stored.version + 1,
            people.get("mentee_user_id", stored.mentee_user_id),
            people.get("mentor_user_id", stored.mentor_user_id),
            stored.seen_events | ({applied} if applied else set()),
            mentor_set_by or stored.mentor_set_by,
        )
        self._keep(updated)
        self.outbox.add(events)
        return updated

    async def detection_candidates(
        self, *, stall_before: datetime, escalate_before: datetime, batch: int = 1000
    ) -> AsyncIterator[list[Candidate]]:
        def idle_since(t: Tracking, moment: datetime) -> bool:
            return t.active_since <= moment and (
                t.last_activity_at is None or t.last_activity_at <= moment
            )

        found = [
            Candidate(replace(s.tracking, check_ins=(), milestones=(), sessions=()), s.version)
            for s in self.trackings.values()
            if s.tracking.state is TrackingState.ACTIVE
            and (
                (s.tracking.stalled_since is None and idle_since(s.tracking, stall_before))
                or (not s.tracking.escalated and idle_since(s.tracking, escalate_before))
            )
        ]
        for start in range(0, len(found), batch):
            yield found[start : start + batch]

    async def save_detected(self, detected: Sequence[Detected]) -> int:
        written = 0
        for item in detected:
            current = self.trackings.get(item.tracking.mentee_id)
            if current is None or current.version != item.candidate.version:
                continue
            tracking = replace(
                current.tracking,
                stalled_since=item.tracking.stalled_since,
                stall_episodes=item.tracking.stall_episodes,
                escalated=item.tracking.escalated,
            )
            self._keep(replace(current, tracking=tracking, version=current.version + 1))
            self.outbox.add(item.events)
            written += 1
        return written

    # ---- learning paths -------------------------------------------------------------------------

    async def add_path(self, path: LearningPath, *, created_by: str | None) -> bool:
        if (path.id, path.version) in self.paths:
            return False
        self.paths[(path.id, path.version)] = path
        return True

    async def path(self, path_id: str, version: int | None = None) -> LearningPath:
        if version is None:
            return await self.latest_path(path_id)
        found = self.paths.get((path_id, version))
        if found is None:
            raise NotFound("learning path", f"{path_id} version {version}")
        return found

    async def latest_path(self, path_id: str) -> LearningPath:
        versions = [p for (i, _), p in self.paths.items() if i == path_id]
        if not versions:
            raise NotFound("learning path", path_id)
        return max(versions, key=lambda p: p.version)

    async def path_summaries(self) -> list[PathSummary]:
        ids = sorted({i for i, _ in self.paths})
        latest = [await self.latest_path(i) for i in ids]
        return [PathSummary(p.id, p.title, p.version) for p in latest]

    # ---- programs -------------------------------------------------------------------------------

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
        kept = self.programs.get(program_id)
        if kept is not None and not published.supersedes(kept.published):
            return False
        info = ProgramInfo(
            program_id,
            frozenset(admin_ids),
            learning_path_id,
            timedelta(days=stall_window_days) if stall_window_days else None,
        )
        self.programs[program_id] = KeptProgram(info, name, published)
        return True

    async def programs_of(self, program_ids: Sequence[str]) -> dict[str, ProgramInfo]:
        return {i: self.programs[i].info for i in program_ids if i in self.programs}

    async def program(self, program_id: str) -> ProgramInfo | None:
        kept = self.programs.get(program_id)
        return kept.info if kept else None

    async def stall_windows(self) -> dict[str, timedelta]:
        return {
            i: kept.info.stall_window
            for i, kept in self.programs.items()
            if kept.info.stall_window is not None
        }

    async def programs_administered_by(self, user_id: str) -> list[str]:
        return [i for i, kept in self.programs.items() if user_id in kept.info.admin_ids]

    async def admins_of(self, program_ids: Sequence[str]) -> dict[str, set[str]]:
        return {i: set(info.admin_ids) for i, info in (await self.programs_of(program_ids)).items()}

    # ---- parked events --------------------------------------------------------------------------

    async def park(self, mentee_id: str, event_id: str, occurred_at: datetime, raw: str) -> None:
        self.parked.setdefault(event_id, Parked(mentee_id, occurred_at, raw))

    async def parked_for(self, mentee_id: str) -> list[ParkedEvent]:
        mine = [(p.occurred_at, i, p) for i, p in self.parked.items() if p.mentee_id == mentee_id]
        return [ParkedEvent(i, p.raw) for _, i, p in sorted(mine, key=lambda x: x[0])]

    async def unpark(self, event_id: str) -> None:
        self.parked.pop(event_id, None)


class FakePlannedSessions:
    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox = outbox or Outbox()
        self.sessions: dict[str, StoredPlan] = {}

    async def get(self, planned_session_id: str) -> StoredPlan:
        found = self.sessions.get(planned_session_id)
        if found is None:
            raise NotFound(KIND, planned_session_id)
        return found

    async def find(self, planned_session_id: str) -> PlannedSession | None:
        found = self.sessions.get(planned_session_id)
        return found.session if found else None

    async def page_of_mentee(
        self, mentee_id: str, *, when: When, now: datetime, first: int, after: str | None
    ) -> PlannedPage:
        latest_first = when is When.PAST
        mine = sorted(
            (
                (p.session.schedule.starts_at, p.session.id, p.session)
                for p in self.sessions.values()
                if p.session.mentee_id == mentee_id and when.includes(p.session, now)
            ),
            key=lambda found: found[:2],
            reverse=latest_first,
        )
        if after is not None:
            moment, identifier = decode_cursor(after)
            position = (moment if moment.tzinfo else moment.replace(tzinfo=UTC), identifier)
            mine = [m for m in mine if (m[:2] < position if latest_first else m[:2] > position)]
        items = [session for _, _, session in mine[:first]]
        more = len(mine) > first and items
        cursor = encode_cursor(items[-1].schedule.starts_at, items[-1].id) if more else None
        return PlannedPage(items, cursor)

    async def insert(self, session: PlannedSession, events: Events) -> bool:
        if session.id in self.sessions:
            return False
        self.sessions[session.id] = StoredPlan(session, 0)
        self.outbox.add(events)
        return True

    async def save(self, stored: StoredPlan, session: PlannedSession, events: Events) -> StoredPlan:
        current = self.sessions.get(session.id)
        if current is None or current.version != stored.version:
            raise ConcurrentUpdate(KIND, session.id)
        updated = StoredPlan(session, stored.version + 1)
        self.sessions[session.id] = updated
        self.outbox.add(events)
        return updated


class FakeReportMarks:
    """Each mentee's marks per week, by their dotted names (``last.mentee.<module>``)."""

    def __init__(self) -> None:
        self.weeks: dict[tuple[str, str], dict[date, dict[str, str]]] = {}

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
        marks = self.weeks.setdefault((program_id, mentee_id), {}).setdefault(week, {})
        for key, value in latest.items():
            marks[key] = max(marks.get(key, value), value)
        for key, value in earliest.items():
            marks[key] = min(marks.get(key, value), value)
        marks.update(named)

    async def of_program(self, program_id: str) -> list[WeekMarks]:
        return [
            _week_marks(mentee_id, week, marks)
            for (program, mentee_id), weeks in self.weeks.items()
            if program == program_id
            for week, marks in weeks.items()
        ]


def _week_marks(mentee_id: str, week: date, marks: dict[str, str]) -> WeekMarks:
    def under(prefix: str) -> dict[str, str]:
        return {k[len(prefix) + 1 :]: v for k, v in marks.items() if k.startswith(prefix + ".")}

    def per_module(name: str) -> dict[tuple[str, str], str]:
        return {
            (assessor, module): value
            for key, value in under(name).items()
            for assessor, module in [key.split(".", 1)]
        }

    return WeekMarks(
        mentee_id=mentee_id,
        week=week,
        started=marks.get("started"),
        state=marks.get("state"),
        activity=marks.get("activity"),
        done=marks.get("done"),
        first=per_module("first"),
        last=per_module("last"),
        drops=frozenset(under("drops")),
        sessions=under("sessions"),
    )


@dataclass
class ErasureRecord:
    participant_ids: tuple[str, ...]
    counts: dict[str, int]
    done_at: datetime


class FakeExportParts:
    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox = outbox or Outbox()
        self.parts: dict[str, ExportPart] = {}

    async def add(self, part: ExportPart, events: Events) -> bool:
        if part.export_id in self.parts:
            return False
        self.parts[part.export_id] = part
        self.outbox.add(events)
        return True

    async def get(self, export_id: str) -> ExportPart | None:
        return self.parts.get(export_id)

    async def delete_expired(self, now: datetime) -> int:
        expired = [i for i, p in self.parts.items() if p.expires_at <= now]
        for export_id in expired:
            del self.parts[export_id]
        return len(expired)


class FakeErasures:
    """The erasure records, and what an erasure changes in the other fakes."""

    def __init__(
        self,
        store: FakeTrackingStore,
        planned: FakePlannedSessions,
        parts: FakeExportParts,
        outbox: Outbox | None = None,
    ) -> None:
        self.outbox = outbox or Outbox()
        self.store = store
        self.planned = planned
        self.parts = parts
        self.records: dict[str, ErasureRecord] = {}

    async def erased(self, participant_ids: Sequence[str]) -> bool:
        return any(
            participant_id in record.participant_ids
            for record in self.records.values()
            for participant_id in participant_ids
        )

    async def done(self, erasure_id: str) -> bool:
        return erasure_id in self.records

    async def mentored_by(self, mentor_id: str) -> list[str]:
        return sorted(i for i, ever in self.store.mentors_ever.items() if mentor_id in ever)

    async def erase_planned(self, participant_id: str) -> int:
        erased = 0
        for planned_id, kept in list(self.planned.sessions.items()):
            session = kept.session
            texts = (session.schedule.location, session.schedule.video_url, session.cancel_reason)
            if participant_id not in (session.mentee_id, session.mentor_id) or texts == (
                None,
                None,
                None,
            ):
                continue
            schedule = replace(session.schedule, location=None, video_url=None)
            without = replace(session, schedule=schedule, cancel_reason=None)
            self.planned.sessions[planned_id] = StoredPlan(without, kept.version + 1)
            erased += 1
        return erased

    async def delete_parked(self, participant_id: str) -> int:
        mine = [i for i, p in self.store.parked.items() if p.mentee_id == participant_id]
        for event_id in mine:
            del self.store.parked[event_id]
        return len(mine)

    async def delete_parts(self, subject_user_id: str) -> int:
        mine = [i for i, p in self.parts.parts.items() if p.subject_user_id == subject_user_id]
        for export_id in mine:
            del self.parts.parts[export_id]
        return len(mine)

    async def record(
        self,
        erasure_id: str,
        participant_ids: Sequence[str],
        counts: dict[str, int],
        done_at: datetime,
        events: Events,
    ) -> bool:
        if erasure_id in self.records:
            return False
        self.records[erasure_id] = ErasureRecord(tuple(participant_ids), dict(counts), done_at)
        self.outbox.add(events)
        return True


class FakePersonalData:
    """What each participant's records are, as the test says."""

    def __init__(self, records: dict[str, PersonalRecords] | None = None) -> None:
        self.records = records or {}

    async def of_participants(self, participant_ids: tuple[str, ...]) -> PersonalRecords:
        found = [self.records[i] for i in participant_ids if i in self.records]
        return PersonalRecords(
            trackings=[r for each in found for r in each.trackings],
            recorded_as_mentor=[r for each in found for r in each.recorded_as_mentor],
            planned_sessions=[r for each in found for r in each.planned_sessions],
        )
