"""Provisioning through the service layer, on fakes: a program's SCIM tokens, what a secret
opens, and the accounts an identity provider creates, replaces, patches, deactivates and
removes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from mentoring.domain.errors import Conflict, Forbidden, Invalid, NotFound
from mentoring.domain.participants import ParticipantStatus
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import provisioning
from mentoring.service_layer.commands import Account, Grant
from mentoring.service_layer.provisioning import (
    DEACTIVATED,
    SECRET_PREFIX,
    Provisioning,
    Stale,
    secret_hash,
)
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from services.mentoring.tests.unit.fakes_personal_data import (
    FakeCoreUseCases,
    FakePeopleAndPrograms,
    FakeProvisionedAccounts,
    participant,
    program,
)

ADMIN = Principal("boss", frozenset({"admin"}))
OTHER_ADMIN = Principal("other", frozenset({"admin"}))
STRANGER = Principal("eve", frozenset())


class World:
    def __init__(self) -> None:
        self.clock = Clock()
        self.people = FakePeopleAndPrograms(
            participants=[participant("pt_m", "pg_1", "mia", external_id="mia-1")],
            programs=[program("pg_1", "boss", "deputy"), program("pg_2", "other")],
        )
        self.accounts = FakeProvisionedAccounts()
        self.core = FakeCoreUseCases(self.people)
        self.p = Provisioning(
            self.people, self.accounts, self.clock, self.core.upsert, self.core.withdraw
        )

    async def grant(self) -> Grant:
        _, secret = await provisioning.create_token(
            cmd.CreateScimToken(ADMIN, "pg_1", "Entra"), self.p
        )
        grant = await provisioning.grant_of(self.p, secret)
        assert grant is not None
        return grant


def _account(
    user_name: str = "ada@example.org",
    external_id: str | None = "ada-1",
    *,
    active: bool | None = True,
    name: str = "Ada",
    based_on: int | None = None,
) -> Account:
    return Account(
        user_name=user_name,
        external_id=external_id,
        active=active,
        representation=json.dumps({"userName": user_name}),
        profile=cmd.ExternalProfile(
            display_name=name, email="ada@example.org", roles=frozenset({"mentee"})
        ),
        based_on=based_on,
    )


# ---- tokens ---------------------------------------------------------------------------------


async def test_an_admin_creates_a_token_whose_secret_is_kept_only_as_its_hash() -> None:
    w = World()

    token, secret = await provisioning.create_token(
        cmd.CreateScimToken(ADMIN, "pg_1", "Entra"), w.p
    )

    assert secret.startswith(SECRET_PREFIX)
    assert (token.program_id, token.label, token.created_by) == ("pg_1", "Entra", "boss")
    assert w.accounts.secret_hashes == {secret_hash(secret): token.id}
    assert await provisioning.tokens(w.p, ADMIN, "pg_1") == [token]


async def test_only_the_programs_admins_create_and_list_its_tokens() -> None:
    w = World()

    for caller in (STRANGER, OTHER_ADMIN):
        with pytest.raises(Forbidden):
            await provisioning.create_token(cmd.CreateScimToken(caller, "pg_1", "Entra"), w.p)
        with pytest.raises(Forbidden):
            await provisioning.tokens(w.p, caller, "pg_1")
    assert w.accounts.tokens == {}


async def test_a_revoked_token_opens_nothing_and_keeps_its_first_revocation() -> None:
    w = World()
    token, secret = await provisioning.create_token(
        cmd.CreateScimToken(ADMIN, "pg_1", "Entra"), w.p
    )

    revoked = await provisioning.revoke_token(cmd.RevokeScimToken(ADMIN, token.id), w.p)
    w.clock.advance(hours=1)
    again = await provisioning.revoke_token(cmd.RevokeScimToken(ADMIN, token.id), w.p)

    assert revoked.revoked_at == again.revoked_at is not None
    assert await provisioning.grant_of(w.p, secret) is None


async def test_a_token_is_revoked_by_its_programs_admins_only_and_unknown_to_others() -> None:
    w = World()
    token, _ = await provisioning.create_token(cmd.CreateScimToken(ADMIN, "pg_1", "Entra"), w.p)

    for caller in (STRANGER, OTHER_ADMIN):
        with pytest.raises(NotFound):
            await provisioning.revoke_token(cmd.RevokeScimToken(caller, token.id), w.p)
    with pytest.raises(NotFound):
        await provisioning.revoke_token(cmd.RevokeScimToken(ADMIN, "st_404"), w.p)
    assert not w.accounts.tokens[token.id].revoked


async def test_a_secret_opens_its_program_as_its_creator_while_they_are_an_admin() -> None:
    w = World()
    token, secret = await provisioning.create_token(
        cmd.CreateScimToken(ADMIN, "pg_1", "Entra"), w.p
    )

    grant = await provisioning.grant_of(w.p, secret)

    assert grant is not None
    assert (grant.token, grant.program.id, grant.actor.user_id) == (token, "pg_1", "boss")
    assert grant.actor.is_admin
    assert await provisioning.grant_of(w.p, "not-" + secret) is None
    assert await provisioning.grant_of(w.p, SECRET_PREFIX + "unknown") is None
    w.people.programs["pg_1"] = w.people.programs["pg_1"].without_admin("boss")
    assert await provisioning.grant_of(w.p, secret) is None


# ---- accounts -------------------------------------------------------------------------------


async def test_creating_an_account_creates_the_person_under_its_key() -> None:
    w = World()
    grant = await w.grant()

    created = await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)

    assert created.account.user_name == "ada@example.org"
    assert created.participant.external_id == "ada-1"
    assert created.participant.display_name == "Ada"
    (upsert,) = w.core.upserts
    assert (upsert.actor, upsert.program_id, upsert.audited) == (grant.actor, "pg_1", True)
    assert upsert.rows[0].external_id == "ada-1"
    assert w.accounts.users[created.participant.id].version == 0


async def test_an_account_without_external_id_is_keyed_by_its_user_name() -> None:
    w = World()
    grant = await w.grant()

    created = await provisioning.create_account(
        cmd.CreateAccount(grant, _account("ada", None)), w.p
    )

    assert created.participant.external_id == "ada"


async def test_a_user_name_is_taken_in_a_program_whatever_its_case() -> None:
    w = World()
    grant = await w.grant()
    await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)

    with pytest.raises(Conflict):
        await provisioning.create_account(
            cmd.CreateAccount(grant, _account("ADA@example.org", "ada-2")), w.p
        )
    assert len(w.accounts.users) == 1


async def test_an_account_whose_key_is_no_external_id_or_that_the_upsert_refuses_is_invalid() -> (
    None
):
    w = World()
    grant = await w.grant()

    with pytest.raises(Invalid) as bad_key:
        await provisioning.create_account(
            cmd.CreateAccount(grant, _account("ada", "-bad key")), w.p
        )
    nameless = replace(_account(), profile=cmd.ExternalProfile(email="ada@example.org"))
    with pytest.raises(Invalid) as refused:
        await provisioning.create_account(cmd.CreateAccount(grant, nameless), w.p)

    assert bad_key.value.field == "external_id"
    assert refused.value.field == "display_name"
    assert w.accounts.users == {}


async def test_an_account_names_its_manager_by_participant_id_in_the_same_program() -> None:
    w = World()
    grant = await w.grant()
    managed = replace(_account(), manager_id="pt_m")

    await provisioning.create_account(cmd.CreateAccount(grant, managed), w.p)

    assert w.core.upserts[0].rows[0].profile.manager == "mia-1"
    unknown = replace(_account("bo", "bo-1"), manager_id="x")
    with pytest.raises(Invalid):
        await provisioning.create_account(cmd.CreateAccount(grant, unknown), w.p)


async def test_replacing_an_account_brings_it_and_its_person_to_the_providers_view() -> None:
    w = World()
    grant = await w.grant()
    created = await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)
    w.clock.advance(minutes=5)

    replaced = await provisioning.replace_account(
        cmd.ReplaceAccount(
            grant, created.participant.id, _account("ada.l@example.org", "ada-9", name="Ada L.")
        ),
        w.p,
    )

    assert replaced.account.user_name == "ada.l@example.org"
    assert replaced.account.external_id == "ada-9"
    assert (replaced.account.version, replaced.account.updated_at) == (1, w.clock())
    assert replaced.participant.display_name == "Ada L."
    assert replaced.participant.external_id == "ada-1"  # the key never changes
    assert w.core.upserts[-1].rows[0].external_id == "ada-1"


async def test_a_patch_made_on_an_older_version_is_stale() -> None:
    w = World()
    grant = await w.grant()
    pid = (
        await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)
    ).participant.id
    await provisioning.replace_account(
        cmd.ReplaceAccount(grant, pid, _account(name="Ada L.", based_on=0)), w.p
    )

    with pytest.raises(Stale):
        await provisioning.replace_account(
            cmd.ReplaceAccount(grant, pid, _account(name="Ada B.", based_on=0)), w.p
        )
    assert w.people.participants[pid].display_name == "Ada L."


async def test_replacing_takes_no_user_name_of_another_account_and_no_unknown_one() -> None:
    w = World()
    grant = await w.grant()
    await provisioning.create_account(cmd.CreateAccount(grant, _account("bo", "bo-1")), w.p)
    pid = (
        await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)
    ).participant.id

    with pytest.raises(Conflict):
        await provisioning.replace_account(
            cmd.ReplaceAccount(grant, pid, _account("BO", "ada-1")), w.p
        )
    with pytest.raises(NotFound):
        await provisioning.replace_account(cmd.ReplaceAccount(grant, "pt_404", _account()), w.p)


async def test_a_deactivated_account_withdraws_its_person_once_and_stays_withdrawn() -> None:
    w = World()
    grant = await w.grant()
    pid = (
        await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)
    ).participant.id

    off = await provisioning.replace_account(
        cmd.ReplaceAccount(grant, pid, _account(active=False)), w.p
    )
    again = await provisioning.replace_account(
        cmd.ReplaceAccount(grant, pid, _account(active=False)), w.p
    )
    on = await provisioning.replace_account(
        cmd.ReplaceAccount(grant, pid, _account(active=True, name="New")), w.p
    )

    assert off.participant.status is ParticipantStatus.WITHDRAWN
    assert [(c.participant_id, c.reason, c.actor) for c in w.core.withdrawals] == [
        (pid, DEACTIVATED, grant.actor)
    ]
    assert again.participant.status is on.participant.status is ParticipantStatus.WITHDRAWN
    assert on.participant.display_name == "Ada"  # a withdrawn person is not written
    assert on.account.version == 3


async def test_removing_an_account_withdraws_the_person_and_forgets_the_account() -> None:
    w = World()
    grant = await w.grant()
    pid = (
        await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)
    ).participant.id

    await provisioning.remove_account(cmd.RemoveAccount(grant, pid), w.p)

    assert w.accounts.users == {}
    assert w.people.participants[pid].status is ParticipantStatus.WITHDRAWN
    with pytest.raises(NotFound):
        await provisioning.remove_account(cmd.RemoveAccount(grant, pid), w.p)
    with pytest.raises(NotFound):
        await provisioning.account(w.p, grant, pid)


async def test_accounts_are_listed_by_page_or_found_by_user_name_or_external_id() -> None:
    w = World()
    grant = await w.grant()
    for i in range(3):
        await provisioning.create_account(
            cmd.CreateAccount(grant, _account(f"u{i}", f"x-{i}")), w.p
        )

    total, first_two = await provisioning.accounts(w.p, grant, start=1, count=2)
    _, last = await provisioning.accounts(w.p, grant, start=3, count=2)
    by_name = await provisioning.accounts(w.p, grant, user_name="U1")
    by_external_id = await provisioning.accounts(w.p, grant, external_id="x-2")
    none = await provisioning.accounts(w.p, grant, user_name="nobody")

    assert total == 3
    assert [f.account.user_name for f in first_two + last] == ["u0", "u1", "u2"]
    assert [f.account.user_name for f in by_name[1]] == ["u1"]
    assert [f.account.user_name for f in by_external_id[1]] == ["u2"]
    assert none == (0, [])


async def test_a_token_sees_the_accounts_of_its_own_program_only() -> None:
    w = World()
    grant = await w.grant()
    pid = (
        await provisioning.create_account(cmd.CreateAccount(grant, _account()), w.p)
    ).participant.id
    _, secret = await provisioning.create_token(
        cmd.CreateScimToken(OTHER_ADMIN, "pg_2", "Okta"), w.p
    )
    elsewhere = await provisioning.grant_of(w.p, secret)
    assert elsewhere is not None

    with pytest.raises(NotFound):
        await provisioning.account(w.p, elsewhere, pid)
    assert await provisioning.accounts(w.p, elsewhere) == (0, [])
