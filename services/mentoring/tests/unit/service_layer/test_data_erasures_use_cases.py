"""Data erasures through the service layer, on fakes: who may ask for whose data to be erased,
what mentoring erases and announces once, and how every service's report completes an erasure."""

from __future__ import annotations

from typing import Any

import pytest

from mentoring.domain.data_erasures import PSEUDONYM, ErasureStatus
from mentoring.domain.data_exports import DataExport, DataSubject, Scope
from mentoring.domain.errors import Forbidden, Invalid, NotFound
from mentoring.domain.participants import ParticipantStatus
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import data_erasures
from mentoring.service_layer.data_erasures import WITHDRAWAL_REASON, ErasureContext
from mentoring.service_layer.ports import ProvisionedUser
from mentorship_contracts import new_envelope
from mentorship_contracts.events import (
    AdminActionRecorded,
    MentoringErasureDone,
    NotifyErasureDone,
    PersonalDataErasureRequested,
    ProgramPublished,
    ProgressErasureDone,
)
from mentorship_runtime.principal import Principal
from mentorship_runtime.request_keys import KeyReused
from mentorship_testing.clock import Clock
from services.mentoring.tests.unit.fakes_personal_data import (
    REGISTERED,
    FakeCoreUseCases,
    FakeDataErasures,
    FakeDataExports,
    FakePeopleAndPrograms,
    FakePersonalDataEraser,
    FakeProvisionedAccounts,
    participant,
    program,
)

ADA = Principal("ada", frozenset())
ADMIN = Principal("boss", frozenset({"admin"}))
STRANGER = Principal("eve", frozenset())


class World:
    """An erasure context on fakes, and the fakes themselves to look into."""

    def __init__(self, *, self_erasure: bool = True) -> None:
        self.clock = Clock()
        self.people = FakePeopleAndPrograms(
            participants=[
                participant("pt_1", "pg_1", "ada", external_id="ada-1"),
                participant("pt_2", "pg_2", "ada", active=False),
                participant("pt_3", "pg_1", "bob"),
            ],
            programs=[
                program("pg_1", "boss", self_erasure=self_erasure),
                program("pg_2", "boss", self_erasure=True),
                program("pg_9", "ada", "boss", named=True),
            ],
        )
        self.erasures = FakeDataErasures(self.clock)
        self.exports = FakeDataExports(self.clock)
        self.accounts = FakeProvisionedAccounts()
        self.eraser = FakePersonalDataEraser(self.people, self.accounts, self.exports)
        self.core = FakeCoreUseCases(self.people)
        self.ctx = ErasureContext(
            self.people, self.erasures, self.eraser, self.core.withdraw, self.clock
        )

    def requested(self, erasure_id: str) -> Any:
        (event,) = [
            e
            for e in self.erasures.events
            if isinstance(e.data, PersonalDataErasureRequested) and e.data.erasure_id == erasure_id
        ]
        return event


async def test_a_person_asks_to_erase_all_their_data_where_every_program_allows_it() -> None:
    w = World()

    erasure = await data_erasures.request_erasure(cmd.RequestDataErasure(ADA, None, "ada"), w.ctx)

    assert erasure.subject == DataSubject("ada", ("pt_1", "pt_2"), ("pg_1", "pg_2"), Scope.PERSON)
    requested, *recorded = [e.data for e in w.erasures.events]
    assert isinstance(requested, PersonalDataErasureRequested)
    assert requested.erasure_id == erasure.id
    assert all(isinstance(r, AdminActionRecorded) for r in recorded)
    assert [(r.program_id, r.action.value) for r in recorded] == [
        ("pg_1", "data_erased"),
        ("pg_2", "data_erased"),
    ]


async def test_a_person_may_not_erase_their_data_where_a_program_keeps_it_to_its_admins() -> None:
    w = World(self_erasure=False)

    with pytest.raises(Forbidden):
        await data_erasures.request_erasure(cmd.RequestDataErasure(ADA, None, "ada"), w.ctx)
    assert w.erasures.erasures == {}


async def test_an_erasure_needs_its_subject_repeated_to_confirm_it() -> None:
    w = World()

    with pytest.raises(Invalid):
        await data_erasures.request_erasure(cmd.RequestDataErasure(ADA, None, "someone"), w.ctx)
    with pytest.raises(Invalid):
        await data_erasures.request_erasure(cmd.RequestDataErasure(ADMIN, "pt_1", "pt_3"), w.ctx)
    assert w.erasures.erasures == {}


async def test_a_person_without_participations_has_nothing_to_erase() -> None:
    w = World()

    with pytest.raises(NotFound):
        await data_erasures.request_erasure(cmd.RequestDataErasure(STRANGER, None, "eve"), w.ctx)


async def test_an_admin_in_no_program_erases_their_name_from_the_programs_they_run() -> None:
    w = World(self_erasure=False)  # a rule for the participants, not for their admin

    erasure = await data_erasures.request_erasure(
        cmd.RequestDataErasure(ADMIN, None, "boss"), w.ctx
    )
    await data_erasures.on_erasure_requested(w.requested(erasure.id), w.ctx)

    assert erasure.subject == DataSubject("boss", (), ("pg_1", "pg_2", "pg_9"), Scope.PERSON)
    recorded = [e.data for e in w.erasures.events if isinstance(e.data, AdminActionRecorded)]
    assert [r.program_id for r in recorded] == ["pg_1", "pg_2", "pg_9"]
    assert [(a.user_id, a.display_name, a.email) for a in w.people.programs["pg_9"].admins] == [
        ("ada", "Admin ada", "ada@example.org"),
        ("boss", None, None),
    ]
    assert w.core.withdrawals == []
    (done,) = [e.data for e in w.erasures.events if isinstance(e.data, MentoringErasureDone)]
    assert (done.counts["participations"], done.counts["admin_entries"]) == (0, 1)


async def test_an_admin_asks_to_erase_one_participation_of_their_program_only() -> None:
    w = World()

    erasure = await data_erasures.request_erasure(
        cmd.RequestDataErasure(ADMIN, "pt_1", "pt_1"), w.ctx
    )

    assert erasure.subject == DataSubject("ada", ("pt_1",), ("pg_1",), Scope.PARTICIPATION)
    for caller in (STRANGER, ADA):
        with pytest.raises(Forbidden):
            await data_erasures.request_erasure(
                cmd.RequestDataErasure(caller, "pt_3", "pt_3"), w.ctx
            )


async def test_an_erasure_repeated_with_its_key_answers_the_first_without_new_events() -> None:
    w = World()
    first = await data_erasures.request_erasure(
        cmd.RequestDataErasure(ADMIN, "pt_1", "pt_1", "k-1"), w.ctx
    )
    events = len(w.erasures.events)

    assert (
        await data_erasures.request_erasure(
            cmd.RequestDataErasure(ADMIN, "pt_1", "pt_1", "k-1"), w.ctx
        )
        == first
    )
    assert len(w.erasures.events) == events
    with pytest.raises(KeyReused):
        await data_erasures.request_erasure(
            cmd.RequestDataErasure(ADMIN, "pt_3", "pt_3", "k-1"), w.ctx
        )


async def test_an_erasure_is_shown_to_its_person_and_the_admins_of_its_programs_only() -> None:
    w = World()
    erasure = await data_erasures.request_erasure(
        cmd.RequestDataErasure(ADMIN, "pt_1", "pt_1"), w.ctx
    )

    assert await data_erasures.erasure_of(w.ctx, ADA, erasure.id) == erasure
    assert await data_erasures.erasure_of(w.ctx, ADMIN, erasure.id) == erasure
    with pytest.raises(NotFound):
        await data_erasures.erasure_of(w.ctx, STRANGER, erasure.id)
    with pytest.raises(NotFound):
        await data_erasures.erasure_of(w.ctx, ADA, "de_404")


async def test_mentoring_erases_a_persons_records_and_says_so_once() -> None:
    w = World()
    w.eraser.match_sides = {"m_1": ("pt_1", "pt_3"), "m_2": ("pt_3", "pt_1")}
    w.accounts.users["pt_1"] = ProvisionedUser(
        "pt_1", "pg_1", "ada", "ada-1", "{}", REGISTERED, REGISTERED
    )
    old = DataExport(
        "dx_1", DataSubject("ada", ("pt_1",), ("pg_1",), Scope.PERSON), "ada", REGISTERED
    )
    w.exports.exports["dx_1"] = old
    erasure = await data_erasures.request_erasure(cmd.RequestDataErasure(ADA, None, "ada"), w.ctx)

    await data_erasures.on_erasure_requested(w.requested(erasure.id), w.ctx)
    await data_erasures.on_erasure_requested(w.requested(erasure.id), w.ctx)  # redelivered

    ada = w.people.participants["pt_1"]
    assert (ada.display_name, ada.email, ada.external_id) == (PSEUDONYM, "", None)
    assert ada.status is ParticipantStatus.WITHDRAWN
    assert [(c.actor.user_id, c.participant_id, c.reason) for c in w.core.withdrawals] == [
        ("ada", "pt_1", WITHDRAWAL_REASON)
    ]
    assert w.people.participants["pt_3"].display_name == "Person bob"
    assert w.accounts.users == {}
    assert w.exports.exports == {}
    assert [a.display_name for a in w.people.programs["pg_9"].admins] == [None, "Admin boss"]
    (published,) = [e.data for e in w.people.events]
    assert isinstance(published, ProgramPublished)
    assert [a.email for a in published.admins] == [None, "boss@example.org"]
    (done,) = [e.data for e in w.erasures.events if isinstance(e.data, MentoringErasureDone)]
    assert done.counts == {
        "participations": 2,
        "withdrawals": 1,
        "matches": 2,
        "provisioned_accounts": 1,
        "data_exports": 1,
        "admin_entries": 1,
    }
    assert w.erasures.done[erasure.id].participant_ids == ("pt_1", "pt_2")


async def test_an_admins_erasure_withdraws_the_participation_as_that_admin() -> None:
    w = World()
    erasure = await data_erasures.request_erasure(
        cmd.RequestDataErasure(ADMIN, "pt_1", "pt_1"), w.ctx
    )

    await data_erasures.on_erasure_requested(w.requested(erasure.id), w.ctx)

    (withdrawal,) = w.core.withdrawals
    assert (withdrawal.actor.user_id, withdrawal.actor.is_admin) == ("boss", True)
    (done,) = [e.data for e in w.erasures.events if isinstance(e.data, MentoringErasureDone)]
    assert "admin_entries" not in done.counts
    assert w.people.programs["pg_9"].admins[0].display_name == "Admin ada"


def _done(kind: Any, service: str, erasure_id: str, w: World) -> Any:
    return new_envelope(
        kind(erasure_id=erasure_id, service=service, counts={"records": 1}, done_at=w.clock()),
        producer=service,
    )


async def test_the_erasure_completes_with_the_last_of_the_three_reports_counted_once() -> None:
    w = World()
    erasure = await data_erasures.request_erasure(cmd.RequestDataErasure(ADA, None, "ada"), w.ctx)
    notify = _done(NotifyErasureDone, "notify", erasure.id, w)

    await data_erasures.on_erasure_done(notify, w.ctx)
    await data_erasures.on_erasure_done(notify, w.ctx)
    await data_erasures.on_erasure_done(
        _done(ProgressErasureDone, "progress", erasure.id, w), w.ctx
    )
    pending = w.erasures.erasures[erasure.id]
    w.clock.advance(seconds=5)
    await data_erasures.on_erasure_done(
        _done(MentoringErasureDone, "mentoring", erasure.id, w), w.ctx
    )

    assert pending.status is ErasureStatus.PENDING
    assert sorted(pending.done) == ["notify", "progress"]
    done = w.erasures.erasures[erasure.id]
    assert done.status is ErasureStatus.COMPLETE
    assert done.completed_at == w.clock()


async def test_a_report_of_an_unknown_erasure_changes_nothing() -> None:
    w = World()

    await data_erasures.on_erasure_done(_done(NotifyErasureDone, "notify", "de_404", w), w.ctx)

    assert w.erasures.erasures == {}
