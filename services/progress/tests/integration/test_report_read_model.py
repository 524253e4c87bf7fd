"""The report's read model on the real MongoDB server: many events at once, each delivered twice
and in no order, give the figures of the events applied once in order."""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events.matches import MatchAccepted, MatchEnded
from mentorship_contracts.events.programs import ProgramAdmin, ProgramPublished
from mentorship_contracts.events.progress import (
    CheckInRecorded,
    ConfidenceDropped,
    SessionLogged,
)
from mentorship_runtime.errors import Forbidden, Invalid
from mentorship_runtime.mongo import Document
from mentorship_runtime.outbox import OutboxRelay
from mentorship_runtime.principal import Principal
from mentorship_testing.clock import START, Clock
from mentorship_testing.kafka import eventually, publishing_as
from mentorship_testing.plans import QueryRecorder, scans
from progress.adapters.erasures import ErasureStore
from progress.adapters.planned_sessions import PlannedSessionStore
from progress.adapters.report import ReportStore
from progress.adapters.store import ProgressStore
from progress.service_layer import handlers, report
from progress.service_layer.handlers import Context

from .conftest import ProgressApi

PROGRAM = "pg_report"
MENTEES = [f"pt_mentee{i}" for i in range(8)]
ADMIN = Principal(user_id="u-admin", roles=frozenset({"admin"}))


def at(moment: datetime, payload: EventPayload) -> Envelope[Any]:
    return new_envelope(payload, producer="test", clock=lambda: moment)


def accepted(mentee: str, moment: datetime) -> Envelope[Any]:
    return at(
        moment,
        MatchAccepted(
            match_id=f"m_{mentee}",
            program_id=PROGRAM,
            mentee_id=mentee,
            mentor_id="pt_mentor",
        ),
    )


def check_in(mentee: str, n: int, moment: datetime, level: int) -> Envelope[Any]:
    return at(
        moment,
        CheckInRecorded(
            mentee_id=mentee,
            mentor_id="pt_mentor",
            program_id=PROGRAM,
            check_in_id=f"ci_{mentee}_{n}",
            module_id="diagnostic",
            confidence=level,
            assessed_by="mentee",
        ),
    )


async def known_program(api: ProgressApi) -> None:
    await api.publish(
        ProgramPublished(
            program_id=PROGRAM,
            name="Report",
            status="open",
            learning_path_id="social-business-accompaniment",
            admins=[ProgramAdmin(user_id="u-admin")],
            stall_window_days=14,
        )
    )

    async def known() -> bool:
        return await api.db.programs.find_one({"_id": PROGRAM}) is not None

    await eventually(known, timeout=30)


async def test_concurrent_and_repeated_events_count_once(api: ProgressApi) -> None:
    await known_program(api)
    handlers = {
        "mentoring.match.accepted": report.on_match_accepted,
        "mentoring.match.ended": report.on_match_closed,
        "progress.check_in.recorded": report.on_check_in,
        "progress.confidence.dropped": report.on_confidence_dropped,
        "progress.session.logged": report.on_session_logged,
    }
    events: list[Envelope[Any]] = []
    for i, mentee in enumerate(MENTEES):
        events.append(accepted(mentee, START + timedelta(minutes=i)))
        # three weeks of check-ins, 2 -> 4 on the module, one a day
        for day in range(21):
            level = 2 if day < 7 else 3 if day < 14 else 4
            events.append(check_in(mentee, day, START + timedelta(days=day, hours=1), level))
        for s in range(3):
            events.append(
                at(
                    START + timedelta(days=2 + 7 * s),
                    SessionLogged(
                        mentee_id=mentee,
                        mentor_id="pt_mentor",
                        program_id=PROGRAM,
                        session_id=f"ss_{mentee}_{s}",
                        held_on=(START + timedelta(days=2 + 7 * s)).date(),
                        duration_minutes=45,
                    ),
                )
            )
    # the last mentee's last check-in drops; another's match ended in week 2
    drop_at = START + timedelta(days=20, hours=2)
    events.append(check_in(MENTEES[-1], 99, drop_at, 1))
    events.append(
        at(
            drop_at,
            ConfidenceDropped(
                mentee_id=MENTEES[-1],
                program_id=PROGRAM,
                module_id="diagnostic",
                previous_confidence=4,
                confidence=1,
                check_in_id=f"ci_{MENTEES[-1]}_99",
                assessed_by="mentee",
            ),
        )
    )
    events.append(
        at(
            START + timedelta(days=15),
            MatchEnded(
                match_id=f"m_{MENTEES[0]}",
                program_id=PROGRAM,
                mentee_id=MENTEES[0],
                mentor_id="pt_mentor",
                outcome="ended_early",
            ),
        )
    )
    # a mentee accepted and ended within the first week is counted from then on, paused
    events.append(accepted("pt_brief", START + timedelta(days=1)))
    events.append(
        at(
            START + timedelta(days=2),
            MatchEnded(
                match_id="m_pt_brief",
                program_id=PROGRAM,
                mentee_id="pt_brief",
                mentor_id="pt_mentor",
                outcome="ended_early",
            ),
        )
    )
    twice = [*events, *events]
    random.Random(7).shuffle(twice)
    ctx = api.service.context()
    limit = asyncio.Semaphore(40)

    async def apply(event: Envelope[Any]) -> None:
        async with limit:
            await handlers[event.type](event, ctx)

    await asyncio.gather(*(apply(e) for e in twice))

    api.clock.now = START + timedelta(days=20, hours=12)
    found = await report.program_report(
        api.service.context(), ADMIN, PROGRAM, START.date(), START.date() + timedelta(days=20)
    )
    assert [w.week for w in found.weeks] == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    counts = [{k.value: v for k, v in w.counts.items() if v} for w in found.weeks]
    assert counts == [
        {"on_track": 8, "paused": 1},
        {"on_track": 8, "paused": 1},
        {"on_track": 6, "at_risk": 1, "paused": 2},
    ]
    (module,) = found.confidence
    assert (module.module_id, module.assessed_by, module.mentees) == ("diagnostic", "mentee", 8)
    assert module.at_start == 2
    assert module.now == round((7 * 4 + 1) / 8, 2)
    assert found.active_matches == 7
    assert found.sessions_in_active_matches == 7 * 3

    documents = [d async for d in api.db["report_weeks"].find({"program_id": PROGRAM})]
    assert sorted(d["mentee_id"] for d in documents) == sorted([*MENTEES, "pt_brief"])
    assert [len(d["weeks"]) for d in documents if d["mentee_id"] in MENTEES] == [3] * 8


async def test_report_refuses_others_and_hostile_ranges(api: ProgressApi) -> None:
    await known_program(api)
    ctx = api.service.context()
    day = START.date()
    for who in (
        Principal(user_id="u-other-admin", roles=frozenset({"admin"})),
        Principal(user_id="u-admin", roles=frozenset()),
    ):
        with pytest.raises(Forbidden):
            await report.program_report(ctx, who, PROGRAM, day, day)
    for start, end in ((day, day - timedelta(days=1)), (date(1, 1, 1), date(9999, 12, 31))):
        with pytest.raises(Invalid):
            await report.program_report(ctx, ADMIN, PROGRAM, start, end)
    for far in (date(9999, 12, 31), date(1, 1, 1)):
        found = await report.program_report(ctx, ADMIN, PROGRAM, far, far)
        assert [w.week for w in found.weeks] == [far - timedelta(days=far.weekday())]
    response = await api.call(
        "GET", f"/programs/{PROGRAM}/report", "u-admin", "admin", params={"from": "x", "to": "y"}
    )
    assert response.status_code == 422


async def test_the_projection_and_the_report_are_served_by_indexes(
    recorded_db: tuple[AsyncDatabase[Document], QueryRecorder],
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    """Each mark is an update of one document by ``_id``, the report one find by
    ``program_id``: neither reads a whole table (``mentorship_testing.plans``)."""
    db, recorder = recorded_db
    recorder.recording = False
    async with publishing_as(kafka_bootstrap, topic_prefix, "progress", "test-report") as broker:
        clock = Clock()
        relay = OutboxRelay(broker, clock=clock)
        store = ProgressStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        await store.prepare()
        reports = ReportStore(db)
        await reports.ensure_indexes()
        planned = PlannedSessionStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        erasures = ErasureStore(db, relay, clock=clock, topic_prefix=topic_prefix)
        ctx = Context(store, clock, timedelta(days=14), planned, erasures, reports)
        published = ProgramPublished(
            program_id=PROGRAM,
            name="Report",
            status="open",
            learning_path_id="social-business-accompaniment",
            admins=[ProgramAdmin(user_id="u-admin")],
        )
        await handlers.on_program_published(at(START, published), ctx)
        await report.on_match_accepted(accepted(MENTEES[0], START), ctx)
        recorder.recording = True
        await report.on_check_in(check_in(MENTEES[0], 1, START + timedelta(hours=1), 3), ctx)
        await report.program_report(ctx, ADMIN, PROGRAM, START.date(), START.date())
    recorded = {(q.collection, q.command, frozenset(q.filter)) for q in recorder.queries}
    assert ("report_weeks", "update", frozenset({"_id"})) in recorded
    assert ("report_weeks", "find", frozenset({"program_id"})) in recorded
    scanned = await scans(db, recorder.queries)
    assert scanned == [], "\n".join(scanned)
