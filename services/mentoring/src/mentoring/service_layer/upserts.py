"""Upsert by external id: bring a program's participant named by an external id to a given profile.

The use case behind bulk imports (and provisioning): for each person it creates the participant
(``ParticipantRegistered``), updates the fields that differ (a new version, and
``ParticipantUpdated`` when an announced field changed), or finds nothing to change (no write, no
event). Fields a row does not give are left as they are; a field given empty takes its default
(the name, e-mail and roles, required for a new person, stay as they are).

- A person is found by their external id (unique per program: ``external_key``); else by their
  account (``user_id``, the external id unless given), which links a person who registered
  themselves to their external id. A participant created here has an id derived from the program
  and the external id, so concurrent upserts of one external id create one participant; the one
  that loses the insert reads the winner's and updates or leaves it.
- A manager or a preferred mentor is named by external id or e-mail. A name that finds no one
  defers the row (nothing written) unless the request is ``final``, where it refuses it: a caller
  sends the deferred rows again once the rest of its file is in (a manager defined later in the
  same file).
- A refused row changes nothing and says which field and why; other rows go on. ``dry_run``
  answers the same outcomes and writes nothing; the references it is told are ``planned`` (rows
  earlier in the same dry run) count as found.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from mentoring.domain.errors import AlreadyRegistered, Conflict, Invalid
from mentoring.domain.participants import Participant, ParticipantStatus, require_skill_levels
from mentoring.domain.programs import Program
from mentoring.service_layer import audit
from mentoring.service_layer.commands import (
    ExternalProfile,
    ParticipantUpsert,
    Unset,
    UpsertParticipants,
)
from mentoring.service_layer.handlers import ANNOUNCED_FIELDS, Context, require_admin
from mentorship_runtime.errors import ConcurrentUpdate
from mentorship_runtime.moments import as_stored
from mentorship_runtime.request_keys import derived_id

__all__ = [
    "ExternalProfile",
    "Outcome",
    "ParticipantUpsert",
    "UpsertParticipants",
    "UpsertResult",
    "participant_id_for",
    "upsert_participants",
]
"""The commands are ``commands``'s, named here too for the callers of the upsert."""

EXTERNAL_NAMESPACE = uuid.UUID("0f6f4f0a-3c55-4d43-8a43-4d2f1c7b9e21")
CONCURRENT_ROWS = 16
"""Rows of one request upserted at once."""
ATTEMPTS = 20
"""Rounds of read-decide-write for one row while other writers change the person meanwhile
(each round, one of them wins)."""
T = TypeVar("T")

# What a field given empty (None) means: these, no department, no skills, no manager, no
# preferred mentors; ``capacity`` empty is the program's default.
DEFAULT_LANGUAGE = "en"
DEFAULT_LANGUAGES = frozenset({"en"})
DEFAULT_TIMEZONE = "UTC"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DEFERRED = "deferred"
    REFUSED = "refused"


@dataclass(frozen=True)
class UpsertResult:
    outcome: Outcome
    participant_id: str | None = None
    field: str | None = None
    reason: str | None = None


class Refused(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class Deferred(Exception):
    """A reference names no one yet."""


def participant_id_for(program_id: str, external_id: str) -> str:
    """The id of the participant an upsert creates for ``external_id`` in the program."""
    return derived_id("pt", external_id, program_id, namespace=EXTERNAL_NAMESPACE)


async def upsert_participants(c: UpsertParticipants, ctx: Context) -> list[UpsertResult]:
    """Each row's outcome, in the rows' order. Only a program's admins upsert its people."""
    program = await ctx.store.program(c.program_id)
    require_admin(program, c.actor)
    gate = asyncio.Semaphore(CONCURRENT_ROWS)

    async def one(row: ParticipantUpsert) -> UpsertResult:
        async with gate:
            try:
                return await _upsert(row, program, c, ctx)
            except Refused as exc:
                return UpsertResult(Outcome.REFUSED, field=exc.field, reason=exc.reason)
            except Invalid as exc:
                reason = str(exc).removeprefix(f"{exc.field}: ")
                return UpsertResult(Outcome.REFUSED, field=exc.field, reason=reason)
            except Deferred:
                return UpsertResult(Outcome.DEFERRED)

    return list(await asyncio.gather(*(one(row) for row in c.rows)))


async def _upsert(
    row: ParticipantUpsert, program: Program, c: UpsertParticipants, ctx: Context
) -> UpsertResult:
    for _ in range(ATTEMPTS):
        stored = await _find(row, program, ctx)
        manager_id, ranked = await _references(row, program, c, ctx)
        if stored is None:
            participant = _new(row, program, manager_id, ranked, ctx)
            if c.dry_run:
                return UpsertResult(Outcome.CREATED, participant.id)
            try:
                created = [ctx.events.participant_registered(participant)]
                if c.audited:
                    created.append(audit.participant_provisioned(ctx, c.actor, None, participant))
                earlier = await ctx.store.add_participant(participant, created)
            except (AlreadyRegistered, Conflict):
                continue  # the account or the external id was taken meanwhile: look again
            if earlier is None:
                return UpsertResult(Outcome.CREATED, participant.id)
            continue  # a concurrent upsert created them: compare with theirs
        updated = _changed(stored, row, program, manager_id, ranked)
        if updated == stored:
            return UpsertResult(Outcome.UNCHANGED, stored.id)
        if stored.status is ParticipantStatus.WITHDRAWN:
            raise Refused("external_id", f"participant {stored.id!r} has withdrawn")
        if c.dry_run:
            return UpsertResult(Outcome.UPDATED, stored.id)
        changed = {
            name for name in ANNOUNCED_FIELDS if getattr(stored, name) != getattr(updated, name)
        }
        events = [ctx.events.participant_updated(updated, changed)] if changed else []
        if c.audited:
            events.append(audit.participant_provisioned(ctx, c.actor, stored, updated))
        try:
            await ctx.store.save_participant(updated, events)
        except ConcurrentUpdate:
            continue
        return UpsertResult(Outcome.UPDATED, stored.id)
    raise Refused("external_id", "other requests kept changing this person; import the row again")


async def _find(row: ParticipantUpsert, program: Program, ctx: Context) -> Participant | None:
    """The person by external id, or else by account when that account has no external id."""
    found = await ctx.store.participant_of_external_id(program.id, row.external_id)
    if found is not None:
        given = _given(row.profile.user_id)
        if given is not None and given != found.user_id:
            raise Refused(
                "user_id",
                f"a participant's account never changes: {row.external_id!r} is {found.user_id!r}",
            )
        return found
    account = _given(row.profile.user_id) or row.external_id
    found = await ctx.store.participant_of_user(program.id, account)
    if found is not None and found.external_id not in (None, row.external_id):
        raise Refused(
            "user_id",
            f"account {account!r} is participant {found.id!r}, "
            f"whose external id is {found.external_id!r}",
        )
    return found


async def _references(
    row: ParticipantUpsert, program: Program, c: UpsertParticipants, ctx: Context
) -> tuple[str | None, tuple[str, ...] | None]:
    """The manager's participant id and the preferred mentors' ids (None when not given)."""
    own = {row.external_id, _given(row.profile.email)}
    manager_id: str | None = None
    manager = _given(row.profile.manager)
    if manager is not None:
        if manager in own:
            raise Refused("manager", "a person is not their own manager")
        manager_id = await _resolve("manager", manager, program, c, ctx, mentor=False)
    ranked: tuple[str, ...] | None = None
    preferred = _given(row.profile.preferred_mentors)
    if preferred is not None:
        ids = []
        for position, reference in enumerate(preferred):
            where = f"preferred_mentors.{position}"
            if reference in own:
                raise Refused(where, "a person is not their own mentor")
            ids.append(await _resolve(where, reference, program, c, ctx, mentor=True))
        if len(set(ids)) != len(ids):
            raise Refused("preferred_mentors", "a mentor is named twice")
        ranked = tuple(ids)
    return manager_id, ranked


async def _resolve(
    where: str,
    reference: str,
    program: Program,
    c: UpsertParticipants,
    ctx: Context,
    *,
    mentor: bool,
) -> str:
    """The participant id ``reference`` (an e-mail when it has an ``@`` and no participant has
    it as external id) names in the program."""
    found = await ctx.store.participant_of_external_id(program.id, reference)
    if found is None and "@" in reference:
        by_email = await ctx.store.participants_of_email(program.id, reference)
        if len(by_email) > 1:
            raise Refused(where, f"several participants have the e-mail {reference!r}")
        found = by_email[0] if by_email else None
    if found is None:
        if reference in c.planned:
            if mentor and not c.planned[reference]:
                raise Refused(where, f"{reference!r} is not a mentor of this program")
            return f"planned:{reference}"
        if not c.final:
            raise Deferred
        raise Refused(
            where, f"no participant of this program has the external id or e-mail {reference!r}"
        )
    if mentor and not found.is_mentor:
        raise Refused(where, f"{reference!r} is not a mentor of this program")
    return found.id


def _value(given: T | Unset | None, default: T, current: T) -> T:
    """A field's value after the row: as given, ``default`` when given empty, else current."""
    if isinstance(given, Unset):
        return current
    return default if given is None else given


def _given(value: T | Unset | None) -> T | None:
    """What the row gives, None when it gives it empty or not at all."""
    return None if isinstance(value, Unset) else value


def _new(
    row: ParticipantUpsert,
    program: Program,
    manager_id: str | None,
    ranked: tuple[str, ...] | None,
    ctx: Context,
) -> Participant:
    given = row.profile
    display_name, email, roles = (
        _given(given.display_name),
        _given(given.email),
        _given(given.roles),
    )
    if display_name is None:
        raise Refused("display_name", "a new participant needs it")
    if email is None:
        raise Refused("email", "a new participant needs it")
    if roles is None:
        raise Refused("roles", "a new participant needs it")
    if not program.accepts_participants:
        raise Refused(
            "external_id", f"program {program.id!r} is {program.status.value}: it takes no one new"
        )
    capacity = _given(given.capacity)
    return Participant(
        id=participant_id_for(program.id, row.external_id),
        program_id=program.id,
        user_id=_given(given.user_id) or row.external_id,
        roles=frozenset(roles),
        display_name=display_name,
        email=email,
        language=_value(given.language, DEFAULT_LANGUAGE, DEFAULT_LANGUAGE),
        languages=_value(given.languages, DEFAULT_LANGUAGES, DEFAULT_LANGUAGES),
        timezone=_value(given.timezone, DEFAULT_TIMEZONE, DEFAULT_TIMEZONE),
        department=_value(given.department, None, None),
        manager_id=manager_id,
        availability=(),
        competencies=require_skill_levels("competencies", _value(given.competencies, {}, {})),
        goals=require_skill_levels("goals", _value(given.goals, {}, {})),
        capacity=capacity if capacity is not None else program.settings.default_mentor_capacity,
        ranked_mentors=ranked or (),
        status=ParticipantStatus.ACTIVE,
        registered_at=as_stored(ctx.clock()),
        external_id=row.external_id,
    )


def _changed(
    stored: Participant,
    row: ParticipantUpsert,
    program: Program,
    manager_id: str | None,
    ranked: tuple[str, ...] | None,
) -> Participant:
    given = row.profile
    roles = _given(given.roles)
    capacity = given.capacity
    return replace(
        stored,
        external_id=row.external_id,
        # required: given empty, they stay as they are
        display_name=_given(given.display_name) or stored.display_name,
        email=_given(given.email) or stored.email,
        language=_value(given.language, DEFAULT_LANGUAGE, stored.language),
        languages=_value(given.languages, DEFAULT_LANGUAGES, stored.languages),
        timezone=_value(given.timezone, DEFAULT_TIMEZONE, stored.timezone),
        department=_value(given.department, None, stored.department),
        roles=frozenset(roles) if roles is not None else stored.roles,
        competencies=require_skill_levels(
            "competencies", _value(given.competencies, {}, stored.competencies)
        ),
        goals=require_skill_levels("goals", _value(given.goals, {}, stored.goals)),
        capacity=(
            stored.capacity
            if isinstance(capacity, Unset)
            else capacity
            if capacity is not None
            else program.settings.default_mentor_capacity
        ),
        manager_id=stored.manager_id if isinstance(given.manager, Unset) else manager_id,
        ranked_mentors=(
            stored.ranked_mentors if isinstance(given.preferred_mentors, Unset) else ranked or ()
        ),
    )
