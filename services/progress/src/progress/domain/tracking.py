"""One mentee's journey along a learning path: the aggregate of the progress service.

    start ──▶ active ──pause──▶ paused ──assign_mentor──▶ active
    active | paused ──last milestone done──▶ completed ──reopen──▶ active (paused if no mentor)
    any state ──stop──▶ stopped: final, nothing more is recorded

Every transition returns a ``Transition``: the new tracking, the signals to publish and whether
anything changed. Events are delivered at least once, so recording the same check-in or session
again (same id, same content), completing a completed milestone, pausing a paused tracking... change
nothing and say so; the same id with other content is a conflict.

History is append-only: check-ins, milestone completions and reopenings, sessions and mentors are
kept whatever happens to the path afterwards. A tracking follows one version of its path
(``path_id``, ``path_version``); the transitions that depend on the path take it as an argument and
refuse another version. Moving to a new version (``follow_path_version``) rewrites nothing: a
completion counts for the new version when it has a milestone with that id, in whatever module;
a completion of a milestone the version dropped stays in history and counts nowhere; a new
milestone starts open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, TypedDict

from progress.domain.confidence import latest_is_drop
from progress.domain.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from progress.domain.learning_paths import LearningPath, Module
from progress.domain.signals import (
    CheckInRecorded,
    ConfidenceDropped,
    MenteeBackOnTrack,
    MilestoneCompleted,
    MilestoneReopened,
    ModuleCompleted,
    PathCompleted,
    Role,
    SessionLogged,
    SessionRated,
    Signal,
)
from progress.domain.validation import (
    optional_text,
    require_id,
    require_level,
    require_session_date,
    require_text,
    require_utc,
)

MAX_SESSION_MINUTES = 8 * 60


class TrackingState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED = "completed"


@dataclass(frozen=True)
class MentorAssignment:
    mentor_id: str
    since: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class CheckIn:
    id: str
    module_id: str
    confidence: int
    assessed_by: Role
    note: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class MilestoneEntry:
    """One line of a milestone's history: completed (with evidence) or reopened (with a reason)."""

    milestone_id: str
    module_id: str
    kind: Literal["completed", "reopened"]
    by: Role
    at: datetime
    evidence: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Session:
    id: str
    held_on: date
    duration_minutes: int
    module_ids: tuple[str, ...]
    notes: str | None
    logged_at: datetime
    mentee_rating: int | None = None
    mentor_rating: int | None = None

    def rating_by(self, role: Role) -> int | None:
        return self.mentee_rating if role == "mentee" else self.mentor_rating


@dataclass(frozen=True)
class Transition:
    tracking: Tracking
    signals: tuple[Signal, ...] = ()
    changed: bool = True

    @classmethod
    def unchanged(cls, tracking: Tracking) -> Transition:
        return cls(tracking, (), changed=False)


@dataclass(frozen=True)
class Tracking:
    mentee_id: str
    program_id: str
    path_id: str
    path_version: int
    mentor_id: str | None
    state: TrackingState
    started_at: datetime
    active_since: datetime
    mentors: tuple[MentorAssignment, ...]
    check_ins: tuple[CheckIn, ...] = ()
    milestones: tuple[MilestoneEntry, ...] = ()
    sessions: tuple[Session, ...] = ()
    last_activity_at: datetime | None = None
    stalled_since: datetime | None = None
    stall_episodes: int = 0
    escalated: bool = False

    @classmethod
    def start(
        cls, *, mentee_id: str, program_id: str, path: LearningPath, mentor_id: str, now: datetime
    ) -> Tracking:
        require_id("mentee_id", mentee_id)
        require_id("program_id", program_id)
        _require_mentor(mentor_id, mentee_id)
        require_utc(now)
        return cls(
            mentee_id=mentee_id,
            program_id=program_id,
            path_id=path.id,
            path_version=path.version,
            mentor_id=mentor_id,
            state=TrackingState.ACTIVE,
            started_at=now,
            active_since=now,
            mentors=(MentorAssignment(mentor_id, since=now),),
        )

    @property
    def idle_since(self) -> datetime:
        """Where the stall clock starts: the last activity, or when the tracking last became active.

        A mentee re-matched after a pause gets a whole stall window with the new mentor.
        """
        if self.last_activity_at is None:
            return self.active_since
        return max(self.last_activity_at, self.active_since)

    @property
    def completed_milestone_ids(self) -> frozenset[str]:
        """Milestones whose latest entry is a completion, whatever the path version."""
        latest: dict[str, str] = {}
        for entry in self.milestones:
            latest[entry.milestone_id] = entry.kind
        return frozenset(mid for mid, kind in latest.items() if kind == "completed")

    def milestones_done(self, path: LearningPath) -> frozenset[str]:
        return self.completed_milestone_ids & path.milestone_ids

    def is_module_complete(self, module: Module) -> bool:
        return set(module.milestone_ids) <= self.completed_milestone_ids

    def is_path_complete(self, path: LearningPath) -> bool:
        return path.milestone_ids <= self.completed_milestone_ids

    def require_path(self, path: LearningPath) -> None:
        """Refuse any other path, or version, than the one this tracking follows."""
        if (path.id, path.version) != (self.path_id, self.path_version):
            raise Conflict(
                f"tracking of mentee {self.mentee_id!r} follows path {self.path_id!r} "
                f"version {self.path_version}, not {path.id!r} version {path.version}"
            )

    # -- mentors and state ------------------------------------------------------------------

    def assign_mentor(self, *, mentor_id: str, now: datetime) -> Transition:
        """A match was accepted: the mentee keeps their history and gets this mentor.

        A paused tracking becomes active again and its stall clock restarts.
        """
        _require_mentor(mentor_id, self.mentee_id)
        require_utc(now)
        if self.state is TrackingState.STOPPED:
            raise InvalidTransition(
                "tracking", self.mentee_id, self.state.value, "assign a mentor to"
            )
        if mentor_id == self.mentor_id:
            return Transition.unchanged(self)
        assigned = replace(
            self,
            mentor_id=mentor_id,
            mentors=(*self._closed_mentors(now), MentorAssignment(mentor_id, since=now)),
        )
        if self.state is TrackingState.PAUSED:
            assigned = replace(assigned, state=TrackingState.ACTIVE, active_since=now)
        return Transition(assigned)

    def pause(self, *, now: datetime, mentor_id: str | None = None) -> Transition:
        """The match ended (or was declined) and no other mentor took over.

        Events of an older match may arrive after the mentee was re-matched: name that match's
        mentor, and a pause for someone who is no longer the current mentor changes nothing.
        Pausing ends a stall episode without a signal: nobody is chased while no mentor follows.
        A completed tracking stays completed and only loses its mentor.
        """
        require_utc(now)
        if self.mentor_id is None or (mentor_id is not None and mentor_id != self.mentor_id):
            return Transition.unchanged(self)
        paused = replace(
            self,
            mentor_id=None,
            mentors=self._closed_mentors(now),
            stalled_since=None,
            escalated=False,
        )
        if self.state is TrackingState.ACTIVE:
            paused = replace(paused, state=TrackingState.PAUSED)
        return Transition(paused)

    def stop(self, *, now: datetime) -> Transition:
        """The participant withdrew: the history stays, nothing more is recorded."""
        require_utc(now)
        if self.state is TrackingState.STOPPED:
            return Transition.unchanged(self)
        return Transition(
            replace(
                self,
                state=TrackingState.STOPPED,
                mentor_id=None,
                mentors=self._closed_mentors(now),
                stalled_since=None,
                escalated=False,
            )
        )

    def follow_path_version(self, *, path: LearningPath, now: datetime) -> Transition:
        """Follow a newer version of the same path; history is kept as it was recorded.

        The state follows the new version: complete if every one of its milestones is done
        (PathCompleted is signalled), active again if it adds a milestone to a completed path.
        """
        require_utc(now)
        if path.id != self.path_id:
            raise Conflict(
                f"tracking of mentee {self.mentee_id!r} follows path {self.path_id!r}, "
                f"not {path.id!r}"
            )
        if path.version == self.path_version:
            return Transition.unchanged(self)
        if path.version < self.path_version:
            raise Conflict(
                f"tracking of mentee {self.mentee_id!r} follows version {self.path_version} of "
                f"path {path.id!r} and cannot go back to version {path.version}"
            )
        self._require_open("change the path of")
        moved = replace(self, path_version=path.version)
        complete = moved.is_path_complete(path)
        if complete and self.state is not TrackingState.COMPLETED:
            moved = replace(
                moved, state=TrackingState.COMPLETED, stalled_since=None, escalated=False
            )
            return Transition(moved, (moved._path_completed(path),))
        if not complete and self.state is TrackingState.COMPLETED:
            moved = replace(moved, state=moved._following_state, active_since=now)
        return Transition(moved)

    # -- activity -----------------------------------------------------------------------------

    def record_check_in(
        self,
        *,
        path: LearningPath,
        check_in_id: str,
        module_id: str,
        confidence: int,
        by: Role,
        note: str | None,
        now: datetime,
    ) -> Transition:
        """Keep a confidence level for a module, by the mentee (self-assessment) or the mentor.

        ``ConfidenceDropped`` is signalled when the check-in is a drop (``latest_is_drop``: below
        the previous check-in and either at 1 or 2 levels below the best of the 3 check-ins
        before it), compared with the earlier check-ins of the same module by the same assessor
        only: mentee and mentor do not use the scale alike, and a mentor rating lower than the
        mentee just did is a second opinion, not a loss of confidence. The signal's
        ``previous_confidence`` is the level of the assessor's previous check-in on the module.
        """
        self.require_path(path)
        require_utc(now)
        require_id("check_in_id", check_in_id)
        _require_role("by", by)
        require_level("confidence", confidence)
        note = optional_text("note", note)
        path.module(module_id)
        recorded = CheckIn(check_in_id, module_id, confidence, by, note, recorded_at=now)
        existing = next((c for c in self.check_ins if c.id == check_in_id), None)
        if existing is not None:
            if replace(existing, recorded_at=now) != recorded:
                raise Conflict(f"check-in {check_in_id!r} was already recorded with other values")
            return Transition.unchanged(self)
        self._require_open("record a check-in on")
        earlier = [
            c.confidence for c in self.check_ins if c.module_id == module_id and c.assessed_by == by
        ]
        tracking, resumed = replace(self, check_ins=(*self.check_ins, recorded))._active(now)
        signals: list[Signal] = [
            CheckInRecorded(
                **tracking._who(),
                check_in_id=check_in_id,
                module_id=module_id,
                confidence=confidence,
                assessed_by=by,
            )
        ]
        if latest_is_drop([*earlier, confidence]):
            signals.append(
                ConfidenceDropped(
                    **tracking._who(),
                    check_in_id=check_in_id,
                    module_id=module_id,
                    assessed_by=by,
                    previous_confidence=earlier[-1],
                    confidence=confidence,
                )
            )
        return Transition(tracking, (*signals, *resumed))

    def complete_milestone(
        self,
        *,
        path: LearningPath,
        milestone_id: str,
        evidence: str | None,
        by: Role,
        now: datetime,
    ) -> Transition:
        """Mark a milestone done; the last one of a module, or of the path, is signalled too."""
        self.require_path(path)
        require_utc(now)
        _require_role("by", by)
        evidence = optional_text("evidence", evidence)
        module = path.module_of(milestone_id)
        if milestone_id in self.completed_milestone_ids:
            return Transition.unchanged(self)
        self._require_open("complete a milestone of")
        entry = MilestoneEntry(milestone_id, module.id, "completed", by, now, evidence=evidence)
        tracking = replace(self, milestones=(*self.milestones, entry))
        signals: list[Signal] = [
            MilestoneCompleted(
                **tracking._who(),
                module_id=module.id,
                milestone_id=milestone_id,
                completed_by=by,
            )
        ]
        if tracking.is_module_complete(module):
            signals.append(ModuleCompleted(**tracking._who(), module_id=module.id))
        if tracking.is_path_complete(path):
            tracking = replace(tracking, state=TrackingState.COMPLETED)
            signals.append(tracking._path_completed(path))
        tracking, resumed = tracking._active(now)
        return Transition(tracking, (*signals, *resumed))

    def reopen_milestone(
        self,
        *,
        path: LearningPath,
        milestone_id: str,
        by: Role,
        reason: str,
        now: datetime,
    ) -> Transition:
        """Only the mentor reopens a milestone, saying why; a completed path becomes open again."""
        self.require_path(path)
        require_utc(now)
        _require_role("by", by)
        if by != "mentor":
            raise Forbidden("only the mentor can reopen a milestone")
        reason = require_text("reason", reason)
        module = path.module_of(milestone_id)
        self._require_open("reopen a milestone of")
        if milestone_id not in self.completed_milestone_ids:
            raise Conflict(f"milestone {milestone_id!r} is not completed")
        entry = MilestoneEntry(milestone_id, module.id, "reopened", by, now, reason=reason)
        tracking = replace(self, milestones=(*self.milestones, entry))
        if tracking.state is TrackingState.COMPLETED:
            tracking = replace(tracking, state=tracking._following_state)
        tracking, resumed = tracking._active(now)
        reopened = MilestoneReopened(
            **tracking._who(), module_id=module.id, milestone_id=milestone_id, reason=reason
        )
        return Transition(tracking, (reopened, *resumed))

    def log_session(
        self,
        *,
        path: LearningPath,
        session_id: str,
        held_on: date,
        duration_minutes: int,
        module_ids: Sequence[str],
        notes: str | None,
        now: datetime,
        rating: int | None = None,
        by: Role | None = None,
    ) -> Transition:
        """Log a mentoring session once it was held, within the last year (``held_on``: see
        ``require_session_date``); it lasts from 1 minute to 8 hours.

        Whoever logs it (``by``) may rate it at once; ``SessionLogged`` then says who rated.
        Logging it again with the same values changes nothing, whatever the ratings say.
        """
        self.require_path(path)
        if rating is not None:
            require_level("rating", rating)
            if by is None:
                raise Invalid("by", "say who rates the session")
            _require_role("by", by)
        require_id("session_id", session_id)
        require_utc(now)
        require_session_date(held_on, now)
        if (
            isinstance(duration_minutes, bool)
            or not isinstance(duration_minutes, int)
            or not 1 <= duration_minutes <= MAX_SESSION_MINUTES
        ):
            raise Invalid(
                "duration_minutes",
                f"must be 1 to {MAX_SESSION_MINUTES} minutes (8 hours), got {duration_minutes!r}",
            )
        modules = tuple(dict.fromkeys(module_ids))
        for module_id in modules:
            path.module(module_id)
        notes = optional_text("notes", notes)
        session = Session(session_id, held_on, duration_minutes, modules, notes, logged_at=now)
        existing = next((s for s in self.sessions if s.id == session_id), None)
        if existing is not None:
            if replace(existing, logged_at=now, mentee_rating=None, mentor_rating=None) != session:
                raise Conflict(f"session {session_id!r} was already logged with other values")
            return Transition.unchanged(self)
        self._require_open("log a session on")
        rated_by: tuple[Role, ...] = ()
        if rating is not None and by is not None:
            session = _rated(session, by, rating)
            rated_by = (by,)
        tracking, resumed = replace(self, sessions=(*self.sessions, session))._active(now)
        logged = SessionLogged(
            **tracking._who(),
            session_id=session_id,
            held_on=held_on,
            duration_minutes=duration_minutes,
            module_ids=modules,
            rated_by=rated_by,
        )
        return Transition(tracking, (logged, *resumed))

    def rate_session(self, *, session_id: str, by: Role, rating: int) -> Transition:
        """Each side rates a session from 1 to 5 and may change it; a rating is signalled but
        is not activity (it neither moves the stall clock nor ends a stall)."""
        _require_role("by", by)
        require_level("rating", rating)
        index = next((i for i, s in enumerate(self.sessions) if s.id == session_id), None)
        if index is None:
            raise NotFound("session", session_id)
        session = self.sessions[index]
        if session.rating_by(by) == rating:
            return Transition.unchanged(self)
        self._require_open("rate a session of")
        rated = _rated(session, by, rating)
        tracking = replace(
            self, sessions=(*self.sessions[:index], rated, *self.sessions[index + 1 :])
        )
        signal = SessionRated(**tracking._who(), session_id=session_id, rated_by=by, rating=rating)
        return Transition(tracking, (signal,))

    # -- helpers ------------------------------------------------------------------------------

    def _require_open(self, action: str) -> None:
        if self.state is TrackingState.STOPPED:
            raise InvalidTransition("tracking", self.mentee_id, self.state.value, action)

    @property
    def _following_state(self) -> TrackingState:
        return TrackingState.ACTIVE if self.mentor_id is not None else TrackingState.PAUSED

    def _closed_mentors(self, now: datetime) -> tuple[MentorAssignment, ...]:
        return tuple(
            replace(assignment, until=now) if assignment.until is None else assignment
            for assignment in self.mentors
        )

    def _active(self, now: datetime) -> tuple[Tracking, tuple[Signal, ...]]:
        """Activity moves the stall clock and ends a signalled stall episode."""
        last = now if self.last_activity_at is None else max(self.last_activity_at, now)
        if self.stalled_since is None:
            return replace(self, last_activity_at=last), ()
        resumed = replace(self, last_activity_at=last, stalled_since=None, escalated=False)
        return resumed, (
            MenteeBackOnTrack(**resumed._who(), resumed_at=now, episode=self.stall_episodes),
        )

    def _path_completed(self, path: LearningPath) -> PathCompleted:
        return PathCompleted(
            **self._who(), learning_path_id=path.id, learning_path_version=path.version
        )

    def _who(self) -> _Who:
        return {
            "mentee_id": self.mentee_id,
            "mentor_id": self.mentor_id,
            "program_id": self.program_id,
        }


class _Who(TypedDict):
    mentee_id: str
    mentor_id: str | None
    program_id: str


def _rated(session: Session, by: Role, rating: int) -> Session:
    if by == "mentee":
        return replace(session, mentee_rating=rating)
    return replace(session, mentor_rating=rating)


def _require_role(field: str, role: str) -> None:
    if role not in ("mentee", "mentor"):
        raise Invalid(field, f"must be 'mentee' or 'mentor', got {role!r}")


def _require_mentor(mentor_id: str, mentee_id: str) -> None:
    require_id("mentor_id", mentor_id)
    if mentor_id == mentee_id:
        raise Invalid("mentor_id", "a mentee cannot be their own mentor")
