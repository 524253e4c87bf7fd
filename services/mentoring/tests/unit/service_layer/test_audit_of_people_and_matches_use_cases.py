"""The audit records of what an admin does to people, matches and SCIM tokens, on the fakes:
each written with the change it records, once, by ids; what people do for themselves is not an
administrative action and records nothing."""

from __future__ import annotations

from typing import Any

from mentoring.domain.matches import MatchStatus
from mentoring.domain.participants import WeeklySlot
from mentoring.domain.programs import ProgramStatus
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import governance, handlers, provisioning
from mentoring.service_layer.provisioning import Provisioning
from mentorship_contracts.events import AdminAction, AdminActionRecorded
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from services.mentoring.tests.unit.fakes import Fakes
from services.mentoring.tests.unit.fakes_personal_data import (
    FakeCoreUseCases,
    FakePeopleAndPrograms,
    FakeProvisionedAccounts,
    program,
)
from services.mentoring.tests.unit.service_layer.world import ADMIN, pair, person, register

GRACE = person("u-grace", "mentor")
ADA = person("u-ada", "mentee")


def records(published: list[Any]) -> list[AdminActionRecorded]:
    return [e.data for e in published if isinstance(e.data, AdminActionRecorded)]


async def test_an_admin_registering_someone_is_recorded_and_registering_oneself_is_not() -> None:
    fakes = Fakes()
    made, _, _ = await pair(fakes)  # both registered themselves
    before = len(records(fakes.published))

    linus = await handlers.register_participant(
        cmd.RegisterParticipant(
            actor=ADMIN,
            program_id=made.id,
            user_id="u-linus",
            roles=frozenset({"mentor"}),
            display_name="Linus",
            email="linus@example.org",
            competencies={"python": 4},
        ),
        fakes.context(),
    )

    (recorded,) = records(fakes.published)[before:]
    assert before == 1  # the program's creation
    assert fakes.kinds()[-2:] == ["ParticipantRegistered", "AdminActionRecorded"]
    assert (recorded.action, recorded.actor_id) == (
        AdminAction.PARTICIPANT_REGISTERED,
        ADMIN.user_id,
    )
    assert (recorded.object_kind, recorded.object_id) == ("participant", linus.id)
    assert recorded.before is None
    assert recorded.after == {"status": "active", "user_id": "u-linus", "roles": ["mentor"]}
    assert "Linus" not in str(recorded.model_dump())


async def test_an_admins_proposal_is_recorded_and_a_mentees_own_request_is_not() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    await handlers.propose_match(cmd.ProposeMatch(ADA, mentee.id, mentor.id), fakes.context())
    assert records(fakes.published)[-1].action is AdminAction.PROGRAM_CREATED
    bob = await register(fakes, made.id, "u-bob", "mentee")
    other = await register(fakes, made.id, "u-linus", "mentor")
    before = len(records(fakes.published))
    command = cmd.ProposeMatch(ADMIN, bob.id, other.id, idempotency_key="k-1")

    match = await handlers.propose_match(command, fakes.context())
    again = await handlers.propose_match(command, fakes.context())  # a retry

    assert again == match
    (recorded,) = records(fakes.published)[before:]
    assert fakes.kinds()[-2:] == ["MatchProposed", "AdminActionRecorded"]
    assert (recorded.action, recorded.object_kind, recorded.object_id) == (
        AdminAction.MATCH_PROPOSED,
        "match",
        match.id,
    )
    assert recorded.after == {
        "status": "proposed",
        "mentee_id": bob.id,
        "mentor_id": other.id,
        "score": match.score,
    }


async def test_an_admin_ending_a_match_is_recorded_with_its_status_before_and_after() -> None:
    fakes = Fakes()
    _, mentee, mentor = await pair(fakes)
    asked = await handlers.propose_match(
        cmd.ProposeMatch(ADA, mentee.id, mentor.id), fakes.context()
    )
    await handlers.accept_match(cmd.AcceptMatch(GRACE, asked.id), fakes.context())
    before = len(records(fakes.published))

    ended = await handlers.end_match(
        cmd.EndMatch(ADMIN, asked.id, "ended_early", "a private reason"), fakes.context()
    )
    await handlers.end_match(cmd.EndMatch(ADMIN, asked.id, "ended_early"), fakes.context())

    (recorded,) = records(fakes.published)[before:]
    assert fakes.kinds()[-2:] == ["MatchEnded", "AdminActionRecorded"]
    assert (recorded.action, recorded.object_id) == (AdminAction.MATCH_ENDED, ended.id)
    sides = {"mentee_id": mentee.id, "mentor_id": mentor.id}
    assert recorded.before == {"status": "active", **sides}
    assert recorded.after == {"status": "ended_early", **sides}
    assert "private" not in str(recorded.model_dump())


async def test_a_side_ending_their_own_match_records_nothing() -> None:
    fakes = Fakes()
    _, mentee, mentor = await pair(fakes)
    asked = await handlers.propose_match(
        cmd.ProposeMatch(ADA, mentee.id, mentor.id), fakes.context()
    )
    await handlers.accept_match(cmd.AcceptMatch(GRACE, asked.id), fakes.context())
    before = len(records(fakes.published))

    await handlers.end_match(cmd.EndMatch(ADA, asked.id, "completed"), fakes.context())

    assert fakes.kinds()[-1] == "MatchEnded"
    assert len(records(fakes.published)) == before


async def test_an_admin_changing_a_profile_records_the_changed_fields_by_value_or_name() -> None:
    fakes = Fakes()
    _, mentee, mentor = await pair(fakes)
    before = len(records(fakes.published))
    changes = cmd.ParticipantChanges(
        display_name="Ada Lovelace",
        email="ada.l@example.org",
        manager_id=mentor.id,
        department="Treasury",
        capacity=mentee.capacity + 1,
        roles=frozenset({"mentee", "mentor"}),
        availability=(WeeklySlot(0, 9, 12),),
        goals={"python": 4},
    )

    await handlers.update_participant(
        cmd.UpdateParticipant(ADMIN, mentee.id, changes), fakes.context()
    )
    await handlers.update_participant(
        cmd.UpdateParticipant(ADA, mentee.id, cmd.ParticipantChanges(capacity=2)),
        fakes.context(),
    )

    (recorded,) = records(fakes.published)[before:]
    assert (recorded.action, recorded.object_kind, recorded.object_id) == (
        AdminAction.PARTICIPANT_CHANGED,
        "participant",
        mentee.id,
    )
    assert recorded.before == {
        "availability": [],
        "capacity": mentee.capacity,
        "goals": {"python": 3},
        "roles": ["mentee"],
    }
    assert recorded.after == {
        "changed": [
            "availability",
            "capacity",
            "department",
            "display_name",
            "email",
            "goals",
            "manager_id",
            "roles",
        ],
        "availability": [{"day": 0, "start_hour": 9, "end_hour": 12}],
        "capacity": mentee.capacity + 1,
        "goals": {"python": 4},
        "roles": ["mentee", "mentor"],
    }
    text = str(recorded.model_dump())
    for withheld in ("Ada", "@example.org", mentor.id, "Treasury"):
        assert withheld not in text, withheld


def _provisioning(clock: Clock) -> tuple[Provisioning, FakeProvisionedAccounts]:
    people = FakePeopleAndPrograms(programs=[program("pg_1", "boss")])
    accounts = FakeProvisionedAccounts()
    core = FakeCoreUseCases(people)
    return Provisioning(people, accounts, clock, core.upsert, core.withdraw, "corr-9"), accounts


async def test_a_scim_token_created_and_revoked_is_recorded_once_each_without_its_secret() -> None:
    boss = Principal("boss", frozenset({"admin"}))
    p, accounts = _provisioning(Clock())

    token, secret = await provisioning.create_token(cmd.CreateScimToken(boss, "pg_1", "Entra"), p)
    await provisioning.revoke_token(cmd.RevokeScimToken(boss, token.id), p)
    await provisioning.revoke_token(cmd.RevokeScimToken(boss, token.id), p)

    created, revoked = records(accounts.published)
    assert [e.correlation_id for e in accounts.published] == ["corr-9", "corr-9"]
    assert (created.action, created.program_id, created.actor_id) == (
        AdminAction.SCIM_TOKEN_CREATED,
        "pg_1",
        "boss",
    )
    assert (created.object_kind, created.object_id) == ("scim_token", token.id)
    assert created.after == {"status": "active", "created_by": "boss"}
    assert (revoked.action, revoked.object_id) == (AdminAction.SCIM_TOKEN_REVOKED, token.id)
    assert revoked.before == {"status": "active", "created_by": "boss"}
    assert revoked.after == {"status": "revoked", "created_by": "boss"}
    for event in accounts.published:
        assert secret not in event.to_bytes().decode()
        assert "Entra" not in event.to_bytes().decode()


async def test_closing_a_program_ends_its_matches_under_the_closes_record_only() -> None:
    fakes = Fakes()
    made, mentee, mentor = await pair(fakes)
    asked = await handlers.propose_match(
        cmd.ProposeMatch(ADA, mentee.id, mentor.id), fakes.context()
    )
    await handlers.accept_match(cmd.AcceptMatch(GRACE, asked.id), fakes.context())
    before = len(records(fakes.published))

    await governance.update_program(
        cmd.UpdateProgram(ADMIN, made.id, status=ProgramStatus.CLOSED), fakes.context()
    )

    assert fakes.store.matches[asked.id].status is MatchStatus.COMPLETED
    assert [r.action for r in records(fakes.published)[before:]] == [AdminAction.PROGRAM_CLOSED]
