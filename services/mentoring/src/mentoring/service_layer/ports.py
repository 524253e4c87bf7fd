"""What the mentoring use cases need from the outside world, as typed interfaces.

The adapters (MongoDB, Kafka through the outbox) implement them; ``bootstrap`` wires them in; the
service-layer tests use in-memory fakes of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from mentoring.domain.data_erasures import DataErasure, DoneReceipt
from mentoring.domain.data_exports import DataExport, DataSubject, PartReceipt
from mentoring.domain.matches import Match, MatchStatus
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentoring.domain.report import MatchFacts
from mentorship_contracts import Envelope

# ---- programs, participants, matches, matching runs, roster, report ---------------------------

T = TypeVar("T")
Events = Sequence[Envelope[Any]]
"""The events a write carries, published once it is stored (the outbox)."""


@dataclass(frozen=True)
class Earlier(Generic[T]):
    """What a creation found stored under its id: the resource, and the fingerprint of the
    request that created it (None for a resource created without one)."""

    value: T
    fingerprint: str | None


@dataclass(frozen=True)
class Page(Generic[T]):
    """Some items, and the cursor to the next ones (None after the last)."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class MatchFilter:
    """Which matches to list: every criterion given (not None) holds. ``of_user``: only the
    matches where that account is the mentee or the mentor."""

    program_id: str | None = None
    status: MatchStatus | None = None
    mentor_id: str | None = None
    mentee_id: str | None = None
    of_user: str | None = None


@dataclass(frozen=True)
class HeldPlaces:
    """A participant holding places, and the matches they hold them for."""

    participant_id: str
    match_ids: tuple[str, ...]


@dataclass(frozen=True)
class MatchSides:
    """A match as a roster needs it: who is on each side, and its status."""

    id: str
    mentee_id: str
    mentee_name: str
    mentor_id: str
    status: MatchStatus


@dataclass(frozen=True)
class ExplainedCriterion:
    """What one criterion gave a pair: its value (0 to 1), its points and why."""

    criterion: str
    value: float
    points: float
    reason: str


@dataclass(frozen=True)
class ReportPair:
    """A pair a matching report matched, its explained score, and the proposal a run made of it
    (None for a preview, or when the run could not propose it)."""

    mentee_id: str
    mentor_id: str
    score: float
    breakdown: tuple[ExplainedCriterion, ...]
    match_id: str | None


@dataclass(frozen=True)
class UnmatchedMentee:
    mentee_id: str
    reason: str


@dataclass(frozen=True)
class ReportBlockingPair:
    """A pair who would both rather have each other than what the report gave them, and why."""

    mentee_id: str
    mentor_id: str
    score: float
    mentee_score: float | None
    mentor_weakest: float | None
    reason: str


@dataclass(frozen=True)
class ReportSections:
    pairs: list[ReportPair]
    unmatched: list[UnmatchedMentee]
    blocking: list[ReportBlockingPair]

    @property
    def sizes(self) -> dict[str, int]:
        return {
            "pairs": len(self.pairs),
            "unmatched": len(self.unmatched),
            "blocking": len(self.blocking),
        }


@dataclass(frozen=True)
class RunSummary:
    """What a matching run or preview did, in counts. ``sizes``: how many entries each of its
    sections holds, once stored (None for a report stored before reports were split, which kept
    its proposals and unmatched mentees in its summary: ``early_proposals``,
    ``early_unmatched``)."""

    id: str
    program_id: str
    objective: str
    preview: bool
    ran_at: datetime | None
    by: str
    mentees: int
    mentors: int
    matched_count: int
    total_score: float
    mean_score: float
    blocking_pairs: int
    sizes: Mapping[str, int] | None = None
    early_proposals: tuple[str, ...] = ()
    early_unmatched: tuple[UnmatchedMentee, ...] = ()


@dataclass(frozen=True)
class RunClaim:
    """A keyed matching run, claimed while it runs."""

    run_id: str
    program_id: str
    objective: str
    by: str
    claimed_at: datetime


@dataclass(frozen=True)
class StoredRun:
    """A matching run stored under an id: what it was asked, when it was claimed (while it
    runs), and its report's summary once it is done."""

    program_id: str
    objective: str
    claimed_at: datetime | None
    summary: RunSummary | None

    @property
    def done(self) -> bool:
        return self.summary is not None


@dataclass(frozen=True)
class ImportRecord:
    """A finished import of participants, with its counts."""

    id: str
    program_id: str
    by: str
    at: datetime
    source: str
    rows: int
    created: int
    updated: int
    unchanged: int
    refused: int


class MentoringStore(Protocol):
    """Programs, participants and matches: each write is one operation carrying the state
    change and its ``events``; an update is guarded by the version read (``ConcurrentUpdate``
    from ``mentorship_runtime.errors`` when another write came first)."""

    async def add_program(
        self, program: Program, events: Events, *, fingerprint: str | None = None
    ) -> Earlier[Program] | None:
        """Insert a new program; None when inserted, else the program stored under its id
        (``Conflict`` when another unique key refused it)."""
        ...

    async def program_created(self, program_id: str) -> Earlier[Program] | None: ...

    async def save_program(self, program: Program, events: Events) -> Program:
        """The program written at its next version."""
        ...

    async def program(self, program_id: str) -> Program:
        """``NotFound`` when there is none."""
        ...

    async def programs_by_ids(self, ids: Sequence[str]) -> list[Program]: ...

    async def programs_of_admin(
        self, user_id: str, limit: int, after: str | None = None
    ) -> list[Program]:
        """The programs the account administers, by id (those after the id ``after``)."""
        ...

    async def add_participant(
        self, participant: Participant, events: Events, *, fingerprint: str | None = None
    ) -> Earlier[Participant] | None:
        """Insert a new participant; None when inserted, else the one stored under its id.
        ``AlreadyRegistered`` when the account is in the program under another id;
        ``Conflict`` when its external id is taken."""
        ...

    async def participant_created(self, participant_id: str) -> Earlier[Participant] | None: ...

    async def save_participant(self, participant: Participant, events: Events) -> Participant:
        """The participant written at its next version (their places, ``open_matches``, are
        not written: ``claim_place`` and ``release_place`` change them)."""
        ...

    async def participant(self, participant_id: str) -> Participant:
        """``NotFound`` when there is none."""
        ...

    async def participants_by_ids(self, ids: Sequence[str]) -> list[Participant]: ...

    async def participant_ids_of_user(self, user_id: str) -> list[str]: ...

    async def participant_of_user(self, program_id: str, user_id: str) -> Participant | None: ...

    async def participant_of_external_id(
        self, program_id: str, external_id: str
    ) -> Participant | None: ...

    async def participants_of_email(
        self, program_id: str, email: str, limit: int = 2
    ) -> list[Participant]: ...

    async def active_participants(self, program_id: str) -> list[Participant]: ...

    async def claim_place(self, participant_id: str, match_id: str, limit: int) -> None:
        """Hold one of an active participant's ``limit`` places for the match (again: no
        change); ``CapacityFull`` when none is free."""
        ...

    async def release_place(self, participant_id: str, match_id: str) -> None: ...

    def held_places(self) -> AsyncIterator[HeldPlaces]:
        """Every participant holding at least one place."""
        ...

    async def add_match(self, match: Match, events: Events) -> bool:
        """Insert a new match; False when its id exists already."""
        ...

    async def save_match(self, match: Match, events: Events) -> Match: ...

    async def match(self, match_id: str) -> Match:
        """``NotFound`` when there is none."""
        ...

    async def matches_by_ids(self, ids: Sequence[str]) -> list[Match]: ...

    async def select_matches(
        self, which: MatchFilter, *, first: int, after: str | None
    ) -> Page[Match]:
        """The matches ``which`` selects, oldest proposal first (keyset on proposed_at, id)."""
        ...

    async def matched_with(
        self, user_id: str, participant_ids: Sequence[str], limit: int
    ) -> list[Match]:
        """The matches (at most ``limit``) of the account with any of ``participant_ids`` on
        the other side."""
        ...

    async def due_proposals(self, now: datetime, limit: int = 200) -> list[Match]:
        """Proposals whose deadline is ``now`` or earlier."""
        ...

    async def past_mentors(self, mentee_ids: Sequence[str]) -> dict[str, set[str]]:
        """For each mentee, the mentors of their closed matches."""
        ...

    async def closed_matches(self, mentee_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """For each mentee, the (mentor id, status) of each of their closed matches."""
        ...

    async def open_match_ids(self, match_ids: Sequence[str]) -> set[str]: ...

    async def run(self, run_id: str) -> StoredRun | None:
        """A matching run: its claim while it runs, its report's summary once done."""
        ...

    async def claim_run(self, claim: RunClaim) -> bool:
        """Record that a keyed run started; False when its id is taken."""
        ...

    async def take_over_run(self, run_id: str, claimed_at: datetime, now: datetime) -> bool:
        """Claim again a run claimed at ``claimed_at``; False when it finished or another
        request took it over meanwhile."""
        ...


class RunReports(Protocol):
    """Matching reports (runs and previews): a summary, and sections of entries read by page."""

    async def save(
        self, summary: RunSummary, sections: ReportSections, events: Events = ()
    ) -> None:
        """Store a report (its sizes with it, the run done) with ``events``."""
        ...

    async def summary(self, run_id: str) -> RunSummary | None:
        """A finished report's summary; None for an unknown run or one still running."""
        ...

    async def pairs(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[ReportPair]:
        """Entries ``offset`` to ``offset + limit`` of its pairs (all of them without a limit)."""
        ...

    async def unmatched(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[UnmatchedMentee]: ...

    async def blocking(
        self, summary: RunSummary, offset: int = 0, limit: int | None = None
    ) -> list[ReportBlockingPair]: ...

    async def of_program(
        self, program_id: str, *, first: int, after: str | None, previews: bool = True
    ) -> tuple[list[RunSummary], str | None]:
        """A program's finished reports, newest first."""
        ...


class Roster(Protocol):
    """A program's people and matches read as a whole, and a person's participations."""

    async def program_participants(self, program_id: str) -> list[Participant]:
        """Every participant of a program, withdrawn ones too."""
        ...

    async def program_matches(self, program_id: str) -> list[MatchSides]: ...

    async def program_match_facts(self, program_id: str) -> list[MatchFacts]: ...

    async def participants_of_user(self, user_id: str) -> list[Participant]:
        """An account's participations, in every program."""
        ...

    async def matches_naming(self, participant_ids: Sequence[str]) -> list[MatchSides]:
        """The matches naming any of ``participant_ids`` on either side."""
        ...


class ImportRecords(Protocol):
    async def add(self, record: ImportRecord, events: Events) -> None:
        """Store a finished import with ``events`` (its audit record)."""
        ...


# ---- personal data (exports, erasures), provisioning (SCIM), the audit trail ------------------

# The value types these use cases exchange with their stores. Stored records of a person (an
# export's sections) and an audit record's values are JSON content: ``Mapping[str, object]``.


@dataclass(frozen=True)
class PersonalDataSection:
    """One section of a person's data as mentoring keeps it (e.g. ``participations``): its
    records as stored, for an export to write out (``mentorship_contracts.personal_data``)."""

    name: str
    records: Sequence[Mapping[str, object]]


@dataclass(frozen=True)
class ExportPart:
    """Mentoring's part of an export, kept until it expires: the JSON text of the archive's
    ``mentoring.json``, its counts, and whom it is about (to tell who may read it)."""

    export_id: str
    subject_user_id: str
    program_ids: tuple[str, ...]
    content: str
    counts: Mapping[str, int]
    made_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ErasureDone:
    """Mentoring's record that it erased its part of an erasure: ids and counts, no name."""

    erasure_id: str
    participant_ids: tuple[str, ...]
    counts: Mapping[str, int]
    done_at: datetime


@dataclass(frozen=True)
class ScimToken:
    id: str
    program_id: str
    label: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class ProvisionedUser:
    participant_id: str
    program_id: str
    user_name: str
    external_id: str | None
    representation: str
    created_at: datetime
    updated_at: datetime
    version: int = 0


@dataclass(frozen=True)
class AuditRecord:
    """One administrative action as the trail keeps it, under the id of the event that carried
    it; ``before`` and ``after`` are JSON objects."""

    id: str
    program_id: str
    at: datetime
    actor_id: str
    action: str
    object_kind: str
    object_id: str
    before: Mapping[str, object] | None
    after: Mapping[str, object] | None


@dataclass(frozen=True)
class AuditPage:
    records: list[AuditRecord]
    next_cursor: str | None


class ProgramsReader(Protocol):
    async def program(self, program_id: str) -> Program:
        """The program; ``NotFound`` when there is none."""
        ...


class PeopleAndPrograms(ProgramsReader, Protocol):
    """What the personal-data use cases read from mentoring's core store (``MentoringStore``
    has these): whose data a request covers, and who administers it."""

    async def participant(self, participant_id: str) -> Participant: ...

    async def participant_ids_of_user(self, user_id: str) -> list[str]: ...

    async def participants_by_ids(self, ids: Sequence[str]) -> list[Participant]: ...

    async def programs_by_ids(self, ids: Sequence[str]) -> list[Program]: ...


class ErasingPeopleAndPrograms(PeopleAndPrograms, Protocol):
    """The core store as an erasure also needs it: the programs a person runs, saved once their
    admin entry lost the person's name and address."""

    async def programs_of_admin(
        self, user_id: str, limit: int, after: str | None = None
    ) -> list[Program]: ...

    async def save_program(self, program: Program, events: Sequence[Envelope[Any]]) -> Program: ...


class DataExports(Protocol):
    """The export requests and mentoring's parts, each written with its events (outbox)."""

    async def add(self, export: DataExport, events: Sequence[Envelope[Any]]) -> DataExport | None:
        """Insert a request; None when inserted, else the one stored under its id."""
        ...

    async def find(self, export_id: str) -> DataExport | None: ...

    async def record_part(self, export_id: str, receipt: PartReceipt) -> DataExport | None:
        """Note a service's part in (once) and complete the export when every part is; None
        when no such export is stored."""
        ...

    async def add_part(self, part: ExportPart, events: Sequence[Envelope[Any]]) -> bool:
        """Keep a part; False when it was kept before (a redelivery)."""
        ...

    async def part(self, export_id: str) -> ExportPart | None: ...

    async def delete_expired_parts(self, now: datetime) -> int: ...


class PersonalDataSource(Protocol):
    async def sections(self, subject: DataSubject) -> list[PersonalDataSection]:
        """What mentoring holds about the subject, section by section, in the export's order."""
        ...


class DataErasures(Protocol):
    """The erasure requests and mentoring's records of its own erasures, each written with its
    events (outbox)."""

    async def add(
        self, erasure: DataErasure, events: Sequence[Envelope[Any]]
    ) -> DataErasure | None:
        """Insert a request; None when inserted, else the one stored under its id."""
        ...

    async def find(self, erasure_id: str) -> DataErasure | None: ...

    async def record_done(self, erasure_id: str, receipt: DoneReceipt) -> DataErasure | None:
        """Note a service done (once) and complete the erasure when every service is; None when
        no such erasure is stored."""
        ...

    async def add_done(self, done: ErasureDone, events: Sequence[Envelope[Any]]) -> bool:
        """Keep mentoring's record of an erasure done; False when kept before (a redelivery)."""
        ...


class PersonalDataEraser(Protocol):
    """Mentoring's records of a person, erased: each answers how many records it changed or
    deleted, 0 when run again."""

    async def pseudonymise_participants(self, ids: Sequence[str]) -> int: ...

    async def pseudonymise_matches(self, ids: Sequence[str]) -> int: ...

    async def delete_accounts(self, ids: Sequence[str]) -> int: ...

    async def delete_exports(self, subject: DataSubject) -> int: ...


class ProvisionedAccounts(Protocol):
    """The SCIM tokens of programs (the SHA-256 of each secret, never the secret) and the
    accounts an identity provider created."""

    async def add_token(self, token: ScimToken, secret_hash: str, events: Events) -> None:
        """Insert the token with ``events`` (its audit record) in the same write."""
        ...

    async def token(self, token_id: str) -> ScimToken:
        """The token; ``NotFound`` when there is none."""
        ...

    async def token_of_secret(self, secret_hash: str) -> ScimToken | None: ...

    async def tokens_of_program(self, program_id: str, limit: int) -> list[ScimToken]:
        """The program's tokens, oldest first."""
        ...

    async def revoke_token(self, token_id: str, at: datetime, events: Events) -> ScimToken:
        """Revoke the token with ``events`` (its audit record) in the same write; a second
        revocation keeps the first moment and writes no events."""
        ...

    async def add_user(self, user: ProvisionedUser) -> None:
        """``Conflict`` when the participant is provisioned already or the user name is taken in
        the program (without regard to case)."""
        ...

    async def save_user(self, user: ProvisionedUser) -> ProvisionedUser:
        """Write a changed account over the version it was read at: ``ConcurrentUpdate`` when
        another write came first, ``Conflict`` when the new user name is taken."""
        ...

    async def user(self, program_id: str, participant_id: str) -> ProvisionedUser | None: ...

    async def user_of_name(self, program_id: str, user_name: str) -> ProvisionedUser | None:
        """The account with this user name in the program, without regard to case."""
        ...

    async def users_of_external_id(
        self, program_id: str, external_id: str, limit: int
    ) -> list[ProvisionedUser]: ...

    async def users_page(
        self, program_id: str, skip: int, limit: int
    ) -> tuple[int, list[ProvisionedUser]]:
        """How many accounts the program has, and a page of them in participant id order."""
        ...

    async def remove_user(self, program_id: str, participant_id: str) -> bool: ...


class AuditTrail(Protocol):
    """The audit trail: records only ever added, read per program newest first."""

    async def add(self, record: AuditRecord) -> bool:
        """Store a record under its id; False when it was stored before."""
        ...

    async def of_program(
        self, program_id: str, *, first: int, after: tuple[datetime, str] | None
    ) -> AuditPage:
        """At most ``first`` records of the program, newest first, from after the position
        (moment, record id); the page's cursor names the last one when more follow."""
        ...
