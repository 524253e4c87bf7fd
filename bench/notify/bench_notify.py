"""Benchmark of notify's consumer path: events on Kafka in, in-app notifications stored out.

    uv run python bench/notify/bench_notify.py            # 50,000-event burst, then latency
    uv run python bench/notify/bench_notify.py --quick    # 2,000-event burst, short latency run

A notify worker runs in its own process (``ROLE=worker``, as deployed) against the local stack
(or ``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URL``), on a fresh database and topic prefix. The
directory knows 1,000 mentees and 100 mentors; each event is a ``ConfidenceDropped`` that tells
one mentor (high priority: an in-app notification and an e-mail at once). The worker's delivery
job sends the e-mails meanwhile to a local SMTP sink (aiosmtpd) in this process, as it would in
production, so its load is part of the measure.

- Burst: the events are produced as fast as the producer goes; the rate is notifications per
  second from the first event's Kafka timestamp to the last ``NotificationCreated``'s (which
  notify publishes right after the notification's insert is durable), and over the middle 80%.
- Latency: events at a steady moderate rate; per event, the time from its Kafka timestamp to the
  timestamp of the ``NotificationCreated`` it caused (same machine, same clock): p50, p99, max.

Raw results go to bench/results/notify.json (notify-quick.json with --quick); a table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiosmtpd.controller import Controller
from pymongo import AsyncMongoClient

from mentorship_contracts import new_envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import (
    ConfidenceDropped,
    ParticipantRegistered,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_contracts.headers import envelope_headers
from mentorship_contracts.topics import Topic, topic_name
from mentorship_localstack import LocalStack
from mentorship_localstack.processes import any_free_port
from mentorship_localstack.stack import external_endpoints

ROOT = Path(__file__).resolve().parents[2]
MENTEES, MENTORS = 1_000, 100
PROGRAM = "pg-bench"


def directory() -> list[EventPayload]:
    people: list[EventPayload] = [
        ParticipantRegistered(
            participant_id=f"pt-mentor-{i}",
            program_id=PROGRAM,
            user_id=f"u-mentor-{i}",
            roles=["mentor"],
            display_name=f"Mentor {i}",
            email=f"mentor-{i}@example.org",
            language="fr" if i % 3 == 0 else "en",
            timezone="Europe/Paris",
        )
        for i in range(MENTORS)
    ]
    people += [
        ParticipantRegistered(
            participant_id=f"pt-mentee-{i}",
            program_id=PROGRAM,
            user_id=f"u-mentee-{i}",
            roles=["mentee"],
            display_name=f"Mentee {i}",
            email=f"mentee-{i}@example.org",
        )
        for i in range(MENTEES)
    ]
    people.append(
        ProgramPublished(
            program_id=PROGRAM,
            name="Bench",
            status="open",
            learning_path_id="p",
            admins=[ProgramAdmin(user_id="u-admin", display_name="Admin")],
        )
    )
    return people


def drop(number: int) -> ConfidenceDropped:
    mentee = number % MENTEES
    return ConfidenceDropped(
        mentee_id=f"pt-mentee-{mentee}",
        mentor_id=f"pt-mentor-{mentee % MENTORS}",
        program_id=PROGRAM,
        module_id=f"module-{number}",
        previous_confidence=4,
        confidence=2,
    )


class Bench:
    def __init__(self, bootstrap: str, mongo_url: str) -> None:
        self.bootstrap = bootstrap
        self.mongo_url = mongo_url
        tag = uuid.uuid4().hex[:10]
        self.prefix = f"bench{tag}."
        self.database = f"bench_notify_{tag}"
        self.worker: subprocess.Popen[bytes] | None = None
        self.producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
        )
        self.out = AIOKafkaConsumer(
            topic_name(Topic.NOTIFY_NOTIFICATIONS, self.prefix),
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            max_poll_records=5000,
        )
        self.created: dict[str, int] = {}  # cause event id -> NotificationCreated timestamp (ms)
        self.emails = 0
        self.sink_port = any_free_port()
        self.sink = Controller(self, hostname="127.0.0.1", port=self.sink_port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.emails += 1
        return "250 OK"

    def start_worker(self) -> None:
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "MONGODB_URL": self.mongo_url,
            "MONGODB_DATABASE": self.database,
            "KAFKA_TOPIC_PREFIX": self.prefix,
            "ROLE": "worker",
            "CONSUMER_GROUP": f"notify-{self.prefix.rstrip('.')}",  # no one else's rebalances
            "LOG_LEVEL": "WARNING",
            "HTTP_PORT": str(any_free_port()),
            "DELIVERY_POLL_SECONDS": "1",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.sink_port),
        }
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "notify.entrypoints.main"], env=env, cwd=ROOT
        )

    def stop_worker(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGINT)
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()

    async def publish(self, payloads: list[EventPayload]) -> dict[str, int]:
        """Produce the events without waiting for each; their Kafka timestamps by event id."""
        futures = []
        for payload in payloads:
            event = new_envelope(payload, producer="bench")
            futures.append(
                (
                    str(event.event_id),
                    await self.producer.send(
                        topic_name(payload.topic, self.prefix),
                        event.to_bytes(),
                        key=event.key.encode(),
                        headers=[(k, v.encode()) for k, v in envelope_headers(event).items()],
                    ),
                )
            )
        return {event_id: (await future).timestamp for event_id, future in futures}

    async def wait_created(self, causes: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not causes <= self.created.keys():
            if time.monotonic() > deadline:
                missing = len(causes - self.created.keys())
                raise TimeoutError(f"{missing} notifications not created within {timeout}s")
            batch = await self.out.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    body = json.loads(record.value)
                    if body["type"] == "notify.notification.created":
                        self.created.setdefault(body["causation_id"], record.timestamp)

    async def warm_up(self) -> None:
        """Directory known, every subscription assigned: one alert went all the way through."""
        await self.publish(directory())
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.mongo_url)
        try:
            deadline = time.monotonic() + 600
            while await mongo[self.database].people.count_documents({}) < MENTEES + MENTORS:
                if time.monotonic() > deadline:
                    raise TimeoutError("the directory was not built within 600 s")
                await asyncio.sleep(1)
        finally:
            await mongo.close()
        sent = await self.publish([drop(0)])
        await self.wait_created(set(sent), timeout=600)

    async def burst(self, count: int) -> dict[str, Any]:
        started = time.perf_counter()
        sent = await self.publish([drop(i) for i in range(1, count + 1)])
        produced = time.perf_counter() - started
        await self.wait_created(set(sent), timeout=max(600.0, count / 5))
        first_in = min(sent.values())
        outs = sorted(self.created[e] for e in sent)
        seconds = (outs[-1] - first_in) / 1000
        low, high = outs[len(outs) // 10], outs[(len(outs) * 9) // 10]
        middle = (high - low) / 1000
        return {
            "events": count,
            "produce_seconds": produced,
            "seconds_first_event_to_last_notification": seconds,
            "notifications_per_second": count / seconds,
            "notifications_per_second_middle_80pct": (0.8 * count) / middle if middle else None,
        }

    async def latency(self, rate: float, seconds: float) -> dict[str, Any]:
        count = int(rate * seconds)
        sent: dict[str, int] = {}
        start = time.perf_counter()
        for i in range(count):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent.update(await self.publish([drop(100_000_000 + i)]))
        await self.wait_created(set(sent), timeout=600)
        lags = sorted(self.created[e] - sent[e] for e in sent)
        return {
            "events": count,
            "rate_per_second": rate,
            "p50_ms": statistics.median(lags),
            "p99_ms": lags[min(len(lags) - 1, int(len(lags) * 0.99))],
            "max_ms": lags[-1],
            "mean_ms": statistics.fmean(lags),
        }

    async def clean(self) -> None:
        mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.mongo_url)
        try:
            await mongo.drop_database(self.database)
        finally:
            await mongo.close()
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            mine = [t for t in await admin.list_topics() if t.startswith(self.prefix)]
            if mine:
                await admin.delete_topics(mine)
        finally:
            await admin.close()


async def run(bootstrap: str, mongo_url: str, burst: int, rate: float, seconds: float) -> Any:
    bench = Bench(bootstrap, mongo_url)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        info = await mongo.server_info()
    finally:
        await mongo.close()
    server = {
        "kind": "ferretdb" if "ferretdb" in json.dumps(info, default=str).lower() else "mongodb",
        "version": info.get("version"),
    }
    bench.sink.start()
    bench.start_worker()
    await bench.producer.start()
    await bench.out.start()
    try:
        await bench.warm_up()
        burst_result = await bench.burst(burst)
        latency_result = await bench.latency(rate, seconds)
        latency_result["emails_received_by_then"] = bench.emails
    finally:
        await bench.out.stop()
        await bench.producer.stop()
        bench.stop_worker()
        bench.sink.stop()
        await bench.clean()
    return server, burst_result, latency_result


def table(results: dict[str, Any]) -> str:
    b, lat = results["burst"], results["latency"]
    middle = b["notifications_per_second_middle_80pct"]
    return "\n".join(
        [
            "| measure | value |",
            "| --- | --- |",
            f"| burst: events | {b['events']:,} |",
            f"| burst: produced in | {b['produce_seconds']:.1f} s |",
            f"| burst: first event to last notification | "
            f"{b['seconds_first_event_to_last_notification']:.1f} s |",
            f"| burst: notifications per second (overall) | {b['notifications_per_second']:.0f} |",
            f"| burst: notifications per second (middle 80%) | {middle:.0f} |"
            if middle
            else "| burst: middle 80% | n/a |",
            f"| latency: {lat['events']} events at {lat['rate_per_second']:g}/s: p50 | "
            f"{lat['p50_ms']:.0f} ms |",
            f"| latency: p99 | {lat['p99_ms']:.0f} ms |",
            f"| latency: max | {lat['max_ms']:.0f} ms |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 events, 15 s of latency")
    parser.add_argument("--events", type=int, help="burst size (default 50,000)")
    parser.add_argument("--rate", type=float, default=5.0, help="latency run, events per second")
    args = parser.parse_args()
    burst = args.events or (2_000 if args.quick else 50_000)
    seconds = 15.0 if args.quick else 60.0

    endpoints = external_endpoints()
    stack = None
    if endpoints is None:
        stack = LocalStack()
        endpoints = stack.up()
    try:
        server, burst_result, latency_result = asyncio.run(
            run(
                endpoints.kafka_bootstrap_servers,
                endpoints.mongodb_url,
                burst,
                args.rate,
                seconds,
            )
        )
    finally:
        if stack is not None and endpoints.started_here:
            stack.down()
    results = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "mongodb_server": server,
        "directory": {"mentees": MENTEES, "mentors": MENTORS},
        "burst": burst_result,
        "latency": latency_result,
    }
    out = ROOT / "bench" / "results" / ("notify-quick.json" if args.quick else "notify.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
