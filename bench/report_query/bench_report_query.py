"""Benchmark of a program report's query at 1,000 to 100,000 check-ins, on the real MongoDB server.

    uv run python bench/report_query/bench_report_query.py           # 1,000, 10,000, 100,000
    uv run python bench/report_query/bench_report_query.py --quick   # 200 and 2,000, a smoke run

For each size, on a database of its own (dropped afterwards): one program of 100 mentees, each
accepted on the Monday of week 0, a session each week (so that every mentee has marks for every
week at both sizes), and the check-ins spread evenly over the 12 weeks, mentee after mentee,
module after module of the default path, by mentee and mentor in turn. The events are applied by
the report's projection itself (the handlers of the consumer group ``progress-report``, called
in-process, 16 at once) rather than through Kafka, whose delivery is not what is measured; the
ingest rate is reported beside. Then progress's ``GET /programs/{id}/report`` for the 12 weeks is
called as the program's admin through the service's FastAPI app in-process (httpx's ASGI
transport: JWT check, the query, the fold, the JSON), 3 times to warm up and 30 times measured,
one after another.

Raw results go to bench/results/report_query.json (report_query-quick.json with --quick); a
markdown table is printed. The infrastructure is found as the tests find it
(KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL, else Docker, else the local stack).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import bson
from pymongo import AsyncMongoClient

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import MatchAccepted, ProgramAdmin, ProgramPublished
from mentorship_contracts.events.progress import CheckInRecorded, SessionLogged
from mentorship_runtime.auth import issue_token
from mentorship_testing.infrastructure import infrastructure
from mentorship_testing.services import serving, settings_for
from progress.bootstrap import create_app
from progress.config import Settings
from progress.domain.seed import DEFAULT_PATH
from progress.service_layer import handlers, report
from progress.service_layer.handlers import Context

ROOT = Path(__file__).resolve().parents[2]
FULL = (1_000, 10_000, 100_000)
QUICK = (200, 2_000)
MENTEES = 100
WEEKS = 12
WRITERS = 16
WARM_UP, MEASURED = 3, 30
PROGRAM = "pg-bench-report"
START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday
MODULES = DEFAULT_PATH.module_ids


def at(moment: datetime, payload: EventPayload) -> Envelope[Any]:
    return new_envelope(payload, producer="bench", clock=lambda: moment)


def mentee(i: int) -> str:
    return f"pt-{i:04d}"


def events(check_ins: int) -> list[tuple[Callable[..., Awaitable[None]], Envelope[Any]]]:
    """Every event of the scenario with the projection handler that applies it."""
    span = timedelta(weeks=WEEKS) - timedelta(hours=10)  # within the last week
    found: list[tuple[Callable[..., Awaitable[None]], Envelope[Any]]] = []
    for i in range(MENTEES):
        who = {"program_id": PROGRAM, "mentee_id": mentee(i), "mentor_id": f"pt-m{i % 20}"}
        accepted = MatchAccepted(match_id=f"m-{i}", **who)
        found.append((report.on_match_accepted, at(START, accepted)))
        for s in range(WEEKS):
            held = START + timedelta(weeks=s, days=2)
            logged = SessionLogged(
                session_id=f"ss-{i}-{s}", held_on=held.date(), duration_minutes=45, **who
            )
            found.append((report.on_session_logged, at(held, logged)))
    for k in range(check_ins):
        i = k % MENTEES
        who = {"program_id": PROGRAM, "mentee_id": mentee(i), "mentor_id": f"pt-m{i % 20}"}
        recorded = CheckInRecorded(
            check_in_id=f"ci-{k}",
            module_id=MODULES[(k // MENTEES) % len(MODULES)],
            confidence=1 + k % 5,
            assessed_by="mentee" if (k // MENTEES) % 2 == 0 else "mentor",
            **who,
        )
        found.append((report.on_check_in, at(START + span * (k / check_ins), recorded)))
    return found


async def apply_all(
    ctx: Context, work: list[tuple[Callable[..., Awaitable[None]], Envelope[Any]]]
) -> float:
    """Apply every event, ``WRITERS`` at once; the seconds it took."""
    queue = iter(work)

    async def writer() -> None:
        for handler, event in queue:
            await handler(event, ctx)

    began = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(check_ins: int, database: str) -> dict[str, Any]:
    config = settings_for(
        Settings,
        kafka=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        mongo_url=os.environ["MONGODB_URL"],
        database=database,
        topic_prefix=f"bench-report-{database}.",
        role="api",
        log_level="WARNING",
    )
    now = START + timedelta(weeks=WEEKS)
    app = create_app(config, clock=lambda: now)
    token = issue_token(
        config.token_settings(),
        user_id="u-admin",
        roles=("admin",),
        clock=lambda: datetime.now(UTC),
    )
    async with serving(app, "progress") as http:
        ctx: Context = app.state.service.context()
        published = ProgramPublished(
            program_id=PROGRAM,
            name="Bench",
            status="open",
            learning_path_id=DEFAULT_PATH.id,
            admins=[ProgramAdmin(user_id="u-admin")],
            stall_window_days=14,
        )
        await handlers.on_program_published(at(START, published), ctx)
        work = events(check_ins)
        ingest = await apply_all(ctx, work)
        end: date = (START + timedelta(weeks=WEEKS) - timedelta(days=1)).date()
        params = {"from": START.date().isoformat(), "to": end.isoformat()}
        headers = {"Authorization": f"Bearer {token}"}
        times: list[float] = []
        body: dict[str, Any] = {}
        for round_ in range(WARM_UP + MEASURED):
            began = time.perf_counter()
            response = await http.get(f"/programs/{PROGRAM}/report", params=params, headers=headers)
            took = time.perf_counter() - began
            response.raise_for_status()
            body = response.json()
            if round_ >= WARM_UP:
                times.append(took * 1000)
        stored = app.state.service.runtime.database["report_weeks"]
        documents = [d async for d in stored.find({"program_id": PROGRAM})]
    checked = sum(c["mentees"] for c in body["confidence"])
    return {
        "check_ins": check_ins,
        "events_applied": len(work),
        "ingest_seconds": round(ingest, 2),
        "ingest_events_per_second": round(len(work) / ingest, 1),
        "read_model_documents": len(documents),
        "read_model_mentee_weeks": sum(len(d["weeks"]) for d in documents),
        "read_model_bson_bytes": sum(len(bson.encode(d)) for d in documents),
        "weeks_in_report": len(body["weeks"]),
        "mentees_counted_last_week": sum(body["weeks"][-1]["by_status"].values()),
        "confidence_rows": len(body["confidence"]),
        "confidence_mentees_total": checked,
        "query_ms": {
            "median": round(statistics.median(times), 1),
            "p95": round(percentile(times, 0.95), 1),
            "min": round(min(times), 1),
            "max": round(max(times), 1),
            "runs": len(times),
        },
    }


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "| check-ins | read-model documents (mentee-weeks) | their size (KiB) "
        "| report query median (ms) | p95 (ms) | ingest (events/s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in results["runs"]:
        q = run["query_ms"]
        lines.append(
            f"| {run['check_ins']:,} | {run['read_model_documents']:,} "
            f"({run['read_model_mentee_weeks']:,}) | {run['read_model_bson_bytes'] // 1024:,} | "
            f"{q['median']} | "
            f"{q['p95']} | {run['ingest_events_per_second']} |"
        )
    return "\n".join(lines)


async def run(sizes: tuple[int, ...], tag: str) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(os.environ["MONGODB_URL"])
    found = []
    try:
        info = await client.admin.command("buildInfo")
        server = {"version": info.get("version"), "ferretdb": info.get("ferretdb", {})}
        for size in sizes:
            database = f"bench_report_{tag}_{size}"
            try:
                found.append(await measure(size, database))
            finally:
                await client.drop_database(database)
    finally:
        await client.close()
    return {"mongodb_server": server, "runs": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    with infrastructure() as endpoints:
        os.environ.update(endpoints.as_environment())
        results: dict[str, Any] = {
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
            "conditions": {
                "mentees": MENTEES,
                "weeks": WEEKS,
                "modules": len(MODULES),
                "sessions_per_mentee": WEEKS,
                "writers": WRITERS,
                "transport": "httpx.ASGITransport, in-process (no sockets)",
                "query": f"GET /programs/{{id}}/report, {WEEKS} weeks, as the program's admin",
                "warm_up": WARM_UP,
            },
        }
        results.update(asyncio.run(run(sizes, uuid.uuid4().hex[:8])))
    name = "report_query-quick.json" if args.quick else "report_query.json"
    out = ROOT / "bench" / "results" / name
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
