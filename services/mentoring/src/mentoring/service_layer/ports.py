"""What the mentoring use cases need from the outside world, as typed interfaces.

The adapters (MongoDB, Kafka through the outbox) implement them; ``bootstrap`` wires them in; the
service-layer tests use in-memory fakes of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from mentoring.domain.data_erasures import DataErasure, DoneReceipt
from mentoring.domain.data_exports import DataExport, DataSubject, PartReceipt
from mentoring.domain.participants import Participant
from mentoring.domain.programs import Program
from mentorship_contracts import Envelope

# ---- programs, participants, matches, matching runs, roster, report ---------------------------


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

    async def programs_of_admin(self, user_id: str, limit: int) -> list[Program]: ...

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

    async def add_token(self, token: ScimToken, secret_hash: str) -> None: ...

    async def token(self, token_id: str) -> ScimToken:
        """The token; ``NotFound`` when there is none."""
        ...

    async def token_of_secret(self, secret_hash: str) -> ScimToken | None: ...

    async def tokens_of_program(self, program_id: str, limit: int) -> list[ScimToken]:
        """The program's tokens, oldest first."""
        ...

    async def revoke_token(self, token_id: str, at: datetime) -> ScimToken:
        """Revoke the token (a second revocation keeps the first moment)."""
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
