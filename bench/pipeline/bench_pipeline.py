"""Pipeline throughput against the limit of this stack on this machine.

    uv run python bench/pipeline/bench_pipeline.py                  # N = 10,000 / 50,000 / 200,000
    uv run python bench/pipeline/bench_pipeline.py --sizes 2000     # a quick run
    uv run python bench/pipeline/bench_pipeline.py --sizes 600 --workers 2 --output scaling-2w

For each N, a burst of N check-in alerts (``ConfidenceDropped``: a check-in whose confidence fell)
waits on ``progress.events``, for 1,000 mentees and 50 mentors whose directory entries wait on
``mentoring.participants``. Then, on the same events:

* **platform**: the notify service's worker, as ``--workers`` separate processes (``ROLE=worker``,
  each with ``CONSUMER_CONCURRENCY=--concurrency`` and ``CONSUMER_BATCH_SIZE=--batch-size``),
  turns each
  event into the mentor's in-app notification (directory lookup, rules, texts, the document with
  its ``NotificationCreated`` in the outbox, published and acknowledged);
* **limit**: a plain aiokafka consumer reads the same events in batches and writes the same
  number of notification documents with PyMongo ``insert_many`` (no outbox, no directory): what
  this broker, this MongoDB server and this Python can do at best.

The workers first load the directory (1,050 participants); then the burst is published and the
platform's rate runs from the start of the burst to the last notification stored (seen by its
announcement on ``notify.notifications``, which follows the store); ``emails`` then times the
whole pipeline, to the last mentor e-mail received by the SMTP sink. So process
start-up and the directory are not counted (the directory's load time is kept apart). The limit's
rate runs from its first document written to the last.

Beside each rate, the CPU time spent per event of the burst, a figure the database server's speed
does not set: for the platform, the notify workers' (user + system, from ``/proc``) from the start
of the burst to the last notification stored and to the last e-mail, and over the same phases the
MongoDB server's (FerretDB, and the PostgreSQL server it stores its data in: the postmaster and its
backends), Kafka's and this process's; for the limit, this process's own (the limit runs here:
``time.process_time``, from its consumer's start, the group join included, to its last document
written) and the server's and Kafka's over that phase. The server and the broker are shared: on a
busy machine their figures include what others ask of them meanwhile. Raw results go to
bench/results/pipeline.json (or ``--output``); a table is printed. The local stack
(``make infra-up``) or ``KAFKA_BOOTSTRAP_SERVERS`` + ``MONGODB_URL`` is used.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiokafka
import pymongo
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiosmtpd.controller import Controller
from pymongo import AsyncMongoClient

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import ConfidenceDropped, ParticipantRegistered, ProgramPublished
from mentorship_contracts.events.programs import ProgramAdmin
from mentorship_contracts.headers import envelope_headers
from mentorship_contracts.topics import Topic, topic_name
from mentorship_localstack import LocalStack
from mentorship_localstack.processes import any_free_port
from mentorship_runtime.kafka import consumer_lag, ensure_topics, platform_topics
from mentorship_testing.kafka import delete_topics

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))
from devstack import (  # the platform helpers beside the gateway benchmark
    Measured,
    Processes,
    cpu_snapshot,
    cpu_used,
    git_commit,
    stack_processes,
)

ROOT = Path(__file__).resolve().parents[2]
MENTEES, MENTORS = 1_000, 50
PROGRAM = "bench-program"


def directory_events() -> list[Envelope[Any]]:
    events: list[Envelope[Any]] = [
        new_envelope(
            ProgramPublished(
                program_id=PROGRAM,
                name="Benchmark program",
                status="open",
                learning_path_id="social-business-accompaniment",
                admins=[ProgramAdmin(user_id="bench-admin", email="admin@bench.example.org")],
            ),
            producer="bench",
        )
    ]
    for role, count in (("mentor", MENTORS), ("mentee", MENTEES)):
        for i in range(count):
            events.append(
                new_envelope(
                    ParticipantRegistered(
                        participant_id=f"{role}-{i}",
                        program_id=PROGRAM,
                        user_id=f"user-{role}-{i}",
                        roles=[role],
                        display_name=f"{role.title()} {i}",
                        email=f"{role}-{i}@bench.example.org",
                        language="fr" if i % 3 == 0 else "en",
                    ),
                    producer="bench",
                )
            )
    return events


def alert(i: int) -> Envelope[ConfidenceDropped]:
    mentee = i % MENTEES
    return new_envelope(
        ConfidenceDropped(
            mentee_id=f"mentee-{mentee}",
            mentor_id=f"mentor-{mentee % MENTORS}",
            program_id=PROGRAM,
            module_id="purpose",
            previous_confidence=5,
            confidence=1 + i % 3,
        ),
        producer="bench",
    )


async def publish(bootstrap: str, prefix: str, events: list[Envelope[Any]]) -> float:
    """Publish as the services do (acks=all, idempotent); returns the events per second."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=10
    )
    await producer.start()
    started = time.perf_counter()
    try:
        for start in range(0, len(events), 5_000):
            futures = [
                await producer.send(
                    topic_name(e.data.topic, prefix),
                    e.to_bytes(),
                    key=e.key.encode(),
                    headers=[(k, v.encode()) for k, v in envelope_headers(e).items()],
                )
                for e in events[start : start + 5_000]
            ]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return len(events) / (time.perf_counter() - started)


async def wait_for(
    collection: Any, expected: int, *, stall: float = 120.0, since: float | None = None
) -> dict[str, float]:
    """Poll until ``expected`` documents exist (or nothing new for ``stall`` seconds); the rate
    runs from ``since`` (else the first document seen) to the last, by the wall clock (polled
    every 0.2 s)."""
    last, last_change, first_seen, first_count = -1, time.monotonic(), since, 0
    while True:
        count: int = await collection.count_documents({})
        now = time.monotonic()
        if count and first_seen is None:
            first_seen, first_count = now, count
        if count >= expected or (count == last and now - last_change > stall):
            break
        if count != last:
            last, last_change = count, now
        await asyncio.sleep(0.2)
    # to the last document seen, not to the end of the wait: a stalled run is not charged its
    # stall, and its missing documents are reported apart
    seconds = max((now if count >= expected else last_change) - (first_seen or now), 1e-3)
    return {
        "notifications": count,
        "seconds": seconds,
        "events_per_second": (count - first_count) / seconds if first_seen else 0.0,
    }


async def wait_for_announced(
    bootstrap: str,
    prefix: str,
    expected: int,
    *,
    since: float,
    stall: float = 120.0,
    progress: Callable[[], None] = lambda: None,
) -> dict[str, float]:
    """Follow ``notify.notifications`` until ``expected`` distinct notifications have been
    announced (or nothing new for ``stall`` seconds); ``progress`` is called whenever some are.
    Each is announced after it is stored, so this times the stores without asking the database
    anything: counting a FerretDB collection reads it whole (1.4 s for 20,000 documents on
    PostgreSQL), and polling it would load the server under test more as N grows."""
    consumer = AIOKafkaConsumer(
        topic_name(Topic.NOTIFY_NOTIFICATIONS, prefix),
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: set[str] = set()
    last_change = time.monotonic()
    try:
        while len(seen) < expected and time.monotonic() - last_change <= stall:
            batches = await consumer.getmany(timeout_ms=500, max_records=5_000)
            before = len(seen)
            for records in batches.values():
                seen.update(json.loads(r.value)["data"]["notification_id"] for r in records)
            if len(seen) > before:
                last_change = time.monotonic()
                progress()
    finally:
        await consumer.stop()
    seconds = max(last_change - since, 1e-3)
    return {"announced": len(seen), "seconds": seconds, "events_per_second": len(seen) / seconds}


async def wait_for_emails(
    sink: SmtpSink,
    expected: int,
    *,
    since: float,
    stall: float = 120.0,
    progress: Callable[[], None] = lambda: None,
) -> dict[str, float]:
    """Wait until the sink has received ``expected`` e-mails (or none for ``stall`` seconds):
    the end of the whole pipeline, the deliveries included. ``progress`` is called whenever
    more have arrived (polled every 0.2 s)."""
    last, last_change = -1, time.monotonic()
    while sink.received < expected and time.monotonic() - last_change <= stall:
        if sink.received != last:
            last, last_change = sink.received, time.monotonic()
            progress()
        await asyncio.sleep(0.2)
    if sink.received != last:
        last_change = time.monotonic()
        progress()
    seconds = max(last_change - since, 1e-3)
    return {"received": sink.received, "seconds": seconds, "per_second": sink.received / seconds}


def cpu_figures(
    phases: Mapping[str, tuple[Mapping[str, float | None], Mapping[str, float | None]]], n: int
) -> dict[str, Any]:
    """CPU seconds by process over each phase (between its two ``cpu_snapshot``s), and the
    milliseconds of CPU per event of the burst of ``n``."""
    seconds = {phase: cpu_used(before, after) for phase, (before, after) in phases.items()}
    return {
        "cpu_seconds": {
            phase: {k: None if v is None else round(v, 3) for k, v in used.items()}
            for phase, used in seconds.items()
        },
        "cpu_ms_per_event": {
            phase: {k: None if v is None else round(v * 1000 / n, 3) for k, v in used.items()}
            for phase, used in seconds.items()
        },
    }


class SmtpSink:
    """Accepts every e-mail, as a mail relay would: the mentors' e-mail deliveries succeed."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


async def run_platform(
    bootstrap: str,
    mongo_url: str,
    prefix: str,
    database: str,
    alerts: list[Envelope[Any]],
    shape: dict[str, int],
) -> dict[str, Any]:
    """Start the workers, let them load the directory, then publish the burst of alerts and
    time it from the start of the burst to the last notification stored."""
    sink = SmtpSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=any_free_port())
    smtp.start()
    env = {
        **os.environ,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "MONGODB_URL": mongo_url,
        "MONGODB_DATABASE": database,
        "KAFKA_TOPIC_PREFIX": prefix,
        "ROLE": "worker",
        "PROFILE": "dev",
        "LOG_LEVEL": "WARNING",
        "CONSUMER_CONCURRENCY": str(shape["concurrency"]),
        "CONSUMER_BATCH_SIZE": str(shape["batch_size"]),
    }
    log = (ROOT / ".stack" / "logs" / "bench-notify.log").open("wb")
    processes = [
        subprocess.Popen(  # noqa: ASYNC220 - they run beside this loop on purpose
            [sys.executable, "-m", "notify.entrypoints.main"],
            env={**env, "HTTP_PORT": str(any_free_port())},
            stdout=log,
            stderr=log,
        )
        for _ in range(shape["workers"])
    ]
    measured: dict[str, Measured] = {
        "notify workers": Processes(pids=tuple(p.pid for p in processes)),
        **stack_processes(bootstrap, mongo_url),
        "bench": os.getpid(),
    }
    snapshots: dict[str, dict[str, float | None]] = {}  # CPU so far, when a phase last moved

    def mark(phase: str) -> Callable[[], None]:
        def take() -> None:
            snapshots[phase] = cpu_snapshot(measured)

        return take

    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    try:
        started = time.monotonic()
        await wait_for(client[database]["people"], MENTEES + MENTORS, stall=600)
        await wait_for(client[database]["programs"], 1, stall=600)
        directory_seconds = time.monotonic() - started
        burst = time.monotonic()
        at_burst = cpu_snapshot(measured)
        publish_rate = await publish(bootstrap, prefix, alerts)
        result: dict[str, Any] = {
            **await wait_for_announced(
                bootstrap, prefix, len(alerts), since=burst, progress=mark("stored")
            )
        }
        result["emails_received_by_then"] = sink.received
        # every mentor has an address: each alert is one e-mail too
        result["emails"] = await wait_for_emails(
            sink, len(alerts), since=burst, progress=mark("emailed")
        )
        result |= cpu_figures(
            {
                "to_last_notification": (at_burst, snapshots.get("stored", at_burst)),
                "to_last_email": (at_burst, snapshots.get("emailed", at_burst)),
            },
            len(alerts),
        )
        # the checks read the server only now, so its CPU above is the platform's work alone
        result["notifications"] = await client[database]["notifications"].count_documents({})
        lag = await consumer_lag(bootstrap, prefix + "notify")
        stored = {
            d["event_id"] async for d in client[database]["notifications"].find({}, {"event_id": 1})
        }
        result |= {
            # a stalled run: were the missing events still unread, or read and not notified?
            "consumer_lag_at_end": sum(
                n for (topic, _), n in lag.items() if topic.endswith(str(Topic.PROGRESS_EVENTS))
            ),
            "missing_event_ids": sorted({str(a.event_id) for a in alerts} - stored)[:50],
            "directory_load_seconds": directory_seconds,
            "publish_events_per_second": publish_rate,
            "parked_left": await client[database]["parked_events"].count_documents({}),
        }
    finally:
        smtp.stop()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        log.close()
        await client.drop_database(database)
        await client.close()
    return result


def _notification(event: dict[str, Any]) -> dict[str, Any]:
    data = event["data"]
    key = json.dumps([event["event_id"], data["mentor_id"], "progress.confidence_dropped"])
    return {
        "_id": "n-" + hashlib.sha256(key.encode()).hexdigest()[:32],
        "user_id": f"user-{data['mentor_id']}",
        "kind": "progress.confidence_dropped",
        "priority": "normal",
        "title": f"{data['mentee_id']}'s confidence dropped",
        "body": f"Confidence on {data['module_id']} went from {data['previous_confidence']} to "
        f"{data['confidence']}.",
        "subject_id": data["mentee_id"],
        "event_id": event["event_id"],
        "created_at": datetime.now(UTC),
        "read_at": None,
    }


async def run_limit(
    bootstrap: str, mongo_url: str, prefix: str, database: str, n: int
) -> dict[str, Any]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url)
    notifications = client[database]["notifications"]
    consumer = AIOKafkaConsumer(
        topic_name(Topic.PROGRESS_EVENTS, prefix),
        bootstrap_servers=bootstrap,
        group_id=f"{prefix}raw-limit",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=2_000,
    )
    await consumer.start()
    measured = stack_processes(bootstrap, mongo_url)
    before, process_before = cpu_snapshot(measured), time.process_time()
    written, started = 0, None
    try:
        while written < n:
            batches = await consumer.getmany(timeout_ms=1_000, max_records=2_000)
            for records in batches.values():
                documents = [_notification(json.loads(r.value)) for r in records]
                if documents:
                    started = started or time.monotonic()
                    await notifications.insert_many(documents, ordered=False)
                    written += len(documents)
            await consumer.commit()
        seconds = max(time.monotonic() - (started or time.monotonic()), 1e-3)
        after = {**cpu_snapshot(measured), "bench": time.process_time()}
        result = {
            "notifications": written,
            "seconds": seconds,
            "events_per_second": written / seconds,
            **cpu_figures({"limit": ({**before, "bench": process_before}, after)}, n),
        }
    finally:
        await consumer.stop()
        await client.drop_database(database)
        await client.close()
    return result


async def one_size(bootstrap: str, mongo_url: str, n: int, shape: dict[str, int]) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    await ensure_topics(bootstrap, platform_topics(prefix))
    try:
        await publish(bootstrap, prefix, directory_events())
        alerts = [alert(i) for i in range(n)]
        print(f"N={n}: platform (directory first, then the burst)...", flush=True)
        measured = await run_platform(
            bootstrap, mongo_url, prefix, f"bench_p_{prefix[5:-1]}", alerts, shape
        )
        publish_rate = measured["publish_events_per_second"]
        print(f"N={n}: platform {measured['events_per_second']:,.0f} events/s; limit...")
        limit = await run_limit(bootstrap, mongo_url, prefix, f"bench_l_{prefix[5:-1]}", n)
    finally:
        await delete_topics(bootstrap, prefix)
    return {
        "n": n,
        "publish_events_per_second": publish_rate,
        "platform": measured,
        "limit": limit,
        "ratio": measured["events_per_second"] / limit["events_per_second"],
    }


async def main(sizes: list[int], shape: dict[str, int]) -> dict[str, Any]:
    endpoints = await asyncio.to_thread(LocalStack().up)
    bootstrap, mongo_url = endpoints.kafka_bootstrap_servers, endpoints.mongodb_url
    runs = [await one_size(bootstrap, mongo_url, n, shape) for n in sizes]
    return {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "aiokafka": aiokafka.__version__,
            "pymongo": pymongo.__version__,
            "mongodb_server": os.environ.get("BENCH_MONGODB_SERVER")
            or LocalStack().status().get("mongo", {}).get("kind", "external"),
        },
        "setup": {
            "commit": git_commit(),
            "mentees": MENTEES,
            "mentors": MENTORS,
            "partitions": dict(platform_topics())[str(Topic.PROGRESS_EVENTS)],
            "platform": f"{shape['workers']} notify worker process(es), "
            f"CONSUMER_CONCURRENCY={shape['concurrency']}, "
            f"CONSUMER_BATCH_SIZE={shape['batch_size']}, other settings default",
            **shape,
            "limit": "aiokafka getmany(2000) + insert_many(ordered=False)",
            "cpu": "user + system seconds from /proc (the limit's own: time.process_time): "
            "'notify workers', 'mongodb' (FerretDB + the PostgreSQL postmaster and its backends), "
            "'kafka', 'bench' (this process); platform from the start of the burst to the last "
            "notification stored / the last e-mail, limit from its consumer's start to its last "
            "document written; per event: divided by N",
        },
        "runs": runs,
    }


def ms(per_event: dict[str, dict[str, float | None]], name: str) -> str:
    """``1.23 / 2.34``: one process's CPU ms per event over each phase, for the table."""
    return " / ".join(
        "-" if phase.get(name) is None else f"{phase[name]:.2f}" for phase in per_event.values()
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,200000")
    parser.add_argument("--workers", type=int, default=1, help="notify worker processes")
    parser.add_argument("--concurrency", type=int, default=1, help="CONSUMER_CONCURRENCY")
    parser.add_argument(
        "--batch-size", type=int, default=200, help="CONSUMER_BATCH_SIZE (1: one event at a time)"
    )
    parser.add_argument("--output", default="pipeline", help="bench/results/<output>.json")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    shape = {
        "workers": args.workers,
        "concurrency": args.concurrency,
        "batch_size": args.batch_size,
    }
    results = asyncio.run(main(sizes, shape))
    out = ROOT / "bench" / "results" / f"{args.output}.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(
        "| N | published/s | platform events/s | limit events/s | ratio "
        "| platform CPU ms/event, stored / with e-mails "
        "| server CPU ms/event, stored / with e-mails | limit CPU ms/event "
        "| server CPU ms/event, limit |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for run in results["runs"]:
        platform_ms = run["platform"]["cpu_ms_per_event"]
        limit_ms = run["limit"]["cpu_ms_per_event"]
        print(
            f"| {run['n']:,} | {run['publish_events_per_second']:,.0f} "
            f"| {run['platform']['events_per_second']:,.0f} "
            f"| {run['limit']['events_per_second']:,.0f} | {run['ratio']:.0%} "
            f"| {ms(platform_ms, 'notify workers')} | {ms(platform_ms, 'mongodb')} "
            f"| {ms(limit_ms, 'bench')} | {ms(limit_ms, 'mongodb')} |"
        )
