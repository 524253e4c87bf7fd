"""Recovery after a kill: how soon a restarted service answers, consumes again, and sends again
the e-mail its dead delivery worker held.

    uv run python bench/recovery/bench_recovery.py                    # 5 kills per service
    uv run python bench/recovery/bench_recovery.py --rounds 2 --services progress
    uv run python bench/recovery/bench_recovery.py --no-mail          # without the e-mail round

One service process at a time, run as ``make dev`` runs it (``python -m <service>.entrypoints.main``
with ``ROLE=all`` and ``PROFILE=dev``), with a port, databases and a topic prefix of its own, on
the local stack's Kafka broker and MongoDB server (``.stack/stack.json``, or
``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URL``), which it neither starts nor stops. Not the whole
platform: the pieces, so that it can run while others use the machine.

Each round, with the service steady (answering ``/readyz`` and consuming), it is killed with
SIGKILL and started again ``--restart-after`` seconds later (0.5 s: the first pause of ``make
dev``'s supervisor), under the same ``KAFKA_GROUP_INSTANCE_ID`` as ``make dev`` gives it
(``--membership dynamic``: none). Between the kill and the restart one probe record is
published on every partition of every topic the service consumes (an event of a type nobody
knows: skipped and committed). Measured from the restart (the new process spawned):

* ``answers_s``: the first answer of ``/healthz`` (the HTTP server is up);
* ``ready_s``: the first 200 of ``/readyz`` (polled every 50 ms);
* ``consuming_s``: the service's consumer group has committed past every probe, so every
  partition is consumed again (polled every 100 ms).

Then the e-mail round (notify): an SMTP server that holds the first message's DATA without
answering; a proposal makes notify's worker claim the mentor's e-mail and start sending it; once
the server holds it, notify is killed, the server lets messages through, notify is restarted, and
``retry_s`` is the time from the kill to the same message (Message-ID) accepted.

Nothing is asserted: it measures. Raw results go to bench/results/recovery.json, with the
machine, versions, settings and load average; a markdown table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiosmtpd.smtp import SMTP, Envelope, Session
from pymongo import AsyncMongoClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from devstack import (  # the platform helpers beside the gateway benchmark
    ROOT,
    http_get,
    load_average,
    machine_facts,
    stack_endpoints,
)

from mentorship_contracts import new_envelope
from mentorship_contracts.events import (
    MatchProposed,
    ParticipantRegistered,
    ProgramAdmin,
    ProgramPublished,
)
from mentorship_contracts.topics import TOPIC_SPECS, Topic, topic_name

SERVICES = {
    "mentoring": ("mentoring.entrypoints.main", None, ()),
    # (module, consumer group, topics it consumes)
    "progress": (
        "progress.entrypoints.main",
        "progress",
        (Topic.MENTORING_MATCHES, Topic.MENTORING_PARTICIPANTS, Topic.MENTORING_PROGRAMS),
    ),
    "notify": (
        "notify.entrypoints.main",
        "notify",
        (
            Topic.MENTORING_PARTICIPANTS,
            Topic.MENTORING_PROGRAMS,
            Topic.MENTORING_MATCHES,
            Topic.PROGRESS_EVENTS,
        ),
    ),
}
PARTITIONS = {spec.topic: spec.partitions for spec in TOPIC_SPECS}
PROBE = json.dumps({"type": "bench.recovery.probe", "version": 1}).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---- an SMTP server that can hold a message ---------------------------------------------------


@dataclass
class HoldingInbox:
    """Accepts every message, but while ``holding`` the first DATA it gets waits unanswered."""

    holding: bool = True
    held: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    held_id: str | None = None
    accepted: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, Message-ID)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message_id = next(
            (
                line.split(b":", 1)[1].strip().decode()
                for line in content.split(b"\r\n")
                if line.lower().startswith(b"message-id:")
            ),
            "",
        )
        if self.holding and not self.held.is_set():
            self.held_id = message_id
            self.held.set()
            await self.release.wait()
            return "451 Try again later"  # the sender is dead by now; nobody reads this
        self.accepted.append((time.monotonic(), message_id))
        return "250 Message accepted for delivery"


# ---- one service process ----------------------------------------------------------------------


@dataclass
class ServiceProcess:
    name: str
    run_id: str
    smtp_port: int | None = None
    static: bool = True
    port: int = field(default_factory=free_port)
    state: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-recovery-")))
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    starts: int = 0

    @property
    def topic_prefix(self) -> str:
        return f"benchrecovery{self.run_id}."

    @property
    def database(self) -> str:
        return f"bench_recovery_{self.run_id}_{self.name}"

    @property
    def group(self) -> str | None:
        group = SERVICES[self.name][1]
        return None if group is None else self.topic_prefix + group

    def environment(self) -> dict[str, str]:
        bootstrap, mongo, _ = stack_endpoints()
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "MONGODB_URL": mongo,
            "KAFKA_TOPIC_PREFIX": self.topic_prefix,
            "SERVICE_NAME": self.name,
            "MONGODB_DATABASE": self.database,
            "HTTP_PORT": str(self.port),
            "PROFILE": "dev",
            "ROLE": "all",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        }
        if self.static:  # as make dev runs it: one process per service, named after it
            env["KAFKA_GROUP_INSTANCE_ID"] = self.name
        if self.smtp_port is not None:
            env |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp_port), "SMTP_TLS": "none"}
        return env

    def start(self) -> None:
        self.starts += 1
        log = (self.state / f"{self.name}-{self.starts}.log").open("wb")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, a module named here
            [sys.executable, "-m", SERVICES[self.name][0]],
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

    def kill(self) -> float:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        self.process.wait()
        return killed

    async def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.process.wait, 20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def output(self) -> str:
        with contextlib.suppress(OSError):
            return (self.state / f"{self.name}-{self.starts}.log").read_text(errors="replace")
        return ""

    async def status(self, path: str) -> int | None:
        try:
            status: int = (await asyncio.wait_for(http_get("127.0.0.1", self.port, path), 2))[0]
        except (OSError, IndexError, ValueError, TimeoutError):
            return None
        return status

    async def time_until(self, path: str, timeout: float) -> float:
        """Seconds from this start to the first 200 on ``path``."""
        deadline = self.started_at + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()[-3000:]}")
            if await self.status(path) == 200:
                return time.monotonic() - self.started_at
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{self.name}: no 200 on {path} in {timeout}s:\n{self.output()[-3000:]}")


# ---- Kafka: probes and committed offsets ------------------------------------------------------


class Kafka:
    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)

    async def __aenter__(self) -> Kafka:
        await self.producer.start()
        await self.admin.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.producer.stop()
        await self.admin.close()

    async def probe(self, prefix: str, topics: tuple[Topic, ...]) -> dict[tuple[str, int], int]:
        """One record per partition of ``topics``: its offset by (topic, partition)."""
        sent: dict[tuple[str, int], int] = {}
        for topic in topics:
            name = topic_name(topic, prefix)
            for partition in range(PARTITIONS[topic]):
                meta = await self.producer.send_and_wait(name, PROBE, partition=partition)
                sent[(name, partition)] = meta.offset
        return sent

    async def consumed(self, group: str, probes: dict[tuple[str, int], int]) -> bool:
        committed = await self.admin.list_consumer_group_offsets(group)
        done = {(tp.topic, tp.partition): meta.offset for tp, meta in committed.items()}
        return all(done.get(where, -1) > offset for where, offset in probes.items())

    async def wait_consumed(
        self, group: str, probes: dict[tuple[str, int], int], since: float, timeout: float
    ) -> float:
        while time.monotonic() < since + timeout:
            if await self.consumed(group, probes):
                return time.monotonic() - since
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{group} did not consume its probes in {timeout}s")

    async def publish(self, prefix: str, *payloads: Any) -> None:
        for payload in payloads:
            envelope = new_envelope(payload, producer="bench")
            await self.producer.send_and_wait(
                topic_name(payload.topic, prefix), envelope.to_bytes(), key=envelope.key.encode()
            )


# ---- the measurements -------------------------------------------------------------------------


async def steady(service: ServiceProcess, kafka: Kafka, timeout: float = 180) -> dict[str, float]:
    """Started and consuming: the cold start's figures."""
    figures = {"ready_s": await service.time_until("/readyz", timeout)}
    name, group, topics = service.name, service.group, SERVICES[service.name][2]
    if group is not None:
        probes = await kafka.probe(service.topic_prefix, topics)
        figures["consuming_s"] = await kafka.wait_consumed(
            group, probes, service.started_at, timeout
        )
    print(f"  {name} cold start: {figures}", flush=True)
    return figures


async def kill_round(
    service: ServiceProcess, kafka: Kafka, restart_after: float, timeout: float
) -> dict[str, float]:
    killed = service.kill()
    topics = SERVICES[service.name][2]
    probes = await kafka.probe(service.topic_prefix, topics) if topics else {}
    await asyncio.sleep(max(0.0, restart_after - (time.monotonic() - killed)))
    service.start()
    answers = asyncio.create_task(service.time_until("/healthz", timeout))
    ready = asyncio.create_task(service.time_until("/readyz", timeout))
    figures = {
        "restart_after_kill_s": service.started_at - killed,
        "answers_s": await answers,
        "ready_s": await ready,
    }
    if service.group is not None:
        figures["consuming_s"] = await kafka.wait_consumed(
            service.group, probes, service.started_at, timeout
        )
    return {k: round(v, 3) for k, v in figures.items()}


async def mail_round(
    kafka: Kafka, run_id: str, restart_after: float, timeout: float, *, static: bool
) -> dict[str, Any]:
    inbox = HoldingInbox()
    smtp_port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(inbox, hostname="bench.recovery"), "127.0.0.1", smtp_port
    )
    notify = ServiceProcess("notify", f"{run_id}m", smtp_port=smtp_port, static=static)
    try:
        notify.start()
        await steady(notify, kafka)
        await asyncio.sleep(2)  # a few rounds of the worker: its lease renewals, if any, run
        suffix = uuid.uuid4().hex[:6]
        mentor, mentee, program = f"pt-m-{suffix}", f"pt-e-{suffix}", f"pg-{suffix}"
        pair = {"mentee_id": mentee, "mentor_id": mentor, "program_id": program}
        await kafka.publish(
            notify.topic_prefix,
            ParticipantRegistered(
                participant_id=mentor,
                program_id=program,
                user_id=f"u-m-{suffix}",
                roles=["mentor"],
                display_name="Grace",
                email=f"grace-{suffix}@example.org",
            ),
            ProgramPublished(
                program_id=program,
                name="Bench",
                status="open",
                learning_path_id="p",
                admins=[ProgramAdmin(user_id=f"u-a-{suffix}", display_name="Admin")],
            ),
        )
        await asyncio.sleep(3)  # the directory knows the mentor before the proposal arrives
        await kafka.publish(
            notify.topic_prefix,
            MatchProposed(
                **pair,
                match_id=f"m-{suffix}",
                proposed_by="admin",
                expires_at=datetime.now(UTC) + timedelta(days=7),
            ),
        )
        await asyncio.wait_for(inbox.held.wait(), timeout)
        await asyncio.sleep(1)  # the send is under way (the worker's SMTP timeout is 10 s)
        killed = notify.kill()
        inbox.holding = False
        inbox.release.set()
        await asyncio.sleep(max(0.0, restart_after - (time.monotonic() - killed)))
        notify.start()
        deadline = killed + timeout
        while time.monotonic() < deadline:
            again = [at for at, message_id in inbox.accepted if message_id == inbox.held_id]
            if again:
                return {
                    "retry_s": round(again[0] - killed, 3),
                    "restart_after_kill_s": round(notify.started_at - killed, 3),
                    "message_id": inbox.held_id,
                }
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the held e-mail was not sent again in {timeout}s")
    finally:
        await notify.stop()
        server.close()
        await clean(notify.topic_prefix, f"bench_recovery_{run_id}m_")


async def clean(topic_prefix: str, database_prefix: str) -> None:
    bootstrap, mongo, _ = stack_endpoints()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo)
    try:
        for name in await client.list_database_names():
            if name.startswith(database_prefix):
                await client.drop_database(name)
    finally:
        await client.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(topic_prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


def service_settings() -> dict[str, Any]:
    """The defaults that bound recovery, as the code measured has them."""
    from mentorship_runtime import kafka  # noqa: PLC0415 - read where it exists
    from notify.config import Settings  # noqa: PLC0415

    fields = Settings.model_fields
    return {
        "kafka_session_timeout_ms": getattr(kafka, "SESSION_TIMEOUT_MS", 10_000),
        "delivery_lease_seconds": fields["delivery_lease_seconds"].default,
        "delivery_poll_seconds": fields["delivery_poll_seconds"].default,
        "smtp_timeout_seconds": fields["smtp_timeout_seconds"].default,
    }


def summary(values: list[float]) -> dict[str, float]:
    return {
        "min": round(min(values), 3),
        "median": round(statistics.median(values), 3),
        "max": round(max(values), 3),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    bootstrap, _, _ = stack_endpoints()
    run_id = uuid.uuid4().hex[:8]
    report: dict[str, Any] = {
        "benchmark": "recovery",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "conditions": {
            "rounds": args.rounds,
            "restart_after_s": args.restart_after,
            "steady_before_kill_s": args.steady,
            "membership": args.membership,
            "settings": service_settings(),
            "load_average_before": load_average(),
            "how": "one service process (ROLE=all, PROFILE=dev) on the local stack, "
            "killed with SIGKILL and started again",
        },
        **machine_facts(),
        "services": {},
    }
    async with Kafka(bootstrap) as kafka:
        for name in args.services:
            service = ServiceProcess(name, run_id, static=args.membership == "static")
            print(f"{name}:", flush=True)
            try:
                service.start()
                cold = await steady(service, kafka)
                rounds = []
                for number in range(args.rounds):
                    await asyncio.sleep(args.steady)
                    figures = await kill_round(service, kafka, args.restart_after, args.timeout)
                    print(f"  kill {number + 1}: {figures}", flush=True)
                    rounds.append(figures)
                measures = [k for k in rounds[0] if k != "restart_after_kill_s"]
                report["services"][name] = {
                    "cold_start": {k: round(v, 3) for k, v in cold.items()},
                    "rounds": rounds,
                    "summary": {k: summary([r[k] for r in rounds]) for k in measures},
                }
            finally:
                await service.stop()
                await clean(service.topic_prefix, f"bench_recovery_{run_id}_")
        if args.mail:
            print("notify, a claimed e-mail:", flush=True)
            mails = []
            for number in range(args.mail_rounds):
                figures = await mail_round(
                    kafka,
                    f"{run_id}{number}",
                    args.restart_after,
                    600,
                    static=args.membership == "static",
                )
                print(f"  kill {number + 1}: {figures}", flush=True)
                mails.append(figures)
            report["claimed_email"] = {
                "rounds": mails,
                "summary": summary([m["retry_s"] for m in mails]),
            }
    report["conditions"]["load_average_after"] = load_average()
    return report


def table(report: dict[str, Any]) -> str:
    lines = [
        "| service | cold start ready | after a kill: answers | ready | consuming |",
        "| --- | --- | --- | --- | --- |",
    ]

    def spread(figures: dict[str, float] | None) -> str:
        if figures is None:
            return "-"
        return f"{figures['median']:.2f} s ({figures['min']:.2f}-{figures['max']:.2f})"

    for name, result in report["services"].items():
        s = result["summary"]
        lines.append(
            f"| {name} | {result['cold_start']['ready_s']:.2f} s | {spread(s['answers_s'])} | "
            f"{spread(s['ready_s'])} | {spread(s.get('consuming_s'))} |"
        )
    if "claimed_email" in report:
        lines.append("")
        lines.append(
            f"claimed e-mail sent again after its worker's kill: "
            f"{spread(report['claimed_email']['summary'])}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="kills per service")
    parser.add_argument("--services", nargs="+", default=["mentoring", "progress", "notify"])
    parser.add_argument(
        "--restart-after", type=float, default=0.5, help="make dev's first restart pause"
    )
    parser.add_argument(
        "--membership",
        choices=["static", "dynamic"],
        default="static",
        help="static: KAFKA_GROUP_INSTANCE_ID set, as make dev sets it",
    )
    parser.add_argument("--steady", type=float, default=5.0, help="seconds up before a kill")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--mail", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--mail-rounds", type=int, default=2)
    parser.add_argument("--out", default="recovery.json")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    out = ROOT / "bench" / "results" / args.out
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(report))
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
