"""Erasures of a person's data (GDPR article 17): the request (an admin's for one participation,
or the person's own for all of theirs where every program allows it), its status, mentoring's
own erasure, and the reports of every service's.

The request is mentoring's own small aggregate, written with its ``PersonalDataErasureRequested``
and its audit records in its outbox. Each service, mentoring included, answers that event by
erasing what it holds and announcing ``*ErasureDone``; the erasure completes when the three are
in (``ports.DataErasures.record_done``). Every handler is safe to re-run: mentoring's erasure
changes nothing the second time, its report is written once per erasure, and a report counts
once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mentoring.domain.data_erasures import KIND, DataErasure, DoneReceipt
from mentoring.domain.data_exports import DataSubject, Scope
from mentoring.domain.errors import Conflict, NotFound
from mentoring.domain.programs import Program
from mentoring.service_layer import commands as cmd
from mentoring.service_layer.data_requests import readable, recorded
from mentoring.service_layer.events import EventFactory
from mentoring.service_layer.handlers import new_id, require_admin
from mentoring.service_layer.ports import (
    DataErasures,
    ErasingPeopleAndPrograms,
    ErasureDone,
    PersonalDataEraser,
)
from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    AdminAction,
    MentoringErasureDone,
    PersonalDataErasureRequested,
)
from mentorship_runtime.errors import Forbidden, Invalid
from mentorship_runtime.logging import get_logger
from mentorship_runtime.moments import as_stored
from mentorship_runtime.principal import Principal
from mentorship_runtime.request_keys import KeyReused

log = get_logger("mentoring.data_erasures")
PRODUCER = "mentoring"
WITHDRAWAL_REASON = "their data was erased"


@dataclass
class ErasureContext:
    store: ErasingPeopleAndPrograms
    erasures: DataErasures
    personal: PersonalDataEraser
    withdraw: Callable[[cmd.WithdrawParticipant], Awaitable[object]]
    """The core use case (``handlers.withdraw_participant``) bound to its context."""
    clock: Callable[[], datetime]
    correlation_id: str | None = None

    @property
    def events(self) -> EventFactory:
        return EventFactory(self.clock, self.correlation_id)

    def wrap(self, payload: EventPayload) -> Envelope[Any]:
        return new_envelope(
            payload, producer=PRODUCER, correlation_id=self.correlation_id, clock=self.clock
        )


async def _subject(
    ctx: ErasureContext, actor: Principal, participant_id: str | None, confirm: str
) -> DataSubject:
    if participant_id is not None:
        participant = await ctx.store.participant(participant_id)
        program = await ctx.store.program(participant.program_id)
        require_admin(program, actor)
        if confirm != participant_id:
            raise Invalid("confirm", "repeat the participant's id to confirm the erasure")
        return DataSubject(
            participant.user_id, (participant.id,), (program.id,), Scope.PARTICIPATION
        )
    if confirm != actor.user_id:
        raise Invalid("confirm", "repeat your user id to confirm the erasure")
    ids = await ctx.store.participant_ids_of_user(actor.user_id)
    if not ids:
        return await _admin_only(ctx, actor)
    participants = await ctx.store.participants_by_ids(sorted(ids))
    programs = await ctx.store.programs_by_ids(sorted({p.program_id for p in participants}))
    refusing = sorted(p.id for p in programs if not p.self_erasure)
    if refusing:
        raise Forbidden(
            f"program {refusing[0]!r} does not let its participants erase their own data: "
            "ask its admins"
        )
    return DataSubject(
        actor.user_id,
        tuple(p.id for p in participants),
        tuple(sorted(p.id for p in programs)),
        Scope.PERSON,
    )


PROGRAMS_IN_A_REQUEST = 500
"""The programs one request may name (``PersonalDataErasureRequested.program_ids``)."""


async def _admin_only(ctx: ErasureContext, actor: Principal) -> DataSubject:
    """Someone who takes part in no program but runs some: what is theirs to erase is their
    name and address in those programs' admin entries. The programs' ``selfErasure`` is about
    their participants, so it does not hold back their own admin's request."""
    programs = await ctx.store.programs_of_admin(actor.user_id, PROGRAMS_IN_A_REQUEST)
    if not programs:
        raise NotFound("participant", actor.user_id)
    return DataSubject(actor.user_id, (), tuple(sorted(p.id for p in programs)), Scope.PERSON)


async def request_erasure(c: cmd.RequestDataErasure, ctx: ErasureContext) -> DataErasure:
    """Record a request to erase the data of ``participant_id`` (an admin of their program) or
    of the caller (every participation, where each program allows it), with its audit records,
    and announce it to every service. ``confirm`` repeats the participant's id (the caller's
    user id for their own), so that no slip erases anyone."""
    actor, idempotency_key = c.actor, c.idempotency_key
    subject = await _subject(ctx, actor, c.participant_id, c.confirm)
    erasure = DataErasure(
        id=new_id("de", idempotency_key, actor.user_id),
        subject=subject,
        requested_by=actor.user_id,
        requested_at=as_stored(ctx.clock()),
    )
    event = ctx.wrap(
        PersonalDataErasureRequested(
            erasure_id=erasure.id,
            subject_user_id=subject.user_id,
            participant_ids=list(subject.participant_ids),
            program_ids=list(subject.program_ids),
            scope=subject.scope.value,
            requested_by=erasure.requested_by,
            requested_at=erasure.requested_at,
        )
    )
    records = recorded(
        ctx.wrap,
        subject,
        action=AdminAction.DATA_ERASED,
        kind="data_erasure",
        request_id=erasure.id,
        requested_by=erasure.requested_by,
    )
    earlier = await ctx.erasures.add(erasure, [event, *records])
    if earlier is None:
        log.info("data_erasure_requested", erasure_id=erasure.id, scope=subject.scope.value)
        return erasure
    if idempotency_key is None:  # a random id is never taken
        raise Conflict(f"data erasure {erasure.id!r} exists already")
    if earlier.subject != subject:  # the key and the caller make the id: the subject differs
        raise KeyReused(idempotency_key, erasure.id)
    return earlier


async def erasure_of(ctx: ErasureContext, actor: Principal, erasure_id: str) -> DataErasure:
    """The erasure, for the person and the admins of every program it covers; NotFound for
    anyone else, as for an id that names nothing."""
    erasure = await ctx.erasures.find(erasure_id)
    if erasure is None or not await readable(
        ctx.store, actor, erasure.subject.user_id, erasure.subject.program_ids
    ):
        raise NotFound(KIND, erasure_id)
    return erasure


async def on_erasure_requested(event: Envelope[Any], ctx: ErasureContext) -> None:
    """Erase what mentoring holds about the person, then say so (once per erasure).

    The name goes first, so that the withdrawal that follows (for a participation still
    active: its matches end or are declined with their usual events, and mentors' places are
    freed) writes no name into the matches it closes nor into their events."""
    data: PersonalDataErasureRequested = event.data
    subject = DataSubject(
        data.subject_user_id,
        tuple(data.participant_ids),
        tuple(data.program_ids),
        Scope(data.scope),
    )
    ids = subject.participant_ids
    counts = {"participations": await ctx.personal.pseudonymise_participants(ids)}
    withdrawn = 0
    active = [p for p in await ctx.store.participants_by_ids(ids) if p.is_active]
    programs = {p.id: p for p in await ctx.store.programs_by_ids([a.program_id for a in active])}
    for participant in active:
        program = programs[participant.program_id]
        actor = _withdrawing(data.requested_by, participant.user_id, program)
        await ctx.withdraw(cmd.WithdrawParticipant(actor, participant.id, WITHDRAWAL_REASON))
        withdrawn += 1
    counts["withdrawals"] = withdrawn
    counts["matches"] = await ctx.personal.pseudonymise_matches(ids)
    counts["provisioned_accounts"] = await ctx.personal.delete_accounts(ids)
    counts["data_exports"] = await ctx.personal.delete_exports(subject)
    if subject.scope is Scope.PERSON:
        counts["admin_entries"] = await _forget_admin_contact(ctx, subject.user_id)
    done_at = as_stored(ctx.clock())
    done = new_envelope(
        MentoringErasureDone(
            erasure_id=data.erasure_id, service=PRODUCER, counts=counts, done_at=done_at
        ),
        producer=PRODUCER,
        cause=event,
        clock=ctx.clock,
    )
    announced = await ctx.erasures.add_done(
        ErasureDone(data.erasure_id, ids, counts, done_at), [done]
    )
    log.info(
        "data_erasure_done",
        erasure_id=data.erasure_id,
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        announced=announced,
        **counts,
    )


ADMINISTERED_AT_MOST = 1000
"""The programs a person may run whose admin entries an erasure of all their data visits."""


async def _forget_admin_contact(ctx: ErasureContext, user_id: str) -> int:
    """The person's name and address leave the admin entries of the programs they run (their
    account stays: they still run them), announced as every change of admins is."""
    forgotten = 0
    for program in await ctx.store.programs_of_admin(user_id, ADMINISTERED_AT_MOST):
        updated = program.without_admin_contact(user_id)
        if updated is program:
            continue
        await ctx.store.save_program(updated, [ctx.events.program_published(updated)])
        forgotten += 1
    return forgotten


def _withdrawing(requested_by: str, user_id: str, program: Program) -> Principal:
    """Who withdraws the participation, as the audit trail records it: the admin who asked for
    the erasure while they still administer the program, else the person (always allowed)."""
    if requested_by != user_id and program.is_admin(requested_by):
        return Principal(requested_by, frozenset({"admin"}))
    return Principal(user_id, frozenset())


async def on_erasure_done(event: Envelope[Any], ctx: ErasureContext) -> None:
    """Count a service's erasure in (once); the erasure completes with the last of the three."""
    data = event.data
    found = await ctx.erasures.record_done(
        data.erasure_id, DoneReceipt(data.service, dict(data.counts), data.done_at)
    )
    log.info(
        "data_erasure_service_done",
        erasure_id=data.erasure_id,
        service=data.service,
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        known=found is not None,
        complete=found is not None and found.completed_at is not None,
    )
