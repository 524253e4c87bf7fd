"""In-memory implementations of the core mentoring ports (``service_layer.ports``, first section).

They keep what the real stores keep, in dicts and lists, and refuse what they refuse: an update
at a stale version is ``ConcurrentUpdate``, a second registration of an account in a program is
``AlreadyRegistered``, a place beyond a participant's limit is ``CapacityFull``; an insert under
a taken id finds what is stored. Every write's events land in ``Fakes.published``, in order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from mentoring.domain.errors import AlreadyRegistered, CapacityFull, Conflict, NotFound
from mentoring.domain.matches import Match, MatchStatus
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentoring.domain.report import MatchFacts
from mentoring.service_layer.handlers import Context
from mentoring.service_layer.ports import (
    Earlier,
    Events,
    HeldPlaces,
    ImportRecord,
    MatchFilter,
    MatchSides,
    Page,
    ReportBlockingPair,
    ReportPair,
    ReportSections,
    RunClaim,
    RunSummary,
    StoredRun,
    UnmatchedMentee,
)
from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.pagination import decode_cursor, encode_cursor
from mentorship_testing.clock import Clock


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(i for i in ids if i))


@dataclass
class FakeStore:
    published: list[Envelope[Any]] = field(default_factory=list)
    programs: dict[str, Program] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)
    fingerprints: dict[str, str | None] = field(default_factory=dict)
    runs: dict[str, StoredRun] = field(default_factory=dict)
    """Matching runs by id: their claim, then their report's summary (shared with the reports,
    as the real ones share a collection)."""

    # ---- programs ---------------------------------------------------------------------------

    async def add_program(
        self, program: Program, events: Events, *, fingerprint: str | None = None
    ) -> Earlier[Program] | None:
        if program.id in self.programs:
            return Earlier(self.programs[program.id], self.fingerprints.get(program.id))
        self.programs[program.id] = program
        self.fingerprints[program.id] = fingerprint
        self.published.extend(events)
        return None

    async def program_created(self, program_id: str) -> Earlier[Program] | None:
        if program_id not in self.programs:
            return None
        return Earlier(self.programs[program_id], self.fingerprints.get(program_id))

    async def save_program(self, program: Program, events: Events) -> Program:
        stored = self.programs.get(program.id)
        if stored is None or stored.version != program.version:
            raise ConcurrentUpdate("program", program.id)
        saved = replace(program, version=program.version + 1)
        self.programs[program.id] = saved
        self.published.extend(events)
        return saved

    async def program(self, program_id: str) -> Program:
        if program_id not in self.programs:
            raise NotFound("program", program_id)
        return self.programs[program_id]

    async def programs_by_ids(self, ids: Sequence[str]) -> list[Program]:
        return [self.programs[i] for i in _unique(ids) if i in self.programs]

    async def programs_of_admin(
        self, user_id: str, limit: int, after: str | None = None
    ) -> list[Program]:
        mine = [
            p
            for p in self.programs.values()
            if user_id in p.admin_ids and (after is None or p.id > after)
        ]
        return sorted(mine, key=lambda p: p.id)[:limit]

    # ---- participants -----------------------------------------------------------------------

    async def add_participant(
        self, participant: Participant, events: Events, *, fingerprint: str | None = None
    ) -> Earlier[Participant] | None:
        if participant.id in self.participants:
            stored = self.participants[participant.id]
            return Earlier(stored, self.fingerprints.get(participant.id))
        registered = await self.participant_of_user(participant.program_id, participant.user_id)
        if registered is not None:
            raise AlreadyRegistered(participant.user_id, participant.program_id, registered.id)
        if participant.external_id is not None and await self.participant_of_external_id(
            participant.program_id, participant.external_id
        ):
            raise Conflict(f"participant {participant.id!r} could not be registered; try again")
        self.participants[participant.id] = participant
        self.fingerprints[participant.id] = fingerprint
        self.published.extend(events)
        return None

    async def participant_created(self, participant_id: str) -> Earlier[Participant] | None:
        if participant_id not in self.participants:
            return None
        stored = self.participants[participant_id]
        return Earlier(stored, self.fingerprints.get(participant_id))

    async def save_participant(self, participant: Participant, events: Events) -> Participant:
        stored = self.participants.get(participant.id)
        if stored is None or stored.version != participant.version:
            raise ConcurrentUpdate("participant", participant.id)
        self.participants[participant.id] = replace(
            participant, version=participant.version + 1, open_matches=stored.open_matches
        )
        self.published.extend(events)
        return replace(participant, version=participant.version + 1)

    async def participant(self, participant_id: str) -> Participant:
        if participant_id not in self.participants:
            raise NotFound("participant", participant_id)
        return self.participants[participant_id]

    async def participants_by_ids(self, ids: Sequence[str]) -> list[Participant]:
        return [self.participants[i] for i in _unique(ids) if i in self.participants]

    async def participant_ids_of_user(self, user_id: str) -> list[str]:
        return [p.id for p in self.participants.values() if p.user_id == user_id]

    async def participant_of_user(self, program_id: str, user_id: str) -> Participant | None:
        for p in self.participants.values():
            if (p.program_id, p.user_id) == (program_id, user_id):
                return p
        return None

    async def participant_of_external_id(
        self, program_id: str, external_id: str
    ) -> Participant | None:
        for p in self.participants.values():
            if (p.program_id, p.external_id) == (program_id, external_id):
                return p
        return None

    async def participants_of_email(
        self, program_id: str, email: str, limit: int = 2
    ) -> list[Participant]:
        found = [
            p for p in self.participants.values() if (p.program_id, p.email) == (program_id, email)
        ]
        return found[:limit]

    async def active_participants(self, program_id: str) -> list[Participant]:
        return [p for p in self.participants.values() if p.program_id == program_id and p.is_active]

    async def claim_place(self, participant_id: str, match_id: str, limit: int) -> None:
        holder = self.participants.get(participant_id)
        if holder is not None and match_id in holder.open_matches:
            return
        if holder is None or not holder.is_active or len(holder.open_matches) >= limit:
            raise CapacityFull(participant_id, limit)
        self.participants[participant_id] = replace(
            holder, open_matches=(*holder.open_matches, match_id)
        )

    async def release_place(self, participant_id: str, match_id: str) -> None:
        holder = self.participants.get(participant_id)
        if holder is not None and match_id in holder.open_matches:
            kept = tuple(m for m in holder.open_matches if m != match_id)
            self.participants[participant_id] = replace(holder, open_matches=kept)

    async def held_places(self) -> AsyncIterator[HeldPlaces]:
        for holder in list(self.participants.values()):
            if holder.open_matches:
                yield HeldPlaces(holder.id, holder.open_matches)

    # ---- matches ----------------------------------------------------------------------------

    async def add_match(self, match: Match, events: Events) -> bool:
        if match.id in self.matches:
            return False
        self.matches[match.id] = match
        self.published.extend(events)
        return True

    async def save_match(self, match: Match, events: Events) -> Match:
        stored = self.matches.get(match.id)
        if stored is None or stored.version != match.version:
            raise ConcurrentUpdate("match", match.id)
        saved = replace(match, version=match.version + 1)
        self.matches[match.id] = saved
        self.published.extend(events)
        return saved

    async def match(self, match_id: str) -> Match:
        if match_id not in self.matches:
            raise NotFound("match", match_id)
        return self.matches[match_id]

    async def matches_by_ids(self, ids: Sequence[str]) -> list[Match]:
        return [self.matches[i] for i in _unique(ids) if i in self.matches]

    async def select_matches(
        self, which: MatchFilter, *, first: int, after: str | None
    ) -> Page[Match]:
        def selected(m: Match) -> bool:
            return (
                which.program_id in (None, m.program_id)
                and which.status in (None, m.status)
                and which.mentor_id in (None, m.mentor.participant_id)
                and which.mentee_id in (None, m.mentee.participant_id)
                and (which.of_user is None or m.involves(which.of_user))
            )

        ordered = sorted(
            (m for m in self.matches.values() if selected(m)), key=lambda m: (m.proposed_at, m.id)
        )
        if after is not None:
            start = decode_cursor(after)
            ordered = [m for m in ordered if (m.proposed_at, m.id) > start]
        items = ordered[:first]
        if len(ordered) <= first or not items:
            return Page(items, None)
        return Page(items, encode_cursor(items[-1].proposed_at, items[-1].id))

    async def matched_with(
        self, user_id: str, participant_ids: Sequence[str], limit: int
    ) -> list[Match]:
        found = [
            m
            for m in self.matches.values()
            if (m.mentee.user_id == user_id and m.mentor.participant_id in participant_ids)
            or (m.mentor.user_id == user_id and m.mentee.participant_id in participant_ids)
        ]
        return sorted(found, key=lambda m: (m.proposed_at, m.id))[:limit]

    async def due_proposals(self, now: datetime, limit: int = 200) -> list[Match]:
        due = [
            m
            for m in self.matches.values()
            if m.status is MatchStatus.PROPOSED and m.expires_at <= now
        ]
        return due[:limit]

    async def past_mentors(self, mentee_ids: Sequence[str]) -> dict[str, set[str]]:
        history = await self.closed_matches(mentee_ids)
        return {mentee: {mentor for mentor, _ in closed} for mentee, closed in history.items()}

    async def closed_matches(self, mentee_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        for m in self.matches.values():
            if m.mentee.participant_id in mentee_ids and not m.status.is_open:
                found.setdefault(m.mentee.participant_id, []).append(
                    (m.mentor.participant_id, m.status.value)
                )
        return found

    async def open_match_ids(self, match_ids: Sequence[str]) -> set[str]:
        return {i for i in match_ids if i in self.matches and self.matches[i].status.is_open}

    # ---- matching runs ----------------------------------------------------------------------

    async def run(self, run_id: str) -> StoredRun | None:
        return self.runs.get(run_id)

    async def claim_run(self, claim: RunClaim) -> bool:
        if claim.run_id in self.runs:
            return False
        self.runs[claim.run_id] = StoredRun(
            claim.program_id, claim.objective, claim.claimed_at, summary=None
        )
        return True

    async def take_over_run(self, run_id: str, claimed_at: datetime, now: datetime) -> bool:
        found = self.runs.get(run_id)
        if found is None or found.done or found.claimed_at != claimed_at:
            return False
        self.runs[run_id] = replace(found, claimed_at=now)
        return True


@dataclass
class FakeRunReports:
    store: FakeStore
    sections: dict[str, ReportSections] = field(default_factory=dict)

    async def save(
        self, summary: RunSummary, sections: ReportSections, events: Events = ()
    ) -> None:
        self.sections[summary.id] = sections
        done = replace(summary, sizes=sections.sizes)
        self.store.runs[summary.id] = StoredRun(
            summary.program_id, summary.objective, claimed_at=None, summary=done
        )
        self.store.published.extend(events)

    async def summary(self, run_id: str) -> RunSummary | None:
        found = self.store.runs.get(run_id)
        return found.summary if found is not None else None

    def _cut(self, summary: RunSummary, section: str, offset: int, limit: int | None) -> slice:
        size = (summary.sizes or {}).get(section, 0)
        return slice(offset, size if limit is None else min(size, offset + limit))

    async def pairs(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[ReportPair]:
        return self.sections[summary.id].pairs[self._cut(summary, "pairs", offset, limit)]

    async def unmatched(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[UnmatchedMentee]:
        return self.sections[summary.id].unmatched[self._cut(summary, "unmatched", offset, limit)]

    async def blocking(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[ReportBlockingPair]:
        return self.sections[summary.id].blocking[self._cut(summary, "blocking", offset, limit)]

    async def of_program(
        self, program_id: str, *, first: int, after: str | None, previews: bool = True
    ) -> tuple[list[RunSummary], str | None]:
        found = [
            run.summary
            for run in self.store.runs.values()
            if run.summary is not None
            and run.summary.program_id == program_id
            and (previews or not run.summary.preview)
        ]
        found.sort(key=lambda s: (s.ran_at, s.id), reverse=True)
        if after is not None:
            start = decode_cursor(after)
            found = [s for s in found if s.ran_at is not None and (s.ran_at, s.id) < start]
        page = found[:first]
        last = page[-1] if page and len(found) > first else None
        if last is None or last.ran_at is None:
            return page, None
        return page, encode_cursor(last.ran_at, last.id)


@dataclass
class FakeRoster:
    store: FakeStore

    async def program_participants(self, program_id: str) -> list[Participant]:
        return [p for p in self.store.participants.values() if p.program_id == program_id]

    async def program_matches(self, program_id: str) -> list[MatchSides]:
        return [_sides(m) for m in self.store.matches.values() if m.program_id == program_id]

    async def program_match_facts(self, program_id: str) -> list[MatchFacts]:
        return [
            MatchFacts(m.mentee.participant_id, m.mentor.participant_id, m.status, m.decided_at)
            for m in self.store.matches.values()
            if m.program_id == program_id
        ]

    async def participants_of_user(self, user_id: str) -> list[Participant]:
        return [p for p in self.store.participants.values() if p.user_id == user_id]

    async def matches_naming(self, participant_ids: Sequence[str]) -> list[MatchSides]:
        return [
            _sides(m)
            for m in self.store.matches.values()
            if m.mentee.participant_id in participant_ids
            or m.mentor.participant_id in participant_ids
        ]


def _sides(match: Match) -> MatchSides:
    return MatchSides(
        id=match.id,
        mentee_id=match.mentee.participant_id,
        mentee_name=match.mentee.name,
        mentor_id=match.mentor.participant_id,
        status=match.status,
    )


@dataclass
class FakeImportRecords:
    store: FakeStore
    records: list[ImportRecord] = field(default_factory=list)

    async def add(self, record: ImportRecord, events: Events) -> None:
        self.records.append(record)
        self.store.published.extend(events)


@dataclass
class Fakes:
    """The ports of a mentoring ``Context``, in memory, and the clock they share."""

    clock: Clock = field(default_factory=Clock)
    store: FakeStore = field(default_factory=FakeStore)

    def __post_init__(self) -> None:
        self.reports = FakeRunReports(self.store)
        self.roster = FakeRoster(self.store)
        self.imports = FakeImportRecords(self.store)

    @property
    def published(self) -> list[Envelope[Any]]:
        return self.store.published

    def kinds(self) -> list[str]:
        """The payload class of each event published, in order (``MatchProposed``, ...)."""
        return [type(e.data).__name__ for e in self.store.published]

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(
            self.store, self.reports, self.imports, self.roster, self.clock, correlation_id
        )
