"""Benchmark: the time of one operation stays flat as a collection grows from 10,000 to 1,000,000.

    uv run python bench/lookups/bench_lookups.py            # 10,000, 100,000, 1,000,000 documents
    uv run python bench/lookups/bench_lookups.py --quick    # 2,000 and 20,000, a smoke run

On the MongoDB server the tests use (``MONGODB_URL``, else Docker, else the local stack, left
running with ``MENTORSHIP_KEEP_STACK=1``), in a database of its own dropped at the end, one
collection of tracking documents (about 400 bytes of BSON: ``_id``, ``program_id``, ``mentor_id``,
``mentor_user_id``, ``state``, ``version``, a few numbers and dates, a small array) with the
indexes the progress service declares for its trackings. It is grown to each size by
``insert_many`` (batches of 2,000, two at a time), and at each size, through a client from
``mentorship_runtime.mongo.make_mongo_client`` (whose updates add ``$inc: {_rev: 1}``, as the
services' do), it times the operations the services send:

- **lookup by ``_id``**: ``find_one({_id}, {_outbox: 0})`` of a random document;
- **guarded update by ``_id``**: ``update_one({_id, version: seen}, {$set: {version: seen + 1,
  ...}})`` of a random document (distinct documents within a run, so no update loses a race);
- **a mentor's trackings**: ``find({mentor_user_id, state: {$in: [...]}}, {_outbox: 0})``, sorted by
  ``_id``, as ``ProgressStore.of_mentor`` sends it; every mentor has 20 documents;
- **insert**: ``insert_one`` of a new document;

each 2,000 times sequentially and 2,000 times from 16 concurrent tasks. Per operation: p50, p95,
mean, operations per second, this process's CPU time (``getrusage``) and, on the local stack, the
server's: FerretDB's process and PostgreSQL's (the postmaster, its live children and the children
it reaped), from ``/proc``. The server is shared with whatever else runs on it, so its CPU is also
measured for one second before each run with this process idle, and reported apart. A few reads
by a field no index covers (``match_id``) show what a scan costs at each size, for contrast.
PostgreSQL's plan (``explain``) of each filter is recorded at each size.

Raw results go to bench/results/lookups.json (lookups-quick.json with --quick); a table is
printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import bson
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from mentorship_localstack import LocalStack
from mentorship_runtime.mongo import make_mongo_client
from mentorship_testing.infrastructure import infrastructure
from mentorship_testing.plans import reads_whole_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))
from devstack import (  # the platform helpers beside the gateway benchmark
    CLOCK_TICKS,
    distribution_ms,
    load_average,
    machine_facts,
)

ROOT = Path(__file__).resolve().parents[2]
Document = dict[str, Any]

FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (2_000, 20_000)
BATCH = 2_000
BUILDERS = 2
PER_MENTOR = 20
PROGRAMS = 50
ACTIVE_STATES = ["active", "completed", "paused"]
INDEXES: list[list[tuple[str, int]]] = [  # ProgressStore.ensure_indexes, trackings
    [("program_id", ASCENDING), ("state", ASCENDING)],
    [("mentor_user_id", ASCENDING), ("state", ASCENDING)],
    [("mentor_id", ASCENDING), ("state", ASCENDING)],
    [("mentee_user_id", ASCENDING)],
    [("state", ASCENDING)],
]
OPERATIONS = ("lookup", "update", "mentor_read", "insert")
DESCRIBED = {
    "lookup": "find_one by _id",
    "update": "update_one {_id, version} $set",
    "mentor_read": "find a mentor's 20 (indexed field)",
    "insert": "insert_one",
    "scan": "find_one by an unindexed field (scan)",
}
IDLE_SECONDS = 1.0
NOTE = (
    "Run on a 2-core machine shared with other people's tests and builds against the same "
    "server: latencies and CPU figures are noisy. server_cpu counts every client of the server "
    "during the run; server_idle_cores is what it used in the second before, with this process "
    "idle."
)


# ---- documents ---------------------------------------------------------------------------------


def tracking_id(i: int) -> str:
    return f"pt-{i:07d}"


def mentor_user(m: int) -> str:
    return f"u-mentor-{m:06d}"


def tracking(i: int, now: datetime, *, mentor: int | None = None) -> Document:
    """The i-th tracking: mentor ``i // 20`` (so every mentor has 20), one of 50 programs, 85 %
    active; a few hundred bytes, as progress stores them (without check-ins yet)."""
    m = i // PER_MENTOR if mentor is None else mentor
    state = ("active", "paused", "completed", "stopped")[0 if i % 20 < 17 else i % 4]
    started = now - timedelta(days=30 + i % 60)
    return {
        "_id": tracking_id(i),
        "program_id": f"pg-{i % PROGRAMS:03d}",
        "path_id": "default",
        "path_version": 1,
        "match_id": f"m-{i:07d}",
        "mentor_id": f"pt-mentor-{m:06d}",
        "mentor_user_id": mentor_user(m),
        "mentee_user_id": f"u-{i:07d}",
        "state": state,
        "version": 1,
        "started_at": started,
        "active_since": started,
        "last_activity_at": now - timedelta(days=i % 14, minutes=i % 1440),
        "confidence": 1 + i % 5,
        "stall_episodes": i % 3,
        "completed_modules": ["purpose", "community-rules", "digital-identity"][: i % 4],
        "mentors": [{"mentor_id": f"pt-mentor-{m:06d}", "since": started, "until": None}],
    }


# ---- CPU time ------------------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def process_seconds(pid: int) -> float | None:
    """User + system CPU of a process, all its threads."""
    fields = _stat(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_seconds(parent: int) -> float | None:
    """User + system CPU of ``parent``, of its live children and of the children it reaped
    (PostgreSQL's postmaster: one backend per connection, its background workers)."""
    fields = _stat(parent)
    if fields is None:
        return None
    ticks = sum(int(fields[n]) for n in (11, 12, 13, 14))
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        child = _stat(int(entry.name))
        if child is not None and child[1] == str(parent):
            ticks += int(child[11]) + int(child[12])
    return ticks / CLOCK_TICKS


@dataclass
class Server:
    """The local stack's server processes, when the benchmark uses that stack's server."""

    ferretdb: int | None = None
    postgresql: int | None = None
    versions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, mongo_url: str) -> Server:
        try:
            described = json.loads(LocalStack().paths.state_file.read_text())
        except (OSError, ValueError):
            return cls()
        if described.get("mongo", {}).get("url") != mongo_url:
            return cls()  # another server than the stack's
        found = cls()
        ferret = described["mongo"].get("pid")
        if ferret and _comm(int(ferret)) == "ferretdb":
            found.ferretdb = int(ferret)
            with contextlib.suppress(OSError, IndexError):
                executable = Path(f"/proc/{ferret}/exe").resolve()
                found.versions["ferretdb"] = executable.parent.name.removeprefix("ferretdb-")
        postmaster = described.get("postgresql", {}).get("pid")
        if postmaster and _comm(int(postmaster)) == "postgres":
            found.postgresql = int(postmaster)
            with contextlib.suppress(OSError):
                executable = Path(f"/proc/{postmaster}/exe").resolve()
                found.versions["postgresql"] = subprocess.run(  # noqa: S603 - the server's binary
                    [str(executable), "--version"],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.strip()
        return found

    def seconds(self) -> dict[str, float | None]:
        return {
            "ferretdb": None if self.ferretdb is None else process_seconds(self.ferretdb),
            "postgresql": None if self.postgresql is None else tree_seconds(self.postgresql),
        }


def _spent(before: Mapping[str, float | None], after: Mapping[str, float | None]) -> Document:
    spent: Document = {}
    for name, start in before.items():
        end = after.get(name)
        spent[name] = None if start is None or end is None else end - start
    known = [v for v in spent.values() if v is not None]
    spent["total"] = sum(known) if known else None
    return spent


def client_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---- one run of one operation --------------------------------------------------------------------


Call = Callable[[], Awaitable[None]]


async def run_calls(server: Server, calls: list[Call], concurrency: int) -> Document:
    """Time each call, ``concurrency`` at a time; the server's CPU while idle just before."""
    idle_before = server.seconds()
    await asyncio.sleep(IDLE_SECONDS)
    idle = _spent(idle_before, server.seconds())
    latencies: list[float] = []
    pending: Iterator[Call] = iter(calls)

    async def worker() -> None:
        for call in pending:
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    server_before, client_before = server.seconds(), client_seconds()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    server_spent = _spent(server_before, server.seconds())
    client_spent = client_seconds() - client_before
    count = len(latencies)

    def per_op_ms(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / count * 1000, 3)

    idle_total = idle["total"]
    busy_total = server_spent["total"]
    return {
        "concurrency": concurrency,
        **distribution_ms(latencies),
        "seconds": round(elapsed, 3),
        "ops_per_second": round(count / elapsed, 1),
        "client_cpu_ms_per_op": per_op_ms(client_spent),
        "server_cpu_ms_per_op": {name: per_op_ms(v) for name, v in server_spent.items()},
        "server_idle_cores": {
            name: None if v is None else round(v / IDLE_SECONDS, 3) for name, v in idle.items()
        },
        "server_cpu_ms_per_op_less_idle": (
            None
            if idle_total is None or busy_total is None
            else per_op_ms(max(0.0, busy_total - idle_total / IDLE_SECONDS * elapsed))
        ),
    }


@dataclass
class Workload:
    collection: AsyncCollection[Document]
    seeded: int = 0
    versions: dict[int, int] = field(default_factory=dict)
    inserted: int = 0
    misses: dict[str, int] = field(default_factory=dict)
    returned: list[int] = field(default_factory=list)

    def miss(self, operation: str) -> None:
        self.misses[operation] = self.misses.get(operation, 0) + 1

    def calls(self, operation: str, ops: int, rng: random.Random) -> list[Call]:
        now = datetime.now(UTC)
        if operation == "lookup":
            return [self._lookup(rng.randrange(self.seeded)) for _ in range(ops)]
        if operation == "update":
            return [self._update(i, now, rng) for i in rng.sample(range(self.seeded), ops)]
        if operation == "mentor_read":
            mentors = self.seeded // PER_MENTOR
            return [self._mentor_read(rng.randrange(mentors)) for _ in range(ops)]
        if operation == "insert":
            first = self.inserted
            self.inserted += ops
            return [self._insert(first + n, now) for n in range(ops)]
        if operation == "scan":
            return [self._scan(rng.randrange(self.seeded)) for _ in range(ops)]
        raise ValueError(operation)

    def _lookup(self, i: int) -> Call:
        async def call() -> None:
            if await self.collection.find_one({"_id": tracking_id(i)}, {"_outbox": 0}) is None:
                self.miss("lookup")

        return call

    def _update(self, i: int, now: datetime, rng: random.Random) -> Call:
        confidence = rng.randint(1, 5)

        async def call() -> None:
            seen = self.versions.get(i, 1)
            result = await self.collection.update_one(
                {"_id": tracking_id(i), "version": seen},
                {"$set": {"version": seen + 1, "last_activity_at": now, "confidence": confidence}},
            )
            if result.matched_count == 1:
                self.versions[i] = seen + 1
            else:
                self.miss("update")

        return call

    def _mentor_read(self, m: int) -> Call:
        async def call() -> None:
            cursor = (
                self.collection.find(
                    {"mentor_user_id": mentor_user(m), "state": {"$in": ACTIVE_STATES}},
                    {"_outbox": 0},
                )
                .sort("_id")
                .limit(1000)
            )
            found = await cursor.to_list()
            self.returned.append(len(found))
            if not found:
                self.miss("mentor_read")

        return call

    def _insert(self, n: int, now: datetime) -> Call:
        document = tracking(n, now, mentor=10_000_000 + n // PER_MENTOR)
        document["_id"] = f"new-{n:07d}"
        document["match_id"] = f"m-new-{n:07d}"

        async def call() -> None:
            await self.collection.insert_one(document)

        return call

    def _scan(self, i: int) -> Call:
        async def call() -> None:
            if await self.collection.find_one({"match_id": f"m-{i:07d}"}) is None:
                self.miss("scan")

        return call

    async def grow(self, size: int) -> Document:
        """Insert trackings ``seeded .. size - 1`` in batches, ``BUILDERS`` at a time."""
        now = datetime.now(UTC)
        starts = list(range(self.seeded, size, BATCH))
        gate = asyncio.Semaphore(BUILDERS)

        async def batch(start: int) -> None:
            async with gate:
                documents = [tracking(i, now) for i in range(start, min(size, start + BATCH))]
                await self.collection.insert_many(documents, ordered=False)

        started = time.perf_counter()
        await asyncio.gather(*(batch(start) for start in starts))
        seconds = time.perf_counter() - started
        added = size - self.seeded
        self.seeded = size
        return {
            "inserted": added,
            "seconds": round(seconds, 2),
            "documents_per_second": round(added / seconds, 1) if seconds else None,
        }


# ---- plans ---------------------------------------------------------------------------------------


def _index_names(plan: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(plan, Mapping):
        if isinstance(plan.get("Index Name"), str):
            names.add(plan["Index Name"])
        for value in plan.values():
            names |= _index_names(value)
    elif isinstance(plan, list):
        for item in plan:
            names |= _index_names(item)
    return names


async def plans(collection: AsyncCollection[Document], seeded: int) -> Document:
    """Whether the server reads the whole table for each filter, and the indexes it uses."""
    i = seeded // 2
    filters = {
        "lookup": {"_id": tracking_id(i)},
        "update": {"_id": tracking_id(i), "version": 1},
        "mentor_read": {"mentor_user_id": mentor_user(i // PER_MENTOR), "state": {"$in": ["a"]}},
        "scan": {"match_id": f"m-{i:07d}"},
    }
    found: Document = {}
    for operation, filter_ in filters.items():
        explained = await collection.database.command(
            "explain", {"find": collection.name, "filter": filter_}, verbosity="queryPlanner"
        )
        found[operation] = {
            "reads_whole_table": reads_whole_table(explained),
            "filter_pushdown": explained.get("filterPushdown"),
            "indexes": sorted(_index_names(explained)),
        }
    return found


# ---- driver --------------------------------------------------------------------------------------


async def measure(
    mongo_url: str, sizes: list[int], ops: int, concurrency: int, scan_ops: int
) -> Document:
    server = Server.of(mongo_url)
    client = make_mongo_client(mongo_url, app_name="bench-lookups", timeout_ms=30_000)
    database = f"bench_lookups_{uuid.uuid4().hex[:8]}"
    collection = client[database]["trackings"]
    info = await client.server_info()
    results: Document = {
        "server": {
            "url_kind": LocalStack().status().get("mongo", {}).get("kind")
            if server.ferretdb
            else "external",
            "version": info.get("version"),
            "ferretdb": info.get("ferretdb", {}).get("version")
            if isinstance(info.get("ferretdb"), Mapping)
            else None,
            "processes_measured": {"ferretdb": server.ferretdb, "postgresql": server.postgresql},
            **server.versions,
        },
        "database": database,
        "sizes": [],
    }
    workload = Workload(collection)
    rng = random.Random(20_240_601)  # noqa: S311 - which documents, not secrets
    try:
        for index in INDEXES:
            await collection.create_index(index)
        for size in sizes:
            print(f"growing to {size:,} documents...", file=sys.stderr)
            step: Document = {"documents": size, "load_average_before": load_average()}
            step["build"] = await workload.grow(size)
            print(f"  built in {step['build']['seconds']} s; measuring", file=sys.stderr)
            step["plans"] = await plans(collection, workload.seeded)
            for call in workload.calls("lookup", 200, rng):  # warm the connections and caches
                await call()
            runs: list[Document] = []
            for operation in OPERATIONS:
                for parallel in (1, concurrency):
                    calls = workload.calls(operation, ops, rng)
                    run = {"operation": operation, **await run_calls(server, calls, parallel)}
                    runs.append(run)
                    print(
                        f"  {operation:<12} x{parallel:<3} p50 {run['p50_ms']} ms, "
                        f"{run['ops_per_second']} ops/s",
                        file=sys.stderr,
                    )
            if scan_ops:
                calls = workload.calls("scan", scan_ops, rng)
                runs.append({"operation": "scan", **await run_calls(server, calls, 1)})
            step["runs"] = runs
            step["documents_at_end"] = workload.seeded + workload.inserted
            step["mentor_read_documents_mean"] = (
                round(sum(workload.returned) / len(workload.returned), 2)
                if workload.returned
                else None
            )
            step["misses"] = dict(workload.misses)
            workload.returned.clear()
            workload.misses.clear()
            step["load_average_after"] = load_average()
            results["sizes"].append(step)
    finally:
        await client.drop_database(database)
        await client.close()
    return results


def _cell(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(results: Document) -> str:
    lines = [
        "| documents | operation | tasks | p50 ms | p95 ms | mean ms | ops/s "
        "| client CPU ms/op | server CPU ms/op | server idle cores |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for step in results["sizes"]:
        for run in step["runs"]:
            server, rate = run["server_cpu_ms_per_op"], run["ops_per_second"]
            lines.append(
                f"| {step['documents']:,} | {DESCRIBED[run['operation']]} | {run['concurrency']} "
                f"| {_cell(run['p50_ms'])} | {_cell(run['p95_ms'])} | {_cell(run['mean_ms'])} "
                f"| {_cell(rate, 0 if rate >= 10 else 1)} | {_cell(run['client_cpu_ms_per_op'])} "
                f"| {_cell(server['total'])} | {_cell(run['server_idle_cores']['total'])} |"
            )
    steps = results["sizes"]
    if len(steps) > 1:
        first, last = steps[0], steps[-1]
        lines += [
            "",
            f"| operation | tasks | p50 ms at {first['documents']:,} | p50 ms at "
            f"{last['documents']:,} | ratio | mean ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for a, b in zip(first["runs"], last["runs"], strict=True):
            lines.append(
                f"| {DESCRIBED[a['operation']]} | {a['concurrency']} | {_cell(a['p50_ms'])} "
                f"| {_cell(b['p50_ms'])} | {b['p50_ms'] / a['p50_ms']:.2f} "
                f"| {b['mean_ms'] / a['mean_ms']:.2f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 documents")
    parser.add_argument("--sizes", help="comma-separated collection sizes")
    parser.add_argument("--ops", type=int, help="operations per run (default 2,000)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent tasks")
    parser.add_argument("--scan-ops", type=int, default=10, help="unindexed reads per size")
    parser.add_argument("--output", help="bench/results/<output>.json")
    args = parser.parse_args()
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else list(QUICK_SIZES if args.quick else FULL_SIZES)
    )
    ops = args.ops or (300 if args.quick else 2_000)
    if any(size < ops for size in sizes) or sizes != sorted(sizes):
        parser.error("sizes must grow, each at least --ops")
    output = args.output or ("lookups-quick" if args.quick else "lookups")
    started = time.perf_counter()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    with infrastructure() as endpoints:
        measured = asyncio.run(
            measure(endpoints.mongodb_url, sizes, ops, args.concurrency, args.scan_ops)
        )
    results: Document = {
        "date": date,
        **machine_facts(),
        "pymongo": metadata.version("pymongo"),
        "note": NOTE,
        "setup": {
            "sizes": sizes,
            "ops_per_run": ops,
            "concurrency": [1, args.concurrency],
            "scan_ops": args.scan_ops,
            "build": f"insert_many, batches of {BATCH:,}, {BUILDERS} at a time",
            "document_bson_bytes": len(bson.encode(tracking(12_345, datetime.now(UTC)))),
            "indexes": [[list(key) for key in index] for index in INDEXES],
            "documents_per_mentor": PER_MENTOR,
            "client": "mentorship_runtime.mongo.make_mongo_client (updates add $inc _rev)",
        },
        **measured,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    out = ROOT / "bench" / "results" / f"{output}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(table(results))
    print(f"\nraw results: {out.relative_to(ROOT)} ({results['total_seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
