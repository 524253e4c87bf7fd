"""Benchmark of the progress service on the real Kafka broker and MongoDB server.

    uv run python bench/progress/bench_progress.py           # full run, a few minutes
    uv run python bench/progress/bench_progress.py --quick   # small smoke run

Three measurements, each in a fresh subprocess (so that its peak memory, ru_maxrss of the whole
process, is its own), each on its own database and topic prefix (dropped afterwards):

- **check-in ingest through the HTTP API**: the service's FastAPI app served in-process through
  httpx's ASGI transport (no sockets, no uvicorn), JWT verification, the domain, the
  single-document write with its outbox and the publication to Kafka included; at concurrency 1
  and 8 (each client works on its own mentees, so no optimistic-concurrency retries);
- **consumed events**: a burst of MatchAccepted, then MatchEnded for half of those mentees and
  ParticipantWithdrawn for a quarter, published to Kafka at once; the time from the first
  publish until every tracking is in its final state in MongoDB (one consumer process, group
  ``progress``);
- **stall detection over N enrolled mentees** (100,000 by default): tracking documents inserted in
  bulk in a steady state (see ``_seed_document``), then one detection run timed (reads, domain,
  bulk writes and the publication of every event), then a second run, which must emit nothing.

Raw results go to bench/results/progress.json (progress-quick.json with --quick); a markdown
table is printed. The infrastructure is found as the tests find it (KAFKA_BOOTSTRAP_SERVERS and
MONGODB_URL, else Docker, else the local stack, which is left running if it was).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pymongo import AsyncMongoClient

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    MatchAccepted,
    MatchEnded,
    ParticipantWithdrawn,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_contracts.topics import topic_name
from mentorship_runtime.auth import issue_token
from mentorship_runtime.kafka import make_broker, publish_envelope
from mentorship_testing.infrastructure import infrastructure
from mentorship_testing.services import serving, settings_for
from progress.adapters.documents import tracking_document
from progress.bootstrap import build_service, create_app
from progress.config import Settings
from progress.domain.seed import DEFAULT_PATH
from progress.domain.tracking import Tracking
from progress.service_layer.handlers import detect_stalls
from progress.service_layer.ports import Stored

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

FULL = {"ingest_mentees": 100, "ingest_check_ins": 800, "events_mentees": 1000, "n": 100_000}
QUICK = {"ingest_mentees": 50, "ingest_check_ins": 300, "events_mentees": 400, "n": 2_000}
CONCURRENCY = (1, 8)
MODULES = DEFAULT_PATH.module_ids
MILESTONES = sorted(DEFAULT_PATH.milestone_ids)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def settings(database: str, prefix: str, role: str) -> Settings:
    return settings_for(
        Settings,
        kafka=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
        mongo_url=os.environ["MONGODB_URL"],
        database=database,
        topic_prefix=prefix,
        role=role,
        log_level="WARNING",
        detection_seconds=86_400,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---- check-ins through the HTTP API ---------------------------------------------------------


def _tracking(i: int, now: datetime, program_id: str = "pg-bench") -> Tracking:
    return Tracking.start(
        mentee_id=f"pt-{i:06d}",
        program_id=program_id,
        path=DEFAULT_PATH,
        mentor_id=f"pt-mentor-{i % 50}",
        now=now,
    )


async def run_ingest(database: str, prefix: str, mentees: int, check_ins: int) -> dict[str, Any]:
    config = settings(database, prefix, "api")
    app = create_app(config)
    results: dict[str, Any] = {"transport": "httpx.ASGITransport, in-process (no sockets)"}
    async with serving(app, "progress") as http:
        store = app.state.service.store
        now = datetime.now(UTC)
        for i in range(mentees):
            stored = Stored(_tracking(i, now), 0, f"u-{i:06d}", f"u-mentor-{i % 50}")
            await store.insert(stored, [])
        tokens = {
            i: issue_token(config.token_settings(), user_id=f"u-{i:06d}", roles=["mentee"])
            for i in range(mentees)
        }

        errors: list[str] = []

        async def check_in(i: int, n: int) -> float:
            started = time.perf_counter()
            response = await http.post(
                f"/mentees/pt-{i:06d}/check-ins",
                json={"module_id": MODULES[n % len(MODULES)], "confidence": 1 + n % 5},
                headers={"Authorization": f"Bearer {tokens[i]}"},
            )
            if response.status_code != 201:
                errors.append(f"{response.status_code} {response.text[:200]}")
            return time.perf_counter() - started

        await asyncio.gather(*(check_in(i, 0) for i in range(min(mentees, 50))))  # warm-up
        for concurrency in CONCURRENCY:
            latencies: list[float] = []

            async def client(
                worker: int, concurrency: int = concurrency, latencies: list[float] = latencies
            ) -> None:
                mine = [i for i in range(mentees) if i % concurrency == worker]
                for n in range(check_ins // concurrency):
                    latencies.append(await check_in(mine[n % len(mine)], n + 1))

            started = time.perf_counter()
            await asyncio.gather(*(client(w) for w in range(concurrency)))
            seconds = time.perf_counter() - started
            results[f"concurrency_{concurrency}"] = {
                "check_ins": len(latencies),
                "seconds": seconds,
                "per_second": len(latencies) / seconds,
                "p50_ms": statistics.median(latencies) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000,
                "refused_or_failed": len(errors),
                "first_errors": errors[:3],
            }
            errors.clear()
        left = await store.trackings.count_documents({"_outbox_since": {"$exists": True}})
        results["outbox_left"] = left
    results["peak_rss_mib"] = peak_rss_mib()
    return results


# ---- events consumed from Kafka -------------------------------------------------------------


def _envelope(payload: EventPayload) -> Envelope[Any]:
    return new_envelope(payload, producer="mentoring")


def _accepted(i: int) -> MatchAccepted:
    return MatchAccepted(
        match_id=f"m-{i}",
        program_id="pg-bench",
        mentee_id=f"pt-{i:06d}",
        mentor_id=f"pt-mentor-{i % 50}",
        learning_path_id=DEFAULT_PATH.id,
        mentee_user_id=f"u-{i:06d}",
        mentor_user_id=f"u-mentor-{i % 50}",
    )


async def _publish_all(bootstrap: str, prefix: str, events: list[Envelope[Any]]) -> None:
    broker = make_broker(bootstrap, client_id="bench-producer")
    await broker.start()
    try:
        for start in range(0, len(events), 500):
            await asyncio.gather(
                *(
                    publish_envelope(broker, topic_name(e.data.topic, prefix), e)
                    for e in events[start : start + 500]
                )
            )
    finally:
        await broker.stop()


async def _until(check: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the events were not all applied in time")
        await asyncio.sleep(0.05)


async def run_consume(database: str, prefix: str, mentees: int) -> dict[str, Any]:
    bootstrap = os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    app = create_app(settings(database, prefix, "worker"))
    async with serving(app, "progress"):
        db = app.state.service.store.trackings.database
        warm = _envelope(
            ProgramPublished(
                program_id="pg-bench",
                name="Bench",
                status="open",
                learning_path_id=DEFAULT_PATH.id,
                admins=[ProgramAdmin(user_id="u-admin")],
            )
        )
        await _publish_all(bootstrap, prefix, [warm])

        async def warmed() -> bool:
            return bool(await db.programs.count_documents({}) == 1)

        await _until(warmed, 120)  # the consumer group is joined and reading
        accepted = [_envelope(_accepted(i)) for i in range(mentees)]
        ended = [
            _envelope(
                MatchEnded(
                    match_id=f"m-{i}",
                    program_id="pg-bench",
                    mentee_id=f"pt-{i:06d}",
                    mentor_id=f"pt-mentor-{i % 50}",
                    outcome="completed",
                )
            )
            for i in range(0, mentees, 2)
        ]
        withdrawn = [
            _envelope(ParticipantWithdrawn(participant_id=f"pt-{i:06d}", program_id="pg-bench"))
            for i in range(0, mentees, 4)
        ]
        expected = {"active": mentees - len(ended), "paused": len(ended) - len(withdrawn)}
        expected["stopped"] = len(withdrawn)

        async def applied() -> bool:
            for state, count in expected.items():
                if await db.trackings.count_documents({"state": state}) != count:
                    return False
            return True

        started = time.perf_counter()
        await _publish_all(bootstrap, prefix, accepted)
        await _publish_all(bootstrap, prefix, ended + withdrawn)
        published = time.perf_counter() - started
        await _until(applied, 600)
        seconds = time.perf_counter() - started
    total = len(accepted) + len(ended) + len(withdrawn)
    return {
        "events": total,
        "by_type": {
            "MatchAccepted": len(accepted),
            "MatchEnded": len(ended),
            "ParticipantWithdrawn": len(withdrawn),
        },
        "publish_seconds": published,
        "seconds": seconds,
        "per_second": total / seconds,
        "peak_rss_mib": peak_rss_mib(),
    }


# ---- stall detection over many mentees ------------------------------------------------------


CROSSING = 3
"""Mentees whose stall window ends between the previous run and this one (a run a minute)."""


def _seed_document(i: int, now: datetime) -> dict[str, Any]:
    """A steady state, by i % 20: 60 % active in the last 0-6 days; 15 % stalled and signalled
    already (idle 15-20 days); 10 % escalated already (idle 30-40 days); 10 % paused; 5 %
    stopped; and the first ``CROSSING`` mentees idle just past their window, the only ones a run
    a minute after the previous one has something to say about. One program in five stalls
    after 7 days, the others after 14."""
    kind = i % 20
    weekly = i % 5 == 0
    program_id = "pg-weekly" if weekly else "pg-fortnightly"
    window = timedelta(days=7 if weekly else 14)
    started_at = now - timedelta(days=60)
    document = tracking_document(_tracking(i, started_at, program_id))
    history = [started_at + timedelta(days=d) for d in (2, 9, 16)]
    document["check_ins"] = [
        {
            "id": f"ci-{i}-{n}",
            "module_id": MODULES[n],
            "confidence": 2 + n,
            "assessed_by": "mentee",
            "note": "went through the module with my team",
            "recorded_at": at,
        }
        for n, at in enumerate(history)
    ]
    document["milestones"] = [
        {
            "milestone_id": MILESTONES[n],
            "module_id": DEFAULT_PATH.module_of(MILESTONES[n]).id,
            "kind": "completed",
            "by": "mentee",
            "at": history[n],
            "evidence": "https://intranet.example.org/posts/1234",
            "reason": None,
        }
        for n in range(2)
    ]
    if i < CROSSING:
        last = now - window - timedelta(seconds=30)
    elif kind < 12:
        last = now - timedelta(days=i % 7, hours=1)
    elif kind < 15:
        last = now - timedelta(days=15 + i % 6)
        document.update(stalled_since=last + window, stall_episodes=1)
    elif kind < 17:
        last = now - timedelta(days=30 + i % 11)
        document.update(stalled_since=last + window, stall_episodes=1, escalated=True)
    elif kind < 19:
        last = now - timedelta(days=20)
        document.update(state="paused", mentor_id=None)
    else:
        last = now - timedelta(days=25)
        document.update(state="stopped", mentor_id=None)
    document["last_activity_at"] = last
    document.update(
        version=3,
        mentee_user_id=f"u-{i:06d}",
        mentor_user_id=f"u-mentor-{i % 50}",
        seen_events=[f"event-{i}"],
    )
    return document


async def run_seed(database: str, n: int) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(os.environ["MONGODB_URL"])
    db = client[database]
    now = datetime.now(UTC)
    started = time.perf_counter()
    await db.programs.insert_many(
        [
            {"_id": "pg-weekly", "admin_ids": ["u-admin"], "stall_window_days": 7},
            {"_id": "pg-fortnightly", "admin_ids": ["u-admin"], "stall_window_days": 14},
        ]
    )
    for start in range(0, n, 2000):
        batch = [_seed_document(i, now) for i in range(start, min(n, start + 2000))]
        await db.trackings.insert_many(batch, ordered=False)
    seconds = time.perf_counter() - started
    await client.close()
    return {"mentees": n, "seconds": seconds, "per_second": n / seconds}


def _timed(
    spent: dict[str, float], name: str, function: Callable[..., Awaitable[T]]
) -> Callable[..., Awaitable[T]]:
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - started

    return wrapper


async def run_detect(database: str, prefix: str) -> dict[str, Any]:
    service = build_service(settings(database, prefix, "api"), lambda: datetime.now(UTC))
    await service.runtime.start()  # indexes, the seed path, the Kafka producer
    try:
        store = service.store
        spent: dict[str, float] = {}
        drain = _timed(spent, "publish_seconds", store.drain_many)
        save = _timed(spent, "write_and_publish_seconds", store.save_detected)
        store.drain_many = drain  # type: ignore[method-assign,assignment]
        store.save_detected = save  # type: ignore[method-assign,assignment]
        before = peak_rss_mib()
        started = time.perf_counter()
        signalled = await detect_stalls(service.context())
        first = time.perf_counter() - started
        after = peak_rss_mib()
        started = time.perf_counter()
        again = await detect_stalls(service.context())
        second = time.perf_counter() - started
        db = store.trackings.database
        left = await db.trackings.count_documents({"_outbox_since": {"$exists": True}})
        read = 0
        async for page in store.detection_candidates(
            stall_before=datetime.now(UTC) - timedelta(days=7),
            escalate_before=datetime.now(UTC) - timedelta(days=14),
        ):
            read += len(page)
    finally:
        await service.runtime.stop()
    write = spent.get("write_and_publish_seconds", 0.0) - spent.get("publish_seconds", 0.0)
    return {
        "first_run_seconds": first,
        "signalled": signalled,
        "second_run_seconds": second,
        "second_run_signalled": again,
        "phases_first_run": {
            "read_and_detect_seconds": first - spent.get("write_and_publish_seconds", 0.0),
            "bulk_write_seconds": write,
            "publish_seconds": spent.get("publish_seconds", 0.0),
        },
        "candidates_read": read,
        "bulk_write_seconds_per_update": write / signalled if signalled else None,
        "outbox_left": left,
        "peak_rss_mib_before_run": before,
        "peak_rss_mib_after_run": after,
    }


# ---- driver ---------------------------------------------------------------------------------


async def _drop(database: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(os.environ["MONGODB_URL"])
    await client.drop_database(database)
    await client.close()


def in_subprocess(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, "--worker", *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(results: dict[str, Any]) -> str:
    ingest, consume, seed, detect = (
        results["ingest"],
        results["consume"],
        results["detection_seed"],
        results["detection"],
    )
    lines = [
        "| measurement | volume | seconds | rate /s | notes |",
        "|---|---|---|---|---|",
    ]
    for concurrency in CONCURRENCY:
        row = ingest[f"concurrency_{concurrency}"]
        lines.append(
            f"| check-ins via HTTP (ASGI in-process), concurrency {concurrency} "
            f"| {row['check_ins']:,} | {row['seconds']:.1f} | {row['per_second']:,.0f} "
            f"| p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms |"
        )
    lines.append(
        f"| consumed events (accepted, ended, withdrawn) | {consume['events']:,} "
        f"| {consume['seconds']:.1f} | {consume['per_second']:,.0f} "
        f"| published in {consume['publish_seconds']:.1f} s |"
    )
    lines.append(
        f"| seeding trackings (insert_many) | {seed['mentees']:,} | {seed['seconds']:.1f} "
        f"| {seed['per_second']:,.0f} | |"
    )
    phases = detect["phases_first_run"]
    n = seed["mentees"]
    first = detect["first_run_seconds"]
    lines.append(
        f"| detection, first run | {n:,} mentees | {first:.1f} | {n / first:,.0f} "
        f"| {detect['signalled']:,} signalled; "
        f"read+detect {phases['read_and_detect_seconds']:.1f} s, "
        f"bulk write {phases['bulk_write_seconds']:.1f} s, "
        f"publish {phases['publish_seconds']:.1f} s; "
        f"peak RSS {detect['peak_rss_mib_before_run']:.0f} -> "
        f"{detect['peak_rss_mib_after_run']:.0f} MiB |"
    )
    lines.append(
        f"| detection, second run | {seed['mentees']:,} mentees | "
        f"{detect['second_run_seconds']:.1f} | | {detect['second_run_signalled']} signalled |"
    )
    return "\n".join(lines)


def worker(args: list[str]) -> Any:
    kind, database, prefix, *rest = args
    if kind == "ingest":
        return asyncio.run(run_ingest(database, prefix, int(rest[0]), int(rest[1])))
    if kind == "consume":
        return asyncio.run(run_consume(database, prefix, int(rest[0])))
    if kind == "seed":
        return asyncio.run(run_seed(database, int(rest[0])))
    return asyncio.run(run_detect(database, prefix))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--mentees", type=int, help="mentees for detection (default 100,000)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    sizes = dict(QUICK if args.quick else FULL)
    if args.mentees:
        sizes["n"] = args.mentees
    run = uuid.uuid4().hex[:8]
    with infrastructure() as endpoints:
        env = {**os.environ, **endpoints.as_environment()}
        os.environ.update(endpoints.as_environment())
        results: dict[str, Any] = {
            "machine": {
                "cpu_count": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
            "sizes": sizes,
            "memory": "peak_rss_mib: ru_maxrss of a fresh subprocess per measurement",
        }
        databases = [f"bench_progress_{run}_{part}" for part in ("ingest", "consume", "detect")]
        try:
            print("check-ins through the API...", file=sys.stderr)
            results["ingest"] = in_subprocess(
                env,
                "ingest",
                databases[0],
                f"b{run}i.",
                str(sizes["ingest_mentees"]),
                str(sizes["ingest_check_ins"]),
            )
            print("consumed events...", file=sys.stderr)
            results["consume"] = in_subprocess(
                env, "consume", databases[1], f"b{run}c.", str(sizes["events_mentees"])
            )
            print(f"seeding {sizes['n']:,} trackings...", file=sys.stderr)
            results["detection_seed"] = in_subprocess(
                env, "seed", databases[2], f"b{run}d.", str(sizes["n"])
            )
            print("detection...", file=sys.stderr)
            results["detection"] = in_subprocess(env, "detect", databases[2], f"b{run}d.")
        finally:
            for database in databases:
                asyncio.run(_drop(database))
    out = ROOT / "bench" / "results" / ("progress-quick.json" if args.quick else "progress.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
