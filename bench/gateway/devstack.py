"""The platform as ``make dev`` runs it (the supervisor and its child processes), for benchmarks.

A second platform beside anything already running here: its own ports
(``MENTORSHIP_DEV_PORT_OFFSET``), databases (``MENTORSHIP_DEV_DATABASE_PREFIX``), topics
(``KAFKA_TOPIC_PREFIX``) and state directory (``MENTORSHIP_STACK_DIR``), on the local stack's Kafka
broker and MongoDB server (``.stack/stack.json``, or ``KAFKA_BOOTSTRAP_SERVERS`` /
``MONGODB_URL``), which it never starts or stops. The supervisor
loads no demo of its own (``MENTORSHIP_DEV_DEMO=0``): the benchmark seeds its own, e.g. one mentor
with 50 mentees, through the services' APIs with ``mentorship_localstack.demo.seed``.

Also here: a minimal keep-alive HTTP/1.1 client (the load generator shares two cores with the
platform, so it should cost little), CPU time per process read from ``/proc`` (a process, or a set
of processes counted as one, such as the MongoDB server: FerretDB and the PostgreSQL server it
stores its data in), and the facts about the machine and versions that every result carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, TypeAlias

from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from mentorship_localstack import demo
from mentorship_localstack.dev import token_settings
from mentorship_localstack.mailbox import MAIL_PORT

ROOT = Path(__file__).resolve().parents[2]
SERVICE_NAMES = ("mentoring", "progress", "notify", "gateway")
BASE_PORTS = {"mentoring": 8101, "progress": 8102, "notify": 8103, "gateway": 8100}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _described_stack() -> dict[str, Any]:
    """The local stack's ``.stack/stack.json`` (ports, process ids), or {} when there is none."""
    described: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        described = json.loads((ROOT / ".stack" / "stack.json").read_text())
    return described


def stack_endpoints() -> tuple[str, str, dict[str, int]]:
    """Kafka bootstrap, MongoDB URL, and the pids of the broker and the database server."""
    described = _described_stack()
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or described["kafka"]["bootstrap"]
    mongo = os.environ.get("MONGODB_URL") or described["mongo"]["url"]
    pids = {
        name: int(described[key]["pid"])
        for name, key in (("kafka", "kafka"), ("mongodb", "mongo"))
        if key in described and described[key].get("pid")
    }
    return bootstrap, mongo, pids


def _free_offset() -> int:
    for offset in range(31000, 50000, 41):
        try:
            for port in (*BASE_PORTS.values(), MAIL_PORT):  # make dev's mail catcher too
                for extra in (0, 10):  # a second gateway may listen 10 ports further
                    with socket.socket() as probe:
                        probe.bind(("127.0.0.1", port + offset + extra))
        except OSError:
            continue
        return offset
    raise RuntimeError("no free ports for a benchmark platform")


# ---- CPU time per process ---------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (the state is [0], utime [11],
    stime [12], cutime [13], cstime [14]), or None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (children not included), or None when it is gone."""
    fields = _stat(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``: from ``/proc/<pid>/task/*/children``, or by reading
    every process's parent in ``/proc`` when the kernel does not list children."""
    if not Path(f"/proc/{pid}/task/{pid}/children").exists():
        if not Path(f"/proc/{pid}").exists():
            return []
        return [
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit()
            and (fields := _stat(int(entry.name))) is not None
            and fields[1] == str(pid)
        ]
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):  # a thread that ended meanwhile
                found += [int(p) for p in (task / "children").read_text().split()]
    return found


def family_cpu_seconds(pid: int) -> float | None:
    """CPU time of a process and its children: its own user + system time, its live children's,
    and (its cutime + cstime) that of its children that exited and were waited for, so a child
    that starts, works and exits during a phase counts too. E.g. a PostgreSQL server: the
    postmaster and its backends, its children (each in a session of its own). None when the
    process is gone."""
    fields = _stat(pid)
    if fields is None:
        return None
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    for child in children(pid):
        # a child that exits meanwhile is counted once reaped, in the parent's cutime + cstime
        if (found := _stat(child)) is not None:
            ticks += int(found[11]) + int(found[12])
    return ticks / CLOCK_TICKS


@dataclass(frozen=True)
class Processes:
    """Processes whose CPU time counts as one figure: ``pids`` alone, and ``families`` with their
    children (``family_cpu_seconds``)."""

    pids: tuple[int, ...] = ()
    families: tuple[int, ...] = ()

    def cpu_seconds(self) -> float | None:
        """Their user + system CPU time so far; None when one of them is gone (or there is none)."""
        found = [cpu_seconds(pid) for pid in self.pids]
        found += [family_cpu_seconds(pid) for pid in self.families]
        if not found or None in found:
            return None
        return sum(s for s in found if s is not None)


Measured: TypeAlias = int | Processes  # a process by its pid, or processes counted together


def measured_cpu_seconds(what: Measured) -> float | None:
    return what.cpu_seconds() if isinstance(what, Processes) else cpu_seconds(what)


def stack_processes(
    bootstrap: str | None = None, mongo_url: str | None = None
) -> dict[str, Processes]:
    """The local stack's servers, as ``CpuMeter`` counts them: ``mongodb`` is FerretDB and, when
    FerretDB stores its data in PostgreSQL, the stack's PostgreSQL server (the postmaster and its
    backends: ``family_cpu_seconds``); ``kafka`` is the broker. A server the benchmark does not use
    (``bootstrap`` / ``mongo_url`` name another one; by default those of ``stack_endpoints``) is
    left out, as is one the stack does not describe."""
    described = _described_stack()
    if not described:
        return {}
    if bootstrap is None or mongo_url is None:
        used_bootstrap, used_mongo, _ = stack_endpoints()
        bootstrap, mongo_url = bootstrap or used_bootstrap, mongo_url or used_mongo
    found: dict[str, Processes] = {}
    mongo, kafka, postgresql = (described.get(k) or {} for k in ("mongo", "kafka", "postgresql"))
    if mongo.get("pid") and mongo.get("url") == mongo_url:
        storage = postgresql.get("pid") if "postgresql" in str(mongo.get("kind")) else None
        found["mongodb"] = Processes(
            pids=(int(mongo["pid"]),), families=(int(storage),) if storage else ()
        )
    if kafka.get("pid") and kafka.get("bootstrap") == bootstrap:
        found["kafka"] = Processes(pids=(int(kafka["pid"]),))
    return found


def cpu_snapshot(measured: Mapping[str, Measured]) -> dict[str, float | None]:
    """The CPU seconds used so far by each named process or set of processes (None: gone)."""
    return {name: measured_cpu_seconds(what) for name, what in measured.items()}


def cpu_used(
    before: Mapping[str, float | None], after: Mapping[str, float | None]
) -> dict[str, float | None]:
    """CPU seconds used between two ``cpu_snapshot``s, by name (None when either is missing)."""
    used: dict[str, float | None] = {}
    for name, end in after.items():
        start = before.get(name)
        used[name] = None if start is None or end is None else end - start
    return used


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU used by each process (or set of processes: ``Processes``) over a phase: the share of
    one core (1.0 = a whole core) and the seconds."""

    def __init__(self, pids: Mapping[str, Measured]) -> None:
        self.pids = dict(pids)
        self._start: dict[str, float | None] = {}
        self._machine = (0.0, 0.0)
        self._t0 = 0.0

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._start = cpu_snapshot(self.pids)
        self._machine = machine_busy()

    def stop(self) -> dict[str, Any]:
        """What was used since ``start`` (it may be read again later, for a longer phase)."""
        elapsed = time.monotonic() - self._t0
        used = cpu_used(self._start, cpu_snapshot(self.pids))
        busy, total = machine_busy()
        fraction = (busy - self._machine[0]) / max(total - self._machine[1], 1)
        return {
            "seconds": round(elapsed, 2),
            "cores_used_by": {
                name: None if seconds is None else round(seconds / elapsed, 3)
                for name, seconds in used.items()
            },
            "cpu_seconds_by": {
                name: None if seconds is None else round(seconds, 3)
                for name, seconds in used.items()
            },
            "machine_busy_fraction": round(fraction, 3),
        }


# ---- a cheap HTTP/1.1 keep-alive client -------------------------------------------------------


class HttpConnection:
    """One keep-alive connection; POSTs JSON and reads answers with a Content-Length."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def post_json(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        reused = self._writer is not None and not self._writer.is_closing()
        try:
            return await self._post_json(path, body, headers)
        except asyncio.IncompleteReadError as exc:
            if not reused or exc.partial:
                raise
        # the server had closed the idle keep-alive connection before reading: send it again
        return await self._post_json(path, body, headers)

    async def _post_json(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        reader, writer = await self._connect()
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
        writer.write("\r\n".join(head).encode() + body)
        try:
            status_line = await reader.readuntil(b"\r\n")
            status = int(status_line.split()[1])
            length, close = 0, False
            while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
                name, _, value = line.decode("latin-1").partition(":")
                lowered = name.strip().lower()
                if lowered == "content-length":
                    length = int(value.strip())
                elif lowered == "connection" and value.strip().lower() == "close":
                    close = True
                elif lowered == "transfer-encoding":
                    raise RuntimeError("chunked answers are not expected from the gateway")
            payload = await reader.readexactly(length)
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, json.loads(payload) if payload else None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def http_get(url_host: str, port: int, path: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection(url_host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {url_host}\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode(errors="replace")


async def metric_total(port: int, name: str) -> float:
    """The sum of a counter's series on a service's /metrics."""
    _, text = await http_get("127.0.0.1", port, "/metrics")
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


# ---- the platform -----------------------------------------------------------------------------


@dataclass
class Seeded:
    program_id: str
    mentor_user: str
    mentor_token: str
    mentees: list[tuple[str, str]]  # (participant id, that mentee's token)
    seconds: float


@dataclass
class DevPlatform:
    name: str
    offset: int = field(default_factory=_free_offset)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    process: subprocess.Popen[bytes] | None = None
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)
    state: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-dev-")))

    @property
    def topic_prefix(self) -> str:
        return f"bench{self.name}{self.run_id}."

    @property
    def database_prefix(self) -> str:
        return f"bench_{self.name}_{self.run_id}_"

    def port(self, service: str) -> int:
        return BASE_PORTS[service] + self.offset

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port(service)}"

    def environment(self) -> dict[str, str]:
        bootstrap, mongo, _ = stack_endpoints()
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "MONGODB_URL": mongo,
            "KAFKA_TOPIC_PREFIX": self.topic_prefix,
            "MENTORSHIP_STACK_DIR": str(self.state),
            "MENTORSHIP_DEV_PORT_OFFSET": str(self.offset),
            "MENTORSHIP_DEV_DATABASE_PREFIX": self.database_prefix,
            "MENTORSHIP_DEV_DEMO": "0",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            # the benchmarks send thousands of requests per minute with one token on purpose
            "COST_POINTS_PER_MINUTE": os.environ.get("BENCH_COST_POINTS_PER_MINUTE", "0"),
        }

    def running(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads((self.state / "dev.json").read_text())
        return found

    def pids(self) -> dict[str, int]:
        running = self.running()
        pids = {name: int(running[name]["pid"]) for name in SERVICE_NAMES if name in running}
        pids["supervisor"] = int(running["supervisor"])
        pids.update(stack_endpoints()[2])
        pids["bench client"] = os.getpid()
        return pids

    def processes(self) -> dict[str, Measured]:
        """``pids`` for ``CpuMeter``, the servers as ``stack_processes`` counts them: ``mongodb``
        is FerretDB with the PostgreSQL server it stores its data in."""
        bootstrap, mongo, _ = stack_endpoints()
        return {**self.pids(), **stack_processes(bootstrap, mongo)}

    async def start(self, timeout: float = 240) -> None:
        log = (self.state / "make-dev.out").open("wb")
        self.process = subprocess.Popen(  # noqa: ASYNC220 - it runs apart
            [sys.executable, "-m", "mentorship_localstack.dev"],
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + timeout
        for service in SERVICE_NAMES:
            await self.wait_ready(service, deadline)
        await self.wait_live(self.port("gateway"), deadline)

    async def wait_ready(self, service: str, deadline: float, port: int | None = None) -> None:
        port = port or self.port(service)
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"make dev stopped:\n{self.output()[-3000:]}")
            with contextlib.suppress(OSError, IndexError, ValueError):
                if (await http_get("127.0.0.1", port, "/readyz"))[0] == 200:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{service} not ready:\n{self.output()[-3000:]}")
            await asyncio.sleep(0.5)

    async def wait_live(self, port: int, deadline: float) -> None:
        """The gateway's live feed (Kafka consumer of notifications) is on."""
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, IndexError, ValueError):
                if '"on"' in (await http_get("127.0.0.1", port, "/readyz"))[1]:
                    return
            await asyncio.sleep(0.5)
        raise RuntimeError("the gateway's live updates did not start")

    async def start_gateway(self, port: int, **settings: str) -> subprocess.Popen[bytes]:
        """Another gateway process on the same services (e.g. with DATALOADERS=false)."""
        urls = {f"{s.upper()}_URL": self.url(s) for s in ("mentoring", "progress", "notify")}
        env = {
            **self.environment(),
            **urls,
            "SERVICE_NAME": "gateway",
            "PROFILE": "dev",
            "HTTP_PORT": str(port),
            **settings,
        }
        log = (self.state / f"gateway-{port}.log").open("wb")
        process = subprocess.Popen(  # noqa: ASYNC220 - it runs apart
            [sys.executable, "-m", "gateway.main"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self.extra.append(process)
        await self.wait_ready("gateway", time.monotonic() + 120, port)
        return process

    async def seed(self, *, mentors: int = 1, mentees: int = 50, capacity: int = 50) -> Seeded:
        started = time.monotonic()
        settings = token_settings()
        urls = {s: self.url(s) for s in SERVICE_NAMES}
        loaded = await demo.seed(
            urls,
            settings,
            mentors=mentors,
            mentees=mentees,
            mentor_capacity=capacity,
            say=lambda line: print(f"  {line}", flush=True),
        )
        pair = loaded.showcase()
        mentor = loaded.user(pair.mentor_user_id)
        mine = [p for p in loaded.pairs if p.mentor_user_id == mentor.user_id]
        return Seeded(
            program_id=loaded.program_id,
            mentor_user=mentor.user_id,
            mentor_token=loaded.token(settings, mentor),
            mentees=[
                (p.mentee_id, loaded.token(settings, loaded.user(p.mentee_user_id))) for p in mine
            ],
            seconds=time.monotonic() - started,
        )

    def output(self) -> str:
        with contextlib.suppress(OSError):
            return (self.state / "make-dev.out").read_text(errors="replace")
        return ""

    async def stop(self) -> None:
        for process in self.extra:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    await asyncio.to_thread(process.wait, 20)
                if process.poll() is None:
                    process.kill()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(self.process.wait, 40)
            except subprocess.TimeoutExpired:
                self.process.kill()
        await self.clean()
        if keep := os.environ.get("BENCH_KEEP_LOGS"):  # a folder to copy the logs into
            shutil.copytree(self.state, Path(keep) / self.state.name, dirs_exist_ok=True)
        shutil.rmtree(self.state, ignore_errors=True)

    async def clean(self) -> None:
        bootstrap, mongo, _ = stack_endpoints()
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo)
        try:
            for name in await client.list_database_names():
                if name.startswith(self.database_prefix):
                    await client.drop_database(name)
        finally:
            await client.close()
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            mine = [t for t in await admin.list_topics() if t.startswith(self.topic_prefix)]
            if mine:
                await admin.delete_topics(mine)
        finally:
            await admin.close()


def machine_facts() -> dict[str, Any]:
    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    stack: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        described = json.loads((ROOT / ".stack" / "stack.json").read_text())
        stack = {"mongo_kind": described["mongo"].get("kind"), "kafka": "single KRaft broker"}
    if os.environ.get("BENCH_MONGODB_SERVER"):  # another server than the stack's, by MONGODB_URL
        stack["mongo_kind"] = os.environ["BENCH_MONGODB_SERVER"]
    with contextlib.suppress(OSError):
        ferret = next(Path.home().joinpath(".cache", "mentorship").glob("ferretdb-*"), None)
        if ferret is not None:
            stack["ferretdb"] = ferret.name.removeprefix("ferretdb-")
        kafka = next(Path.home().joinpath(".cache", "mentorship").glob("kafka*"), None)
        if kafka is not None:
            stack["kafka_distribution"] = kafka.name
    return {
        "machine": {
            "cpu": model,
            "cores": os.cpu_count(),
            "memory": memory,
            "os": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {
            name: version(name)
            for name in (
                "strawberry-graphql",
                "fastapi",
                "uvicorn",
                "starlette",
                "httpx",
                "faststream",
                "aiokafka",
                "pymongo",
                "websockets",
            )
        },
        "stack": stack,
        "git_commit": git_commit(),
    }


def git_commit() -> str:
    """The commit measured (short), or "" outside a git checkout."""
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def distribution_ms(seconds: list[float]) -> dict[str, float | int | None]:
    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 2)

    return {
        "count": len(seconds),
        "p50_ms": ms(percentile(seconds, 50)),
        "p95_ms": ms(percentile(seconds, 95)),
        "p99_ms": ms(percentile(seconds, 99)),
        "max_ms": ms(max(seconds) if seconds else None),
        "mean_ms": ms(sum(seconds) / len(seconds) if seconds else None),
    }


def cpu_shares(cores_used_by: dict[str, float | None], names: tuple[str, ...]) -> str:
    """``0.05 / 1.30 / -``: the figure of each named process (the cores it used, its CPU ms per
    event...), for a results table."""
    return " / ".join(
        "-" if cores_used_by.get(name) is None else f"{cores_used_by[name]:.2f}" for name in names
    )
