"""Every query mentoring sends on a request's path is served by an index on the real server.

The store is built on a database whose client records every filter sent
(``mentorship_testing.plans``); a program with its people and matches is set up with recording
off, then what requests do is run with it on: registration, a profile edit, proposals (by an
admin, by a mentee, with an idempotency key), acceptance, decline and its escalation, the end of
a match, a withdrawal, suggestions, a matching run, and the reads behind the gateway (programs,
participants with who may see them, matches by id, a person's own matches, a program's matches
by status, page after page, a program's roster and its mentors' loads, a person's
participations), adding and removing an admin, and closing a program. ``scans``
(``mentorship_testing.plans``'s, see below) then pads each collection with 3,000 documents
matching none of those filters and asks the server how it would answer each: none may read a
whole table.

Left out, as periodic jobs of the worker: the expiry of due proposals (by ``status``, then a
range on ``expires_at``), the reconciliation's look for participants holding a place
(``open_matches.0`` exists: every holder, by nature) and the outbox sweep.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from pymongo.asynchronous.database import AsyncDatabase

from mentoring.adapters.repository import MentoringStore, Page
from mentoring.domain.matches import Match
from mentoring.domain.participants import WeeklySlot
from mentoring.domain.programs import ProgramStatus
from mentoring.domain.roster import Standing
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import governance, handlers, queries, roster, upserts
from mentoring.service_layer.handlers import Context
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import Clock
from mentorship_testing.kafka import publishing_as
from mentorship_testing.plans import Query, QueryRecorder, scans

ADMIN = Principal("admin", frozenset({"admin"}), "Admin", "admin@example.org")
MORNINGS = (
    WeeklySlot(day=1, start_hour=9, end_hour=12),
    WeeklySlot(day=3, start_hour=9, end_hour=12),
)


def person(user_id: str, *roles: str) -> Principal:
    return Principal(user_id, frozenset(roles), user_id.title(), f"{user_id}@example.org")


async def matches(
    ctx: Context,
    actor: Principal,
    *,
    first: int = 20,
    after: str | None = None,
    **criteria: str | None,
) -> Page[Match]:
    """``queries.find_matches`` with the criteria not given left out (None)."""
    return await queries.find_matches(
        ctx,
        actor,
        program_id=criteria.get("program_id"),
        status=criteria.get("status"),
        mentor_id=criteria.get("mentor_id"),
        mentee_id=criteria.get("mentee_id"),
        first=first,
        after=after,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def context(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> AsyncIterator[Context]:
    db, recorder = recorded_db
    recorder.recording = False
    async with publishing_as(
        kafka_bootstrap, topic_prefix, "mentoring", "test-query-plans"
    ) as broker:
        clock = Clock()
        store = MentoringStore(
            db, OutboxRelay(broker, clock=clock), clock=clock, topic_prefix=topic_prefix
        )
        await store.ensure_indexes()
        yield Context(store, store.reports, store.imports, store.roster, clock)


async def register(ctx: Context, program_id: str, user_id: str, role: str, **fields: Any) -> str:
    who = person(user_id, role)
    participant = await handlers.register_participant(
        cmd.RegisterParticipant(
            actor=who,
            program_id=program_id,
            user_id=user_id,
            roles=frozenset({role}),
            display_name=user_id.title(),
            email=f"{user_id}@example.org",
            timezone="Europe/Paris",
            availability=MORNINGS,
            **fields,
        ),
        ctx,
    )
    return participant.id


def shapes(recorded: list[Query]) -> set[tuple[str, str, frozenset[str]]]:
    """Which collection, command and top-level fields each recorded filter names."""
    return {(q.collection, q.command, frozenset(q.filter)) for q in recorded}


async def test_what_requests_send_is_served_by_indexes(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, recorder = recorded_db
    # ---- a program with its people and matches, not recorded --------------------------------
    program = await handlers.create_program(
        cmd.CreateProgram(ADMIN, "Social business", "", "social-business-accompaniment"), ctx
    )
    other = await handlers.create_program(
        cmd.CreateProgram(ADMIN, "Communities", "", "social-business-accompaniment"), ctx
    )
    mentors = [
        await register(ctx, program.id, f"mentor-{i}", "mentor", competencies={"purpose": 4})
        for i in range(4)
    ]
    mentees = [
        await register(ctx, program.id, f"mentee-{i}", "mentee", goals={"purpose": 3})
        for i in range(8)
    ]
    await register(ctx, other.id, "mentor-0", "mentee", goals={"purpose": 2})  # in two programs
    active = await handlers.propose_match(cmd.ProposeMatch(ADMIN, mentees[0], mentors[0]), ctx)
    await handlers.accept_match(cmd.AcceptMatch(person("mentor-0", "mentor"), active.id), ctx)
    clock.advance(minutes=1)
    waiting = await handlers.propose_match(cmd.ProposeMatch(ADMIN, mentees[1], mentors[0]), ctx)
    clock.advance(minutes=1)
    to_decline = await handlers.propose_match(cmd.ProposeMatch(ADMIN, mentees[2], mentors[1]), ctx)
    clock.advance(minutes=1)
    to_end = await handlers.propose_match(cmd.ProposeMatch(ADMIN, mentees[3], mentors[2]), ctx)
    await handlers.accept_match(cmd.AcceptMatch(person("mentor-2", "mentor"), to_end.id), ctx)
    clock.advance(minutes=1)

    # ---- what requests do, recorded ---------------------------------------------------------
    recorder.recording = True
    mentee_4 = person("mentee-4", "mentee")
    mentor_0 = person("mentor-0", "mentor")
    newcomer = await register(
        ctx, program.id, "newcomer", "mentee", goals={"purpose": 1}, idempotency_key="k-1"
    )
    await handlers.update_program(cmd.UpdateProgram(ADMIN, program.id, description="Spring"), ctx)
    await handlers.update_participant(
        cmd.UpdateParticipant(
            mentee_4, mentees[4], cmd.ParticipantChanges(ranked_mentors=(mentors[3],))
        ),
        ctx,
    )
    await queries.suggest_mentors(ctx, mentee_4, mentees[4], 3)
    asked = await handlers.propose_match(
        cmd.ProposeMatch(mentee_4, mentees[4], mentors[3], idempotency_key="k-2"), ctx
    )
    await handlers.propose_match(cmd.ProposeMatch(ADMIN, newcomer, mentors[3]), ctx)
    await handlers.accept_match(cmd.AcceptMatch(person("mentor-3", "mentor"), asked.id), ctx)
    await handlers.accept_match(cmd.AcceptMatch(mentor_0, waiting.id), ctx)
    await handlers.decline_match(
        cmd.DeclineMatch(person("mentor-1", "mentor"), to_decline.id, "no time"), ctx
    )
    await handlers.end_match(
        cmd.EndMatch(person("mentee-3", "mentee"), to_end.id, "completed", "done"), ctx
    )
    await handlers.withdraw_participant(
        cmd.WithdrawParticipant(person("mentee-0", "mentee"), mentees[0]), ctx
    )
    await handlers.run_matching(cmd.RunMatching(ADMIN, program.id, idempotency_key="k-3"), ctx)

    await queries.program(ctx, ADMIN, program.id)
    await queries.programs(ctx, ADMIN, None, 20)
    await queries.programs(ctx, mentee_4, [program.id, other.id], 20)
    seen = await queries.participants(ctx, mentee_4, [*mentors, mentees[4], mentees[5]])
    await queries.participants(ctx, ADMIN, mentees)
    await queries.matches_by_ids(ctx, mentor_0, [active.id, waiting.id])
    mine = await matches(ctx, mentor_0, first=1)
    assert mine.next_cursor is not None
    await matches(ctx, mentor_0, first=1, after=mine.next_cursor)
    await matches(ctx, mentor_0, status="active")
    await matches(ctx, mentee_4, program_id=program.id)
    by_status = await matches(ctx, ADMIN, program_id=program.id, status="active", first=1)
    await matches(
        ctx, ADMIN, program_id=program.id, status="active", first=1, after=by_status.next_cursor
    )
    await matches(ctx, ADMIN, mentor_id=mentors[0])
    roster_page = await roster.participants(
        ctx, ADMIN, program.id, role="mentee", wanted=None, search="mentee", first=2, after=None
    )
    await roster.participants(
        ctx,
        ADMIN,
        program.id,
        role=None,
        wanted=Standing.ACTIVE,
        search=None,
        first=2,
        after=roster_page.next_cursor,
    )
    await roster.mentor_loads(ctx, ADMIN, program.id, first=2, after=None)
    await roster.participations(ctx, mentor_0)
    await governance.add_admin(cmd.AddAdmin(ADMIN, program.id, "mentor-1"), ctx)
    await governance.remove_admin(cmd.RemoveAdmin(ADMIN, program.id, "mentor-1"), ctx)
    await governance.update_program(
        cmd.UpdateProgram(ADMIN, other.id, status=ProgramStatus.CLOSED), ctx
    )
    recorder.recording = False

    assert {p.id for p in seen} >= {*mentors, mentees[4]}
    recorded = shapes(recorder.queries)
    expected = {
        ("programs", "find", frozenset({"_id"})),
        ("programs", "find", frozenset({"admin_ids"})),
        ("programs", "update", frozenset({"_id", "version"})),
        ("participants", "find", frozenset({"_id"})),
        ("participants", "find", frozenset({"program_id", "user_id"})),
        ("participants", "find", frozenset({"program_id", "status"})),
        ("participants", "update", frozenset({"_id", "version"})),
        ("participants", "update", frozenset({"_id", "status", "open_matches.0"})),
        ("participants", "update", frozenset({"_id"})),
        ("matches", "find", frozenset({"_id"})),
        ("matches", "update", frozenset({"_id", "version"})),
        ("matches", "find", frozenset({"program_id", "status"})),
        ("matching_runs", "find", frozenset({"_id"})),
        ("participants", "find", frozenset({"program_id"})),
        ("participants", "find", frozenset({"user_id"})),
        ("matches", "find", frozenset({"program_id"})),
        ("matches", "find", frozenset({"mentee_id"})),
        ("matches", "find", frozenset({"mentor_id"})),
    }
    assert expected <= recorded, expected - recorded
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)


async def test_a_persons_matches_are_those_naming_them_on_either_side_page_by_page(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    """A person's own matches, found through their participant ids in each program, are the
    matches whose ``mentee.user_id`` or ``mentor.user_id`` is theirs, in the same order and
    pages; so are those among given participants (who may see whom)."""
    ctx = context
    clock = ctx.clock
    assert isinstance(clock, Clock)
    db, _ = recorded_db
    first = await handlers.create_program(cmd.CreateProgram(ADMIN, "First", "", "p"), ctx)
    second = await handlers.create_program(cmd.CreateProgram(ADMIN, "Second", "", "p"), ctx)
    both_in_first = await register(ctx, first.id, "both", "mentor", competencies={"purpose": 4})
    both_in_second = await register(ctx, second.id, "both", "mentee", goals={"purpose": 3})
    other_mentor = await register(ctx, first.id, "grace", "mentor", competencies={"purpose": 4})
    mentor_in_second = await register(ctx, second.id, "alan", "mentor")
    mentees = [await register(ctx, first.id, f"mentee-{i}", "mentee") for i in range(4)]
    for mentee in mentees[:2]:  # proposed at the same moment: the id orders them
        await handlers.propose_match(cmd.ProposeMatch(ADMIN, mentee, both_in_first), ctx)
    clock.advance(minutes=1)
    await handlers.propose_match(cmd.ProposeMatch(ADMIN, mentees[2], other_mentor), ctx)
    clock.advance(minutes=1)
    mine = await handlers.propose_match(
        cmd.ProposeMatch(ADMIN, both_in_second, mentor_in_second), ctx
    )
    await handlers.accept_match(cmd.AcceptMatch(person("alan", "mentor"), mine.id), ctx)
    clock.advance(minutes=1)
    await handlers.propose_match(cmd.ProposeMatch(ADMIN, mentees[3], both_in_first), ctx)
    both = person("both", "mentor", "mentee")

    async def expected(**criteria: Any) -> list[str]:
        named = {"$or": [{"mentee.user_id": "both"}, {"mentor.user_id": "both"}], **criteria}
        cursor = db.matches.find(named).sort([("proposed_at", 1), ("_id", 1)])
        return [d["_id"] async for d in cursor]

    async def listed(size: int, **criteria: Any) -> list[str]:
        found: list[str] = []
        after = None
        while True:
            page = await matches(
                ctx,
                both,
                program_id=criteria.get("program_id"),
                status=criteria.get("status"),
                first=size,
                after=after,
            )
            assert len(page.items) <= size
            found += [m.id for m in page.items]
            if page.next_cursor is None:
                return found
            after = page.next_cursor

    everything = await expected()
    assert len(everything) == 4
    for size in (1, 2, 3, 20):
        assert await listed(size) == everything
    assert await listed(1, status="proposed") == await expected(status="proposed")
    assert await listed(1, program_id=first.id) == await expected(program_id=first.id)
    assert await listed(1, program_id=second.id) == [mine.id]

    seen = await queries.participants(ctx, both, [*mentees, other_mentor, mentor_in_second])
    assert {p.id for p in seen} == {
        mentees[0],
        mentees[1],
        mentees[3],
        other_mentor,
        mentor_in_second,
    }
    alan = person("alan", "mentor")
    counterparts = await queries.participants(ctx, alan, [mentees[2], both_in_second])
    assert [p.id for p in counterparts] == [both_in_second]
    assert [m.id for m in await ctx.store.matches_by_ids([mine.id, "m_none", mine.id])] == [mine.id]


async def test_what_an_import_sends_is_served_by_indexes(
    context: Context, recorded_db: tuple[AsyncDatabase[Document], QueryRecorder]
) -> None:
    """The upsert by external id finds people by ``external_key``, by account and by e-mail
    (a manager named by e-mail): each from an index."""
    ctx = context
    db, recorder = recorded_db
    program = await handlers.create_program(cmd.CreateProgram(ADMIN, "Import", "", "p"), ctx)
    await register(ctx, program.id, "self-made", "mentee")

    def row(external_id: str, **values: Any) -> cmd.ParticipantUpsert:
        return cmd.ParticipantUpsert(
            external_id,
            cmd.ExternalProfile(
                **{
                    "display_name": external_id.title(),
                    "email": f"{external_id}@example.org",
                    "roles": frozenset({"mentee"}),
                    **values,
                }
            ),
        )

    rows = (
        row("worker", manager="boss@example.org"),
        row("boss"),
        row("hr-9", user_id="self-made"),
    )
    recorder.recording = True
    for final in (False, True):
        await upserts.upsert_participants(
            cmd.UpsertParticipants(ADMIN, program.id, rows, final=final), ctx
        )
    recorder.recording = False
    assert {
        ("participants", "find", frozenset({"external_key"})),
        ("participants", "find", frozenset({"program_id", "user_id"})),
        ("participants", "find", frozenset({"program_id", "email"})),
    } <= shapes(recorder.queries)
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
