"""End-to-end alert latency: a check-in through the gateway to the mentor's subscription.

    uv run python bench/latency/bench_latency.py            # 20 s per rate, about 10 minutes
    uv run python bench/latency/bench_latency.py --quick    # 5 s per rate, a smoke run
    uv run python bench/latency/bench_latency.py --rates 50 100 200 --kill-rates 100

The platform runs as ``make dev`` runs it (the supervisor and its four processes, one each), with
its own ports, databases and topic prefix, on the local stack's Kafka broker and MongoDB server
(which it neither starts nor stops); its demo is one mentor with 50 mentees. Topics and databases
are deleted at the end.

The mentor holds the ``notifications`` subscription open over graphql-transport-ws on the gateway
(token in ``connection_init``'s payload). Check-ins are sent through the gateway's
``recordCheckIn`` by the mentees (each with their own token), open loop at a steady rate (each
request starts at its scheduled time, whatever the others do), over a pool of keep-alive
connections. For each mentee they cycle through the six modules, two check-ins per module: 5, then
3, 2 or 1, so every second check-in is a drop of 2 or more. Each drop makes progress publish
``ConfidenceDropped``; notify turns it into a high-priority in-app notification for the mentor and
publishes ``NotificationCreated``; the gateway's live feed reads it and the subscription sends it.

Measured per dropping check-in: the time from its mutation's response (read by this client) to the
subscription's message about it (matched by mentee and confidence, in order), both on this
process's monotonic clock: p50, p95, p99, max, and how many alerts arrived of those expected.
Each alert's time is also split by stage, from the Kafka records' timestamps (set by the
producing service): progress (response to ``ConfidenceDropped``), notify (to its
``NotificationCreated``), gateway (to the socket). Also the rate actually achieved, the
mutations' own latency from their scheduled start, the CPU share of every process while sending
(to say what limits the rate), and the CPU time per check-in (user + system, from ``/proc``) of
each of the platform's processes and of the MongoDB server (FerretDB and the PostgreSQL server it
stores its data in: the postmaster and its backends), from the run's start to its last alert: a
figure the database server's speed does not set (the server is shared: on a busy machine it
includes what others ask of it meanwhile; a process restarted during the run has none).

First a closed-loop probe (4 clients) measures how many check-ins per second the platform
completes; then runs at 70% of that (a rate it sustains), 50, 100 and 200/s; two more runs, at
that sustainable rate and at 100/s, kill notify with SIGKILL in their middle: the supervisor
restarts it, and every alert should still arrive.
Between runs the platform is left to settle (its processes idle) so that a run does not pay for
the last one's backlog. A dropping check-in whose mutation failed (e.g. the gateway's call to
progress timed out) may still have been applied: its alert is counted apart, never matched to
another one.

Nothing is asserted: it measures. Raw results go to bench/results/latency.json
(latency-quick.json with --quick), with the machine, versions, settings and load average; a
markdown table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from devstack import (  # the platform helpers beside the gateway benchmark
    ROOT,
    SERVICE_NAMES,
    CpuMeter,
    DevPlatform,
    HttpConnection,
    Seeded,
    cpu_shares,
    distribution_ms,
    load_average,
    machine_facts,
    stack_endpoints,
)

MODULES = (
    "purpose",
    "community-rules",
    "digital-identity",
    "uses-for-my-job",
    "bringing-value",
    "knowing-the-limits",
)
HIGH = 5
LOWS = (3, 2, 1)  # module k always drops to LOWS[k % 3]
CHECK_IN = (
    "mutation($m: ID!, $mod: ID!, $c: Int!) { recordCheckIn(menteeId: $m, "
    "moduleId: $mod, confidence: $c) { __typename } }"
)
SUBSCRIPTION = "subscription { notifications { id kind subjectId body createdAt } }"
FELL = re.compile(r"(\d)/5\D+(\d)/5")
MAX_CONNECTIONS = 256


@dataclass
class Books:
    """Dropping check-ins waiting for their alert, and what arrived, for the whole session: an
    alert that arrives after its run is over still counts for the run of its check-in."""

    run: int = 0
    pending: dict[tuple[str, int], deque[tuple[float, int]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    early: dict[tuple[str, int], deque[float]] = field(default_factory=lambda: defaultdict(deque))
    latencies: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    expected: Counter[int] = field(default_factory=Counter)
    arrived: Counter[int] = field(default_factory=Counter)
    # dropping check-ins whose mutation failed (e.g. the gateway's call to progress timed out)
    # may still have been applied: their alerts are counted apart, never matched to another's
    uncertain: Counter[tuple[str, int]] = field(default_factory=Counter)
    uncertain_arrived: int = 0
    other_kinds: Counter[str] = field(default_factory=Counter)
    ids: set[str] = field(default_factory=set)
    duplicate_ids: int = 0
    # notification id: (run, response, arrival) of each matched alert, for the stages
    matched: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    early_ids: dict[tuple[str, int], deque[str]] = field(default_factory=lambda: defaultdict(deque))

    def responded(self, key: tuple[str, int], at: float) -> None:
        self.expected[self.run] += 1
        if self.early[key]:
            arrived = self.early[key].popleft()
            self.latencies[self.run].append(arrived - at)
            self.arrived[self.run] += 1
            self.matched[self.early_ids[key].popleft()] = (self.run, at, arrived)
        else:
            self.pending[key].append((at, self.run))

    def alert(self, key: tuple[str, int], at: float, notification_id: str) -> None:
        if notification_id in self.ids:
            self.duplicate_ids += 1
            return
        self.ids.add(notification_id)
        if not self.pending[key] and self.uncertain[key]:
            self.uncertain[key] -= 1
            self.uncertain_arrived += 1
            return
        if self.pending[key]:
            responded, run = self.pending[key].popleft()
            self.latencies[run].append(at - responded)
            self.arrived[run] += 1
            self.matched[notification_id] = (run, responded, at)
        else:
            self.early[key].append(at)
            self.early_ids[key].append(notification_id)

    def outstanding(self, run: int | None = None) -> int:
        return sum(1 for q in self.pending.values() for _, r in q if run is None or r == run)

    def unmatched(self) -> int:
        return sum(len(q) for q in self.early.values())

    def totals(self) -> dict[str, int]:
        return {
            "alerts_unmatched": self.unmatched(),
            "dropping_check_ins_failed_or_uncertain": sum(self.uncertain.values())
            + self.uncertain_arrived,
            "alerts_for_failed_or_uncertain_check_ins": self.uncertain_arrived,
            "duplicate_alerts": self.duplicate_ids,
            "other_notifications": dict(self.other_kinds),  # type: ignore[dict-item]
        }


class Subscriber:
    """The mentor's ``notifications`` subscription over graphql-transport-ws."""

    def __init__(self, port: int, token: str, books: Books) -> None:
        self.port, self.token, self.books = port, token, books
        self.socket: ClientConnection | None = None
        self.task: asyncio.Task[None] | None = None
        self.errors: list[Any] = []

    async def open(self) -> None:
        self.socket = await connect(
            f"ws://127.0.0.1:{self.port}/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            max_size=2**22,
            ping_interval=None,
        )
        await self.socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}
            )
        )
        ack = json.loads(await self.socket.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"the gateway refused the subscription: {ack}")
        await self.socket.send(
            json.dumps({"id": "alerts", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        )
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.socket is not None
        async for raw in self.socket:
            at = time.monotonic()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))
                continue
            if kind != "next":
                self.errors.append(message)
                continue
            payload = message["payload"]
            if payload.get("errors"):
                self.errors.append(payload["errors"])
            created = (payload.get("data") or {}).get("notifications")
            if not created:
                continue
            fell = FELL.search(created["body"])
            if created["kind"] != "PROGRESS_CONFIDENCE_DROPPED" or fell is None:
                self.books.other_kinds[created["kind"]] += 1
                continue
            key = (created["subjectId"], int(fell.group(2)))
            self.books.alert(key, at, created["id"])

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
        if self.socket is not None:
            await self.socket.close()


class Sender:
    """Check-ins at a steady rate, open loop, each mentee cycling through its modules."""

    def __init__(self, port: int, seeded: Seeded, books: Books) -> None:
        self.port, self.seeded, self.books = port, seeded, books
        self.idle: list[HttpConnection] = []
        self.opened = 0
        self.waiting_for_connection = 0
        self.counter = 0
        self.rounds: Counter[str] = Counter()
        self.last_high_ok: dict[str, bool] = {}

    def _connection(self) -> HttpConnection | None:
        if self.idle:
            return self.idle.pop()
        if self.opened < MAX_CONNECTIONS:
            self.opened += 1
            return HttpConnection("127.0.0.1", self.port)
        return None

    async def one(self, scheduled: float, stats: dict[str, Any]) -> None:
        index = self.counter
        self.counter += 1
        mentee_id, token = self.seeded.mentees[index % len(self.seeded.mentees)]
        step = self.rounds[mentee_id]
        self.rounds[mentee_id] += 1
        module = (step // 2) % len(MODULES)
        dropping = step % 2 == 1
        confidence = LOWS[module % len(LOWS)] if dropping else HIGH
        variables = {"m": mentee_id, "mod": MODULES[module], "c": confidence}
        body = json.dumps({"query": CHECK_IN, "variables": variables}).encode()
        connection = self._connection()
        while connection is None:
            stats["waited_for_a_connection"] += 1
            await asyncio.sleep(0.001)
            connection = self._connection()
        stats["send_lag"].append(time.monotonic() - scheduled)
        try:
            status, answer = await connection.post_json(
                "/graphql", body, {"Authorization": f"Bearer {token}"}
            )
        except (OSError, asyncio.IncompleteReadError) as exc:
            status, answer = 0, {"errors": [{"message": repr(exc)}]}
        at = time.monotonic()
        self.idle.append(connection)
        stats["mutation_latency"].append(at - scheduled)
        ok = status == 200 and not answer.get("errors")
        if ok:
            ok = (answer.get("data") or {}).get("recordCheckIn", {}).get(
                "__typename"
            ) == "MenteeProgress"
        if not ok:
            stats["errors"][_problem(status, answer)] += 1
            if len(stats["error_samples"]) < 3:
                stats["error_samples"].append(json.dumps(answer)[:500])
        if not dropping:
            self.last_high_ok[mentee_id] = ok
        elif ok and self.last_high_ok.get(mentee_id, False):
            stats["drops"] += 1
            self.books.responded((mentee_id, confidence), at)
        else:
            self.books.uncertain[(mentee_id, confidence)] += 1
        stats["completed"] += 1
        stats["succeeded"] += ok
        stats["last_response"] = at

    async def capacity(self, concurrency: int, duration: float) -> dict[str, Any]:
        """Closed loop: how many check-ins per second the platform completes, successfully."""
        stats = _new_stats()
        start = time.monotonic()

        async def client() -> None:
            while time.monotonic() - start < duration:
                await self.one(time.monotonic(), stats)

        await asyncio.gather(*(client() for _ in range(concurrency)))
        took = time.monotonic() - start
        return {
            "concurrency": concurrency,
            "seconds": round(took, 2),
            "completed": stats["completed"],
            "succeeded": stats["succeeded"],
            "succeeded_per_second": round(stats["succeeded"] / took, 2),
            "mutation_latency": distribution_ms(stats["mutation_latency"]),
            "mutation_errors": dict(stats["errors"]),
        }

    async def run(self, rate: float, duration: float, during: Any = None) -> dict[str, Any]:
        stats = _new_stats()
        count = int(rate * duration)
        start = time.monotonic() + 0.05
        tasks: list[asyncio.Task[None]] = []
        side = asyncio.create_task(during(start)) if during is not None else None
        for i in range(count):
            scheduled = start + i / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one(scheduled, stats)))
        sent_for = time.monotonic() - start
        await asyncio.gather(*tasks)
        side_result = await side if side is not None else None
        completed_for = stats["last_response"] - start
        return {
            "requested_rate": rate,
            "check_ins": count,
            "sending_seconds": round(sent_for, 2),
            "achieved_send_rate": round(count / sent_for, 1),
            "achieved_completion_rate": round(stats["completed"] / completed_for, 1),
            "send_lag": distribution_ms(stats["send_lag"]),
            "mutation_latency_from_schedule": distribution_ms(stats["mutation_latency"]),
            "mutation_errors": dict(stats["errors"]),
            "mutation_error_samples": stats["error_samples"],
            "connections_opened": self.opened,
            "waited_for_a_connection": stats["waited_for_a_connection"],
            "dropping_check_ins": stats["drops"],
            **({"fault": side_result} if side_result is not None else {}),
        }


def _new_stats() -> dict[str, Any]:
    return {
        "send_lag": [],
        "mutation_latency": [],
        "errors": Counter(),
        "error_samples": [],
        "waited_for_a_connection": 0,
        "drops": 0,
        "completed": 0,
        "succeeded": 0,
        "last_response": 0.0,
    }


def _problem(status: int, answer: Any) -> str:
    if status != 200:
        return f"http {status}"
    errors = answer.get("errors") or []
    if errors:
        return str(errors[0].get("extensions", {}).get("code") or errors[0].get("message"))
    return str(((answer.get("data") or {}).get("recordCheckIn") or {}).get("__typename"))


async def settle(dev: DevPlatform, timeout: float = 30) -> float:
    """Wait until the services are idle (under a tenth of a core each over a second)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pids = {k: v for k, v in dev.pids().items() if k in SERVICE_NAMES}
        meter = CpuMeter(pids)
        meter.start()
        await asyncio.sleep(1.0)
        shares = meter.stop()["cores_used_by"]
        if all(v is not None and v < 0.1 for v in shares.values()):
            break
    return time.monotonic() - started


async def drain(books: Books, timeout: float, run: int) -> float:
    """Wait for the run's outstanding alerts; returns how long it took."""
    started = time.monotonic()
    while books.outstanding(run) and time.monotonic() - started < timeout:  # noqa: ASYNC110
        await asyncio.sleep(0.05)  # polling the books is simpler than an event per alert
    return time.monotonic() - started


def kill_notify(dev: DevPlatform, after: float) -> Any:
    async def fault(start: float) -> dict[str, Any]:
        await asyncio.sleep(max(0.0, start + after - time.monotonic()))
        old = dev.pids()["notify"]
        os.kill(old, signal.SIGKILL)
        killed = time.monotonic()
        print(f"  notify (pid {old}) killed with SIGKILL at {killed - start:.1f} s", flush=True)
        new, restarted, ready = None, None, None
        while time.monotonic() - killed < 120:
            with contextlib.suppress(OSError, ValueError, KeyError):
                current = dev.pids()["notify"]
                if current != old and new is None:
                    new, restarted = current, time.monotonic()
            if new is not None:
                with contextlib.suppress(Exception):
                    await dev.wait_ready("notify", time.monotonic() + 60)
                    ready = time.monotonic()
                    break
            await asyncio.sleep(0.1)
        return {
            "killed": "notify",
            "signal": "SIGKILL",
            "at_seconds": round(killed - start, 2),
            "restarted_after_seconds": None if restarted is None else round(restarted - killed, 2),
            "ready_after_seconds": None if ready is None else round(ready - killed, 2),
        }

    return fault


async def one_run(
    name: str,
    rate: float,
    duration: float,
    dev: DevPlatform,
    sender: Sender,
    *,
    drain_timeout: float,
    during: Any = None,
) -> dict[str, Any]:
    settled = await settle(dev)
    print(f"- {name}: {rate:g} check-ins/s for {duration:.0f} s", flush=True)
    load = load_average()
    books = sender.books
    books.run += 1
    run = books.run
    before = books.totals()
    meter = CpuMeter(dev.processes())
    meter.start()
    sent = await sender.run(rate, duration, during)
    cpu = meter.stop()
    drained = await drain(books, drain_timeout, run)
    to_last_alert = meter.stop()
    await asyncio.sleep(1.0)  # late duplicates, if any
    after = books.totals()
    print(f"  {books.arrived[run]} of {books.expected[run]} alerts", flush=True)
    return {
        "run": name,
        "run_number": run,
        "load_average_at_start": load,
        "settled_for_seconds_before": round(settled, 1),
        **sent,
        "alerts_expected": books.expected[run],
        "alerts_arrived": books.arrived[run],
        "alerts_missing": books.outstanding(run),
        **{f"{k}_during_run": v - before[k] for k, v in after.items() if isinstance(v, int)},
        "drain_seconds_after_last_response": round(drained, 2),
        "alert_latency": distribution_ms(books.latencies[run]),
        "cpu_while_sending": cpu,
        "cpu_to_last_alert": to_last_alert,
        "cpu_ms_per_check_in": per_check_in(to_last_alert["cpu_seconds_by"], sent["check_ins"]),
    }


def per_check_in(used: dict[str, float | None], check_ins: int) -> dict[str, float | None]:
    """Milliseconds of CPU per check-in of each process, and ``platform``: the four services'
    together (None when one of them was restarted during the run)."""
    found = {
        name: None if seconds is None else round(seconds * 1000 / check_ins, 3)
        for name, seconds in used.items()
    }
    services = [found.get(name) for name in SERVICE_NAMES]
    found["platform"] = (
        None if None in services else round(sum(s for s in services if s is not None), 3)
    )
    return found


async def topic_records(topic: str) -> list[tuple[float, dict[str, Any]]]:
    """Every record of ``topic`` so far: (its timestamp, wall clock in seconds; its body)."""
    bootstrap, _, _ = stack_endpoints()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()  # no group: every partition, from the start
    try:
        parts = list(consumer.assignment())
        ends = await consumer.end_offsets(parts)
        found: list[tuple[float, dict[str, Any]]] = []
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for records in (await consumer.getmany(*parts, timeout_ms=1000)).values():
                found += [(r.timestamp / 1000, json.loads(r.value or b"{}")) for r in records]
        return found
    finally:
        await consumer.stop()


async def stages(dev: DevPlatform, books: Books) -> dict[int, dict[str, Any]]:
    """Where each matched alert spent its time, by run, from the Kafka records' timestamps
    (set by the producing service when it handed the event to its producer):

    - progress: from the mutation's response to ``ConfidenceDropped`` handed to the producer
      (negative when progress published before the gateway's answer reached the client);
    - notify: from there to its ``NotificationCreated``;
    - gateway: from there to the subscription's message.
    """
    wall = time.time() - time.monotonic()  # this process's monotonic clock to the wall clock
    dropped = {
        body.get("event_id"): at
        for at, body in await topic_records(dev.topic_prefix + "progress.events")
        if body.get("type") == "progress.confidence.dropped"
    }
    announced = {
        (body.get("data") or {}).get("notification_id"): (at, body.get("causation_id"))
        for at, body in await topic_records(dev.topic_prefix + "notify.notifications")
        if body.get("type") == "notify.notification.created"
    }
    parts: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    unmatched: Counter[int] = Counter()  # alerts whose records were not found
    for notification_id, (run, responded, arrived) in books.matched.items():
        announcement, cause = announced.get(notification_id, (None, None))
        drop = dropped.get(cause)
        if announcement is None or drop is None:
            unmatched[run] += 1
            continue
        parts[run]["progress"].append(drop - (responded + wall))
        parts[run]["notify"].append(announcement - drop)
        parts[run]["gateway"].append(arrived + wall - announcement)
    return {
        run: {
            **{name: distribution_ms(values) for name, values in parts[run].items()},
            **({"unmatched": unmatched[run]} if unmatched[run] else {}),
        }
        for run in parts.keys() | unmatched.keys()
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    load_at_start = load_average()
    dev = DevPlatform("lat")
    books = Books()
    runs: list[dict[str, Any]] = []
    subscriber: Subscriber | None = None
    try:
        print("starting make dev (own ports, databases and topics)", flush=True)
        await dev.start()
        print("seeding one mentor with 50 mentees", flush=True)
        seeded = await dev.seed(mentors=1, mentees=args.mentees, capacity=args.mentees)
        print(f"  {len(seeded.mentees)} mentees in {seeded.seconds:.0f} s", flush=True)
        subscriber = Subscriber(dev.port("gateway"), seeded.mentor_token, books)
        await subscriber.open()
        sender = Sender(dev.port("gateway"), seeded, books)
        # warm-up: the path is live end to end before anything is measured
        warm = await one_run("warm-up", 20, 3, dev, sender, drain_timeout=60)
        print(f"  warm-up: {warm['alerts_arrived']} alerts", flush=True)
        await settle(dev)
        print(
            f"- capacity: closed loop, {args.probe_clients} clients, {args.probe:.0f} s", flush=True
        )
        probe = await sender.capacity(args.probe_clients, args.probe)
        sustainable = max(1.0, round(0.7 * probe["succeeded_per_second"], 1))
        print(
            f"  {probe['succeeded_per_second']}/s succeeded: runs at {sustainable}/s too",
            flush=True,
        )
        await asyncio.sleep(args.pause)
        # the runs the platform keeps up with first, then the overloads (their backlog would
        # otherwise weigh on what follows)
        kills = [] if args.no_kill else args.kill_rates
        plan = [(sustainable, False)] + ([] if args.no_kill else [(sustainable, True)])
        plan += sorted([(r, False) for r in args.rates] + [(r, True) for r in kills])
        for rate, kill in plan:
            runs.append(
                await one_run(
                    f"{rate:g}/s, notify killed" if kill else f"{rate:g}/s",
                    rate,
                    args.duration,
                    dev,
                    sender,
                    drain_timeout=max(args.drain, 120) if kill else args.drain,
                    during=kill_notify(dev, args.duration / 2) if kill else None,
                )
            )
            await asyncio.sleep(args.pause)
        subscription_errors = subscriber.errors[:5]
        by_stage = await stages(dev, books)
        for r in runs:
            r["alert_latency_by_stage"] = by_stage.get(r["run_number"], {})
        # late alerts still count for the run of their check-in
        by_the_end = {
            r["run"]: {
                "expected": books.expected[r["run_number"]],
                "arrived": books.arrived[r["run_number"]],
                "latency": distribution_ms(books.latencies[r["run_number"]]),
            }
            for r in runs
        } | {"session": books.totals()}
    finally:
        if subscriber is not None:
            with contextlib.suppress(Exception):
                await subscriber.close()
        print("stopping make dev; deleting its topics and databases", flush=True)
        with contextlib.suppress(Exception):
            await dev.stop()
    return {
        "benchmark": "alert latency",
        "started_at": started_at,
        "load_average_at_start": load_at_start,
        **machine_facts(),
        "settings": {
            "quick": args.quick,
            "mentees": len(seeded.mentees),
            "rates_per_second": args.rates,
            "sustainable_rate": "70% of the check-ins/s that succeeded in the closed-loop probe",
            "seconds_per_rate": args.duration,
            "kill_run_rates": [] if args.no_kill else ["sustainable", *args.kill_rates],
            "pause_between_runs_seconds": args.pause,
            "platform": "make dev supervisor (mentoring, progress, notify, gateway: one process "
            "each, ROLE=all, PROFILE=dev); the supervisor restarts a process that exits",
            "log_level": dev.environment()["LOG_LEVEL"],
            "client": "open loop; check-ins over up to 256 keep-alive HTTP/1.1 connections and "
            "the subscription over one websocket, in one asyncio process on the same machine",
            "latency": "from the dropping mutation's response read by the client to the "
            "subscription's message, same monotonic clock",
            "check_in_pattern": "per mentee, per module: 5 then 3, 2 or 1",
            "cpu": "user + system seconds from /proc: shares of a core while sending; ms per "
            "check-in from the run's start to its last alert (or the drain's end); 'mongodb' is "
            "FerretDB + the PostgreSQL postmaster and its backends; 'platform' is the four "
            "services",
        },
        "subscription_errors": subscription_errors,
        "alerts_by_the_end": by_the_end,
        "warm_up": warm,
        "capacity_probe": probe,
        "sustainable_rate_used": sustainable,
        "runs": runs,
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        "| run | sent/s | completed/s | alerts | p50 ms | p95 ms | p99 ms | max ms "
        "| p50 / p99 ms in progress, notify, gateway "
        "| mutation p99 ms | errors | CPU gateway / progress / notify / mongodb / kafka / client "
        "| CPU ms/check-in gateway / progress / notify / platform / mongodb |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for r in report["runs"]:
        lat, cpu = r["alert_latency"], r["cpu_while_sending"]["cores_used_by"]
        shares = cpu_shares(
            cpu, ("gateway", "progress", "notify", "mongodb", "kafka", "bench client")
        )
        per_check = cpu_shares(
            r.get("cpu_ms_per_check_in", {}),
            ("gateway", "progress", "notify", "platform", "mongodb"),
        )
        by_stage = r.get("alert_latency_by_stage", {})
        split = ", ".join(
            f"{by_stage[s]['p50_ms']} / {by_stage[s]['p99_ms']}"
            for s in ("progress", "notify", "gateway")
            if s in by_stage
        )
        lines.append(
            f"| {r['run']} | {r['achieved_send_rate']} | {r['achieved_completion_rate']} "
            f"| {r['alerts_arrived']}/{r['alerts_expected']} | {lat['p50_ms']} | {lat['p95_ms']} "
            f"| {lat['p99_ms']} | {lat['max_ms']} | {split or '-'} "
            f"| {r['mutation_latency_from_schedule']['p99_ms']} "
            f"| {sum(r['mutation_errors'].values())} | {shares} | {per_check} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="5 s per rate")
    parser.add_argument("--duration", type=float, default=None, help="seconds per rate")
    parser.add_argument("--rates", type=float, nargs="*", default=[50, 100, 200])
    parser.add_argument("--kill-rates", type=float, nargs="*", default=[100])
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--mentees", type=int, default=50)
    args = parser.parse_args()
    args.duration = args.duration or (5.0 if args.quick else 20.0)
    args.pause = 3.0 if args.quick else 5.0
    args.probe = 5.0 if args.quick else 15.0
    args.probe_clients = 4
    args.drain = 30.0 if args.quick else 60.0
    report = asyncio.run(run(args))
    out = ROOT / "bench" / "results" / ("latency-quick.json" if args.quick else "latency.json")
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(report))
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
