"""The audit trail through the service layer, on fakes: the records the handlers write with their
changes, each stored once, and a program's trail read page by page by its admins."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest

from mentoring.domain.errors import Forbidden, Invalid, NotFound
from mentoring.domain.matches import Match, MatchStatus, ProposedBy, Side
from mentoring.domain.programs import Admin, ProgramStatus
from mentoring.service_layer import audit, audit_trail
from mentoring.service_layer.audit_trail import AuditContext
from mentoring.service_layer.events import EventFactory
from mentoring.service_layer.ports import RunSummary
from mentorship_contracts.events import AdminAction, AdminActionRecorded
from mentorship_runtime.pagination import encode_cursor
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from services.mentoring.tests.unit.fakes_personal_data import (
    REGISTERED,
    FakeAuditTrail,
    FakePeopleAndPrograms,
    participant,
    program,
)

ADMIN = Principal("boss", frozenset({"admin"}))
STRANGER = Principal("eve", frozenset())


@dataclass
class Recording:
    events: EventFactory


def _recording(clock: Clock | None = None) -> Recording:
    return Recording(EventFactory(clock or Clock(), "corr-1"))


def _payload(event: Any) -> AdminActionRecorded:
    assert isinstance(event.data, AdminActionRecorded)
    return event.data


def test_a_record_names_who_did_what_to_which_object_in_which_program() -> None:
    event = audit.record(
        _recording(),
        "boss",
        AdminAction.PROGRAM_CHANGED,
        "pg_1",
        "program",
        "pg_1",
        before={"name": "Old"},
        after={"name": "New"},
    )

    data = _payload(event)
    assert (data.program_id, data.actor_id, data.action) == (
        "pg_1",
        "boss",
        AdminAction.PROGRAM_CHANGED,
    )
    assert (data.object_kind, data.object_id) == ("program", "pg_1")
    assert (data.before, data.after) == ({"name": "Old"}, {"name": "New"})
    assert event.correlation_id == "corr-1"


def test_a_created_program_is_recorded_with_its_settings_and_admins() -> None:
    created = program("pg_1", "boss")

    data = _payload(audit.program_created(_recording(), "boss", created))

    assert data.action is AdminAction.PROGRAM_CREATED
    assert data.before is None
    assert data.after is not None
    assert data.after["admin_ids"] == ["boss"]
    assert data.after["status"] == "open"


def test_a_changed_program_records_only_the_settings_that_differ() -> None:
    old = program("pg_1", "boss")

    renamed = _payload(audit.program_changed(_recording(), "boss", old, replace(old, name="N")))
    closed = _payload(
        audit.program_changed(_recording(), "boss", old, replace(old, status=ProgramStatus.CLOSED))
    )
    opened = _payload(
        audit.program_changed(_recording(), "boss", replace(old, status=ProgramStatus.DRAFT), old)
    )

    assert renamed.action is AdminAction.PROGRAM_CHANGED
    assert (renamed.before, renamed.after) == ({"name": "Program pg_1"}, {"name": "N"})
    assert closed.action is AdminAction.PROGRAM_CLOSED
    assert closed.after == {"status": "closed"}
    assert opened.action is AdminAction.PROGRAM_OPENED


def test_an_admin_added_or_removed_is_recorded_with_the_admins_before_and_after() -> None:
    old = program("pg_1", "boss")
    new = replace(old, admins=(*old.admins, Admin("deputy")))

    added = _payload(audit.admins_changed(_recording(), "boss", old, new, "deputy"))
    removed = _payload(audit.admins_changed(_recording(), "boss", new, old, "deputy"))

    assert (added.action, added.object_id) == (AdminAction.ADMIN_ADDED, "deputy")
    assert added.after == {"admin_ids": ["boss", "deputy"]}
    assert removed.action is AdminAction.ADMIN_REMOVED


def test_people_are_recorded_by_ids_and_status_never_by_name() -> None:
    old = participant("pt_1", "pg_1", "ada")
    new = replace(old, display_name="Ada L.", email="new@example.org")

    withdrawn = _payload(audit.participant_withdrawn(_recording(), "boss", old, old.withdraw()))
    created = _payload(audit.participant_provisioned(_recording(), ADMIN, None, old))
    changed = _payload(audit.participant_provisioned(_recording(), ADMIN, old, new))

    assert withdrawn.after == {"status": "withdrawn", "user_id": "ada"}
    assert created.before is None
    assert created.after == {"status": "active", "user_id": "ada"}
    assert changed.after == {"status": "active", "changed": ["display_name", "email"]}
    assert "Ada" not in str(changed.model_dump())


def test_a_cancelled_proposal_is_recorded_with_its_sides_ids_not_their_names() -> None:
    proposed = Match(
        id="m_1",
        program_id="pg_1",
        learning_path_id="lp",
        mentee=Side("pt_1", "ada", "Ada"),
        mentor=Side("pt_2", "bob", "Bob"),
        status=MatchStatus.PROPOSED,
        proposed_by=ProposedBy.ADMIN,
        score=0.5,
        reasons=(),
        proposed_at=REGISTERED,
        expires_at=REGISTERED,
    )
    cancelled = replace(proposed, status=MatchStatus.CANCELLED, reason="not now")

    data = _payload(audit.proposal_cancelled(_recording(), "boss", proposed, cancelled))

    assert (data.action, data.object_kind, data.object_id) == (
        AdminAction.PROPOSAL_CANCELLED,
        "match",
        "m_1",
    )
    sides = {"mentee_id": "pt_1", "mentor_id": "pt_2"}
    assert data.before == {"status": "proposed", **sides}
    assert data.after == {"status": "cancelled", **sides}


def test_a_matching_run_and_a_preview_are_recorded_from_their_summary() -> None:
    summary = RunSummary(
        id="mr_1",
        program_id="pg_1",
        objective="stable",
        preview=False,
        ran_at=None,
        by="boss",
        mentees=4,
        mentors=2,
        matched_count=3,
        total_score=2.5,
        mean_score=0.83,
        blocking_pairs=0,
    )

    run = _payload(audit.matching_reported(_recording(), summary))
    preview = _payload(audit.matching_reported(_recording(), replace(summary, preview=True)))

    assert (run.action, run.object_kind, run.object_id) == (
        AdminAction.MATCHING_RUN,
        "matching_run",
        "mr_1",
    )
    assert run.after == {
        "objective": "stable",
        "mentees": 4,
        "mentors": 2,
        "matched": 3,
        "blocking_pairs": 0,
    }
    assert preview.action is AdminAction.MATCHING_PREVIEWED


def _trail() -> tuple[AuditContext, FakeAuditTrail]:
    trail = FakeAuditTrail()
    people = FakePeopleAndPrograms(programs=[program("pg_1", "boss"), program("pg_2", "boss")])
    return AuditContext(trail, people), trail


async def test_a_record_delivered_twice_is_stored_once_under_its_event_id() -> None:
    ctx, trail = _trail()
    event = audit.record(_recording(), "boss", AdminAction.PROGRAM_CHANGED, "pg_1", "program", "x")

    await audit_trail.on_recorded(event, ctx)
    await audit_trail.on_recorded(event, ctx)

    (stored,) = trail.records.values()
    assert (stored.id, stored.at, stored.action) == (
        str(event.event_id),
        event.occurred_at,
        "program_changed",
    )


async def test_a_programs_admins_read_its_trail_newest_first_page_by_page() -> None:
    ctx, _ = _trail()
    clock = Clock()
    recording = _recording(clock)
    for i in range(5):
        clock.advance(seconds=1 if i % 2 else 0)  # some records share their moment
        event = audit.record(
            recording, "boss", AdminAction.PROGRAM_CHANGED, "pg_1", "program", f"o{i}"
        )
        await audit_trail.on_recorded(event, ctx)
    other = audit.record(recording, "boss", AdminAction.PROGRAM_CHANGED, "pg_2", "program", "o")
    await audit_trail.on_recorded(other, ctx)

    seen, after, pages = [], None, 0
    while True:
        page = await audit_trail.audit_log(ctx, ADMIN, "pg_1", 2, after)
        seen += page.records
        pages += 1
        after = page.next_cursor
        if after is None:
            break

    assert (len(seen), pages) == (5, 3)
    moments = [(r.at, r.id) for r in seen]
    assert moments == sorted(moments, reverse=True)
    assert {r.program_id for r in seen} == {"pg_1"}


async def test_only_the_programs_admins_read_its_trail() -> None:
    ctx, _ = _trail()

    with pytest.raises(Forbidden):
        await audit_trail.audit_log(ctx, STRANGER, "pg_1", 20, None)
    with pytest.raises(NotFound):
        await audit_trail.audit_log(ctx, ADMIN, "pg_404", 20, None)


async def test_a_cursor_not_made_by_the_trail_is_invalid() -> None:
    ctx, _ = _trail()
    clock = Clock()

    for cursor in ("garbage", encode_cursor(clock().replace(tzinfo=None), "0" * 32)):
        with pytest.raises(Invalid):
            await audit_trail.audit_log(ctx, ADMIN, "pg_1", 20, cursor)
    with pytest.raises(Invalid):
        await audit_trail.audit_log(ctx, ADMIN, "pg_1", 20, encode_cursor(clock(), "not-an-id"))
