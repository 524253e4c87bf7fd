"""In-memory fakes of the ports of mentoring's personal-data, provisioning and audit use cases
(``service_layer.ports``, second section), and of the two core use cases those hand over to.

They keep what they are given in dicts and lists, with the stores' semantics: an insert under a
taken id is refused, a report counts once, a save over a stale version is a
``ConcurrentUpdate``, a user name is unique in a program without regard to case. Events written
with a change are appended to ``events``, as the outbox would publish them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from mentoring.domain.data_erasures import PSEUDONYM, DataErasure, DoneReceipt
from mentoring.domain.data_exports import SERVICES, DataExport, DataSubject, PartReceipt, Scope
from mentoring.domain.errors import Conflict, NotFound
from mentoring.domain.participants import Participant, ParticipantStatus
from mentoring.domain.programs import Admin, MatchingSettings, Program, ProgramStatus
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.ports import (
    AuditPage,
    AuditRecord,
    ErasureDone,
    ExportPart,
    PersonalDataSection,
    ProvisionedUser,
    ScimToken,
)
from mentoring.service_layer.upserts import Outcome, UpsertParticipants, UpsertResult
from mentorship_contracts import Envelope
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.pagination import encode_cursor

Events = Sequence[Envelope[Any]]
REGISTERED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def program(
    program_id: str, *admins: str, self_erasure: bool = False, named: bool = False
) -> Program:
    """A published program run by ``admins`` (with their name and address when ``named``)."""
    return Program(
        id=program_id,
        name=f"Program {program_id}",
        description="",
        learning_path_id="lp",
        admins=tuple(
            Admin(a, f"Admin {a}", f"{a}@example.org") if named else Admin(a) for a in admins
        ),
        settings=MatchingSettings(),
        status=ProgramStatus.OPEN,
        created_at=REGISTERED,
        self_erasure=self_erasure,
    )


def participant(
    participant_id: str,
    program_id: str,
    user_id: str,
    *,
    external_id: str | None = None,
    active: bool = True,
) -> Participant:
    return Participant(
        id=participant_id,
        program_id=program_id,
        user_id=user_id,
        roles=frozenset({"mentee"}),
        display_name=f"Person {user_id}",
        email=f"{user_id}@example.org",
        language="en",
        languages=frozenset({"en"}),
        timezone="UTC",
        department=None,
        manager_id=None,
        availability=(),
        competencies={},
        goals={},
        capacity=0,
        ranked_mentors=(),
        status=ParticipantStatus.ACTIVE if active else ParticipantStatus.WITHDRAWN,
        registered_at=REGISTERED,
        external_id=external_id,
    )


class FakePeopleAndPrograms:
    """The core store's participants and programs, as the personal-data use cases read them."""

    def __init__(
        self, participants: Sequence[Participant] = (), programs: Sequence[Program] = ()
    ) -> None:
        self.participants = {p.id: p for p in participants}
        self.programs = {p.id: p for p in programs}
        self.events: list[Envelope[Any]] = []

    async def participant(self, participant_id: str) -> Participant:
        if participant_id not in self.participants:
            raise NotFound("participant", participant_id)
        return self.participants[participant_id]

    async def program(self, program_id: str) -> Program:
        if program_id not in self.programs:
            raise NotFound("program", program_id)
        return self.programs[program_id]

    async def participant_ids_of_user(self, user_id: str) -> list[str]:
        return [p.id for p in self.participants.values() if p.user_id == user_id]

    async def participants_by_ids(self, ids: Sequence[str]) -> list[Participant]:
        return [self.participants[i] for i in dict.fromkeys(ids) if i in self.participants]

    async def programs_by_ids(self, ids: Sequence[str]) -> list[Program]:
        return [self.programs[i] for i in dict.fromkeys(ids) if i in self.programs]

    async def programs_of_admin(
        self, user_id: str, limit: int, after: str | None = None
    ) -> list[Program]:
        found = sorted(
            (
                p
                for p in self.programs.values()
                if p.is_admin(user_id) and (after is None or p.id > after)
            ),
            key=_id,
        )
        return found[:limit]

    async def save_program(self, program: Program, events: Events) -> Program:
        stored = self.programs.get(program.id)
        if stored is None or stored.version != program.version:
            raise ConcurrentUpdate("program", program.id)
        saved = replace(program, version=program.version + 1)
        self.programs[program.id] = saved
        self.events.extend(events)
        return saved


def _id(program: Program) -> str:
    return program.id


class FakeDataExports:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.exports: dict[str, DataExport] = {}
        self.parts: dict[str, ExportPart] = {}
        self.events: list[Envelope[Any]] = []

    async def add(self, export: DataExport, events: Events) -> DataExport | None:
        if export.id in self.exports:
            return self.exports[export.id]
        self.exports[export.id] = export
        self.events.extend(events)
        return None

    async def find(self, export_id: str) -> DataExport | None:
        return self.exports.get(export_id)

    async def record_part(self, export_id: str, receipt: PartReceipt) -> DataExport | None:
        export = self.exports.get(export_id)
        if export is None:
            return None
        if receipt.service not in export.parts:
            export = replace(export, parts={**export.parts, receipt.service: receipt})
        if export.completed_at is None and all(s in export.parts for s in SERVICES):
            export = replace(export, completed_at=self.clock())
        self.exports[export_id] = export
        return export

    async def add_part(self, part: ExportPart, events: Events) -> bool:
        if part.export_id in self.parts:
            return False
        self.parts[part.export_id] = part
        self.events.extend(events)
        return True

    async def part(self, export_id: str) -> ExportPart | None:
        return self.parts.get(export_id)

    async def delete_expired_parts(self, now: datetime) -> int:
        expired = [i for i, part in self.parts.items() if part.expires_at <= now]
        for export_id in expired:
            del self.parts[export_id]
        return len(expired)


class FakePersonalData:
    """What mentoring holds of a person, read from the fake core store: their participations,
    the matches naming them (``matches``: records by participant id), and for their own export
    the programs they run."""

    def __init__(self, people: FakePeopleAndPrograms) -> None:
        self.people = people
        self.matches: dict[str, list[dict[str, object]]] = {}

    async def sections(self, subject: DataSubject) -> list[PersonalDataSection]:
        ids = subject.participant_ids
        participations = [
            {"_id": p.id, "program_id": p.program_id, "display_name": p.display_name}
            for p in await self.people.participants_by_ids(ids)
        ]
        matches = [m for i in ids for m in self.matches.get(i, [])]
        found = [
            PersonalDataSection("participations", participations),
            PersonalDataSection("matches", matches),
            PersonalDataSection("provisioned_accounts", []),
        ]
        if subject.scope is Scope.PERSON:
            administered = await self.people.programs_of_admin(subject.user_id, 1000)
            found.append(
                PersonalDataSection(
                    "administered_programs", [{"_id": p.id, "name": p.name} for p in administered]
                )
            )
        return found


class FakeDataErasures:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.erasures: dict[str, DataErasure] = {}
        self.done: dict[str, ErasureDone] = {}
        self.events: list[Envelope[Any]] = []

    async def add(self, erasure: DataErasure, events: Events) -> DataErasure | None:
        if erasure.id in self.erasures:
            return self.erasures[erasure.id]
        self.erasures[erasure.id] = erasure
        self.events.extend(events)
        return None

    async def find(self, erasure_id: str) -> DataErasure | None:
        return self.erasures.get(erasure_id)

    async def record_done(self, erasure_id: str, receipt: DoneReceipt) -> DataErasure | None:
        erasure = self.erasures.get(erasure_id)
        if erasure is None:
            return None
        if receipt.service not in erasure.done:
            erasure = replace(erasure, done={**erasure.done, receipt.service: receipt})
        if erasure.completed_at is None and all(s in erasure.done for s in SERVICES):
            erasure = replace(erasure, completed_at=self.clock())
        self.erasures[erasure_id] = erasure
        return erasure

    async def add_done(self, done: ErasureDone, events: Events) -> bool:
        if done.erasure_id in self.done:
            return False
        self.done[done.erasure_id] = done
        self.events.extend(events)
        return True


class FakePersonalDataEraser:
    """Erases in the other fakes: participations (pseudonymised), the sides of matches naming the
    person (``match_sides``: match id to mentee and mentor ids), the provisioned accounts and the
    person's exports. Each step counts what it changed, 0 when run again."""

    def __init__(
        self,
        people: FakePeopleAndPrograms,
        accounts: FakeProvisionedAccounts,
        exports: FakeDataExports,
    ) -> None:
        self.people = people
        self.accounts = accounts
        self.exports = exports
        self.match_sides: dict[str, tuple[str, str]] = {}
        self.erased_sides: set[tuple[str, str]] = set()

    async def pseudonymise_participants(self, ids: Sequence[str]) -> int:
        changed = 0
        for p in await self.people.participants_by_ids(ids):
            erased = replace(p, display_name=PSEUDONYM, email="", external_id=None, manager_id=None)
            if erased != p:
                self.people.participants[p.id] = replace(erased, version=p.version + 1)
                changed += 1
        return changed

    async def pseudonymise_matches(self, ids: Sequence[str]) -> int:
        changed = 0
        for match_id, (mentee_id, mentor_id) in self.match_sides.items():
            for side, named in (("mentee", mentee_id), ("mentor", mentor_id)):
                if named in ids and (match_id, side) not in self.erased_sides:
                    self.erased_sides.add((match_id, side))
                    changed += 1
        return changed

    async def delete_accounts(self, ids: Sequence[str]) -> int:
        gone = [i for i in ids if i in self.accounts.users]
        for participant_id in gone:
            del self.accounts.users[participant_id]
        return len(gone)

    async def delete_exports(self, subject: DataSubject) -> int:
        def covered(export: DataExport) -> bool:
            if export.subject.user_id != subject.user_id:
                return False
            if subject.scope is Scope.PERSON:
                return True
            return any(p in subject.participant_ids for p in export.subject.participant_ids)

        gone = [i for i, export in self.exports.exports.items() if covered(export)]
        for export_id in gone:
            self.exports.parts.pop(export_id, None)
            del self.exports.exports[export_id]
        return len(gone)


class FakeProvisionedAccounts:
    def __init__(self) -> None:
        self.published: list[Envelope[Any]] = []
        """The events written with the tokens, in order."""
        self.tokens: dict[str, ScimToken] = {}
        self.secret_hashes: dict[str, str] = {}
        """Token id by the hash of its secret."""
        self.users: dict[str, ProvisionedUser] = {}

    async def add_token(self, token: ScimToken, secret_hash: str, events: Events) -> None:
        if token.id in self.tokens or secret_hash in self.secret_hashes:
            raise Conflict(f"scim token {token.id!r} exists already")
        self.tokens[token.id] = token
        self.secret_hashes[secret_hash] = token.id
        self.published.extend(events)

    async def token(self, token_id: str) -> ScimToken:
        if token_id not in self.tokens:
            raise NotFound("scim token", token_id)
        return self.tokens[token_id]

    async def token_of_secret(self, secret_hash: str) -> ScimToken | None:
        token_id = self.secret_hashes.get(secret_hash)
        return None if token_id is None else self.tokens[token_id]

    async def tokens_of_program(self, program_id: str, limit: int) -> list[ScimToken]:
        found = [t for t in self.tokens.values() if t.program_id == program_id]
        return sorted(found, key=lambda t: t.created_at)[:limit]

    async def revoke_token(self, token_id: str, at: datetime, events: Events) -> ScimToken:
        token = await self.token(token_id)
        if token.revoked_at is None:
            self.tokens[token_id] = replace(token, revoked_at=at)
            self.published.extend(events)
        return self.tokens[token_id]

    def _name_taken(self, user: ProvisionedUser) -> bool:
        return any(
            u.program_id == user.program_id
            and u.user_name.casefold() == user.user_name.casefold()
            and u.participant_id != user.participant_id
            for u in self.users.values()
        )

    async def add_user(self, user: ProvisionedUser) -> None:
        if user.participant_id in self.users or self._name_taken(user):
            raise Conflict(
                f"user name {user.user_name!r} or participant {user.participant_id!r} "
                "is provisioned already"
            )
        self.users[user.participant_id] = user

    async def save_user(self, user: ProvisionedUser) -> ProvisionedUser:
        if self._name_taken(user):
            raise Conflict(f"user name {user.user_name!r} is taken in this program")
        stored = self.users.get(user.participant_id)
        if stored is None or stored.version != user.version:
            raise ConcurrentUpdate("provisioned user", user.participant_id)
        saved = replace(user, version=user.version + 1)
        self.users[user.participant_id] = saved
        return saved

    async def user(self, program_id: str, participant_id: str) -> ProvisionedUser | None:
        found = self.users.get(participant_id)
        return found if found is not None and found.program_id == program_id else None

    async def user_of_name(self, program_id: str, user_name: str) -> ProvisionedUser | None:
        for u in self.users.values():
            if u.program_id == program_id and u.user_name.casefold() == user_name.casefold():
                return u
        return None

    async def users_of_external_id(
        self, program_id: str, external_id: str, limit: int
    ) -> list[ProvisionedUser]:
        found = [
            u
            for u in self.users.values()
            if u.program_id == program_id and u.external_id == external_id
        ]
        return found[:limit]

    async def users_page(
        self, program_id: str, skip: int, limit: int
    ) -> tuple[int, list[ProvisionedUser]]:
        found = sorted(
            (u for u in self.users.values() if u.program_id == program_id),
            key=lambda u: u.participant_id,
        )
        return len(found), found[skip : skip + limit]

    async def remove_user(self, program_id: str, participant_id: str) -> bool:
        if await self.user(program_id, participant_id) is None:
            return False
        del self.users[participant_id]
        return True


class FakeCoreUseCases:
    """The core use cases provisioning and erasures hand over to, acting on the fake store: the
    upsert creates a participant under its key or updates its name and e-mail; the withdrawal
    withdraws. Each command is kept, to assert on."""

    def __init__(self, people: FakePeopleAndPrograms) -> None:
        self.people = people
        self.upserts: list[UpsertParticipants] = []
        self.withdrawals: list[cmd.WithdrawParticipant] = []

    async def upsert(self, c: UpsertParticipants) -> list[UpsertResult]:
        self.upserts.append(c)
        results = []
        for row in c.rows:
            stored = next(
                (
                    p
                    for p in self.people.participants.values()
                    if p.program_id == c.program_id and p.external_id == row.external_id
                ),
                None,
            )
            given = row.profile
            if stored is None:
                if isinstance(given.display_name, cmd.Unset) or isinstance(given.email, cmd.Unset):
                    results.append(
                        UpsertResult(Outcome.REFUSED, field="display_name", reason="required")
                    )
                    continue
                new_id = f"pt_{len(self.people.participants) + 1}"
                created = participant(new_id, c.program_id, row.external_id)
                self.people.participants[new_id] = replace(
                    created,
                    display_name=str(given.display_name),
                    email=str(given.email),
                    external_id=row.external_id,
                )
                results.append(UpsertResult(Outcome.CREATED, participant_id=new_id))
                continue
            changed = replace(
                stored,
                display_name=str(cmd.given_or(given.display_name, stored.display_name)),
                email=str(cmd.given_or(given.email, stored.email)),
            )
            outcome = Outcome.UNCHANGED if changed == stored else Outcome.UPDATED
            self.people.participants[stored.id] = changed
            results.append(UpsertResult(outcome, participant_id=stored.id))
        return results

    async def withdraw(self, c: cmd.WithdrawParticipant) -> Participant:
        self.withdrawals.append(c)
        withdrawn = (await self.people.participant(c.participant_id)).withdraw()
        self.people.participants[withdrawn.id] = withdrawn
        return withdrawn


class FakeAuditTrail:
    def __init__(self) -> None:
        self.records: dict[str, AuditRecord] = {}

    async def add(self, record: AuditRecord) -> bool:
        if record.id in self.records:
            return False
        self.records[record.id] = record
        return True

    async def of_program(
        self, program_id: str, *, first: int, after: tuple[datetime, str] | None
    ) -> AuditPage:
        found = sorted(
            (r for r in self.records.values() if r.program_id == program_id),
            key=lambda r: (r.at, r.id),
            reverse=True,
        )
        if after is not None:
            found = [r for r in found if (r.at, r.id) < after]
        page = found[:first]
        more = len(found) > first
        cursor = encode_cursor(page[-1].at, page[-1].id) if more and page else None
        return AuditPage(page, cursor)
