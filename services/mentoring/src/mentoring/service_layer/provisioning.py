"""Provisioning by a program's identity provider (the gateway's SCIM edge): tokens and accounts.

A program's admins create SCIM tokens for it (the secret is answered once; only its SHA-256 is
kept: a secret has 256 random bits, so a plain hash is as good as a slow one), list them
without secrets and revoke them. A token opens its own program only, and acts as the admin who
created it, as long as that person is still an admin of the program: removing the admin, or
revoking the token, closes it.

An account (``ProvisionedUser``) is a participant created through a token: the provider's user
name (unique per program, without regard to case), its external id and its view of the person
(``representation``). The participant itself is written by the upsert by external id
(``service_layer.upserts``) under the account's key: the provider's external id given at
creation, else the user name; that key, and the participant's account (``user_id``, the key),
never change afterwards, while the provider's user name and external id may.

Deactivating (``active`` false) withdraws the participant (``Provisioning.withdraw``:
their open matches end and the mentees of a mentor are proposed their next best mentor). A
withdrawn person stays withdrawn: a later ``active`` true is kept as the provider's view and
changes nothing here. The account of a withdrawn person takes the provider's changes without
writing the participant.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from mentoring.domain.errors import Conflict, Forbidden, Invalid, NotFound
from mentoring.domain.participants import EXTERNAL_ID, EXTERNAL_ID_RULE, Participant
from mentoring.service_layer import audit
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.commands import Grant, Unset
from mentoring.service_layer.events import EventFactory
from mentoring.service_layer.handlers import require_admin
from mentoring.service_layer.ports import (
    PeopleAndPrograms,
    ProvisionedAccounts,
    ProvisionedUser,
    ScimToken,
)
from mentoring.service_layer.upserts import (
    Outcome,
    ParticipantUpsert,
    UpsertParticipants,
    UpsertResult,
)
from mentorship_runtime.concurrency import retrying
from mentorship_runtime.principal import Principal

SECRET_PREFIX = "scim_"  # noqa: S105 (the secret's visible prefix, not a secret)
MAX_TOKENS = 100
"""Tokens listed for a program (revoked ones included)."""
MAX_BY_EXTERNAL_ID = 100
DEACTIVATED = "deactivated by the identity provider"


@dataclass(frozen=True)
class Provisioning:
    """What provisioning works with: the people and programs, the accounts, the clock, and the
    two core use cases it hands over to (``upserts.upsert_participants`` writes the participant,
    ``handlers.withdraw_participant`` withdraws a deactivated one), bound to their context; and
    the correlation id that a token's audit records carry."""

    people: PeopleAndPrograms
    accounts: ProvisionedAccounts
    clock: Callable[[], datetime]
    upsert: Callable[[UpsertParticipants], Awaitable[list[UpsertResult]]]
    withdraw: Callable[[cmd.WithdrawParticipant], Awaitable[object]]
    correlation_id: str | None = None

    @property
    def events(self) -> EventFactory:
        return EventFactory(self.clock, self.correlation_id)


class Stale(Conflict):
    """The account changed since the version a change was made on: read it again, redo it."""


@dataclass(frozen=True)
class Provisioned:
    account: ProvisionedUser
    participant: Participant


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ---- tokens ---------------------------------------------------------------------------------


async def create_token(c: cmd.CreateScimToken, p: Provisioning) -> tuple[ScimToken, str]:
    """A new token of the program and its secret (answered this once), recorded in the audit
    trail in the same write."""
    program = await p.people.program(c.program_id)
    require_admin(program, c.actor)
    token = ScimToken(
        id=f"st_{uuid.uuid4().hex}",
        program_id=program.id,
        label=c.label,
        created_by=c.actor.user_id,
        created_at=p.clock(),
    )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    recorded = audit.scim_token_created(p, c.actor.user_id, token)
    await p.accounts.add_token(token, secret_hash(secret), [recorded])
    return await p.accounts.token(token.id), secret


async def tokens(p: Provisioning, actor: Principal, program_id: str) -> list[ScimToken]:
    program = await p.people.program(program_id)
    require_admin(program, actor)
    return await p.accounts.tokens_of_program(program.id, MAX_TOKENS)


async def revoke_token(c: cmd.RevokeScimToken, p: Provisioning) -> ScimToken:
    """Revoke the token, recorded in the audit trail in the same write (a second revocation
    changes nothing and records nothing)."""
    token = await p.accounts.token(c.token_id)
    try:
        program = await p.people.program(token.program_id)
        require_admin(program, c.actor)
    except (NotFound, Forbidden):
        raise NotFound("scim token", c.token_id) from None  # not told from a missing one
    if token.revoked:
        return token
    recorded = audit.scim_token_revoked(p, c.actor.user_id, token)
    return await p.accounts.revoke_token(token.id, p.clock(), [recorded])


async def grant_of(p: Provisioning, secret: str) -> Grant | None:
    """What the secret opens, or None: unknown, revoked, or its creator no longer an admin."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    token = await p.accounts.token_of_secret(secret_hash(secret))
    if token is None or token.revoked:
        return None
    program = await p.people.program(token.program_id)
    if not program.is_admin(token.created_by):
        return None
    return Grant(token, program)


# ---- accounts -------------------------------------------------------------------------------


async def accounts(
    p: Provisioning,
    grant: Grant,
    *,
    user_name: str | None = None,
    external_id: str | None = None,
    start: int = 1,
    count: int = 100,
) -> tuple[int, list[Provisioned]]:
    """The program's accounts (all, or those with the user name or the external id): how many,
    and those from the ``start``-th (1 is the first), at most ``count``."""
    program_id = grant.program.id
    if user_name is not None:
        found = await p.accounts.user_of_name(program_id, user_name)
        matching = [found] if found else []
        total, page = len(matching), matching[start - 1 : start - 1 + count]
    elif external_id is not None:
        matching = await p.accounts.users_of_external_id(
            program_id, external_id, MAX_BY_EXTERNAL_ID
        )
        total, page = len(matching), matching[start - 1 : start - 1 + count]
    else:
        total, page = await p.accounts.users_page(program_id, start - 1, count)
    return total, await _with_participants(page, p)


async def account(p: Provisioning, grant: Grant, participant_id: str) -> Provisioned:
    found = await p.accounts.user(grant.program.id, participant_id)
    if found is None:
        raise NotFound("user", participant_id)
    (provisioned,) = await _with_participants([found], p)
    return provisioned


async def create_account(c: cmd.CreateAccount, p: Provisioning) -> Provisioned:
    """Create the person (or link the participant their key names), then the account; a user
    name taken in the program, or a participant provisioned already, is a ``Conflict``."""
    grant, given = c.grant, c.account
    program = grant.program
    if await p.accounts.user_of_name(program.id, given.user_name) is not None:
        raise Conflict(f"user name {given.user_name!r} is taken in this program")
    key = given.external_id or given.user_name
    if EXTERNAL_ID.fullmatch(key) is None:
        where = "external_id" if given.external_id else "user_name"
        raise Invalid(where, f"a person's key is made of {EXTERNAL_ID_RULE}")
    participant_id = await _upsert(grant, key, given, p)
    now = p.clock()
    await p.accounts.add_user(
        ProvisionedUser(
            participant_id=participant_id,
            program_id=program.id,
            user_name=given.user_name,
            external_id=given.external_id,
            representation=given.representation,
            created_at=now,
            updated_at=now,
        )
    )
    return await _after(grant, participant_id, given.active, p)


async def replace_account(c: cmd.ReplaceAccount, p: Provisioning) -> Provisioned:
    """Bring the account and its participant to what the provider says now."""
    grant, participant_id, given = c.grant, c.participant_id, c.account

    async def attempt() -> None:
        stored = await p.accounts.user(grant.program.id, participant_id)
        if stored is None:
            raise NotFound("user", participant_id)
        if given.based_on is not None and given.based_on != stored.version:
            raise Stale(f"user {participant_id!r} changed meanwhile (version {stored.version})")
        holder = await p.accounts.user_of_name(grant.program.id, given.user_name)
        if holder is not None and holder.participant_id != participant_id:
            raise Conflict(f"user name {given.user_name!r} is taken in this program")
        participant = await p.people.participant(participant_id)
        if participant.is_active:
            assert participant.external_id is not None  # every account has a key
            await _upsert(grant, participant.external_id, given, p)
        await p.accounts.save_user(
            replace(
                stored,
                user_name=given.user_name,
                external_id=given.external_id,
                representation=given.representation,
                updated_at=p.clock(),
            )
        )

    await retrying(attempt)
    return await _after(grant, participant_id, given.active, p)


async def remove_account(c: cmd.RemoveAccount, p: Provisioning) -> None:
    """Withdraw the person, then forget the account (the participant stays, withdrawn)."""
    grant, participant_id = c.grant, c.participant_id
    if await p.accounts.user(grant.program.id, participant_id) is None:
        raise NotFound("user", participant_id)
    await _after(grant, participant_id, False, p)
    await p.accounts.remove_user(grant.program.id, participant_id)


async def _upsert(grant: Grant, key: str, given: cmd.Account, p: Provisioning) -> str:
    profile = given.profile
    if not isinstance(given.manager_id, Unset):
        manager = await _manager_key(grant, given.manager_id, p) if given.manager_id else None
        profile = replace(profile, manager=manager)
    (result,) = await p.upsert(
        UpsertParticipants(
            actor=grant.actor,
            program_id=grant.program.id,
            rows=(ParticipantUpsert(key, profile),),
            audited=True,
        )
    )
    if result.outcome is Outcome.REFUSED:
        field = "manager_id" if result.field == "manager" else (result.field or "profile")
        raise Invalid(field, result.reason or "refused")
    assert result.participant_id is not None
    return result.participant_id


async def _manager_key(grant: Grant, manager_id: str, p: Provisioning) -> str:
    """The key the upsert finds the manager by: their external id, else their e-mail."""
    try:
        manager = await p.people.participant(manager_id)
    except NotFound:
        manager = None
    if manager is None or manager.program_id != grant.program.id:
        raise Invalid("manager_id", f"no participant {manager_id!r} in this program")
    return manager.external_id or manager.email


async def _after(
    grant: Grant, participant_id: str, active: bool | None, p: Provisioning
) -> Provisioned:
    """Withdraw the person when the provider deactivated them, then read the account back."""
    participant = await p.people.participant(participant_id)
    if active is False and participant.is_active:
        await p.withdraw(cmd.WithdrawParticipant(grant.actor, participant_id, DEACTIVATED))
    return await account(p, grant, participant_id)


async def _with_participants(found: list[ProvisionedUser], p: Provisioning) -> list[Provisioned]:
    participants = {
        x.id: x for x in await p.people.participants_by_ids([u.participant_id for u in found])
    }
    return [
        Provisioned(u, participants[u.participant_id])
        for u in found
        if u.participant_id in participants
    ]
