"""Benchmark of the bulk import: 10,000 participants from a CSV file, through the CLI.

    uv run python bench/import/bench_import.py              # 10,000 rows, about 3 to 6 minutes
    uv run python bench/import/bench_import.py --rows 1000  # a smoke run

The platform runs as ``make dev`` runs it (the supervisor and its four processes, with its own
ports, databases and topic prefix, on the local stack's Kafka broker and MongoDB server, which it
neither starts nor stops; ``bench/gateway/devstack.py``). The benchmark creates a program through
mentoring's API, writes a file of N rows (one mentor in ten, every row with languages, a time
zone, a department, two competencies and a goal; one row in seven names as manager a row 501
lines further down, so those rows wait for a second pass), then runs
``mentorship import participants FILE --program ID --json`` as a separate process, twice: the
import (N created) and the re-import of the same file (N unchanged).

Reported per run: rows/s (rows over the CLI process's wall time, from its start to the printed
report), the report's counts, the peak resident memory of the CLI process (``ru_maxrss`` of the
waited child) and of the gateway and mentoring processes (``VmHWM``: their peak since they
started, read before and after), and the CPU each process used. Nothing is asserted. Raw results
go to bench/results/import.json (import-<N>.json for another N).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from devstack import (  # bench/gateway, shared by the benchmarks that run make dev
    ROOT,
    CpuMeter,
    DevPlatform,
    cpu_shares,
    load_average,
    machine_facts,
)

from mentorship_localstack.dev import token_settings
from mentorship_runtime.auth import issue_token

HEADER = (
    "external_id,email,name,role,languages,timezone,department,manager,competencies,goals,"
    "capacity\n"
)
MANAGER_DISTANCE = 501


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for i in range(rows):
            mentor = i % 10 == 1
            later = i + MANAGER_DISTANCE
            manager = f"hr-{later:06d}" if i % 7 == 3 and later < rows else ""
            out.write(
                f"hr-{i:06d},person{i:06d}@example.com,Person {i},"
                f"{'mentor' if mentor else 'mentee'},en;fr,Europe/Paris,Dept {i % 12},"
                f"{manager},purpose:{1 + i % 5};pitching:{1 + i % 3},finance:{1 + i % 4},"
                f"{'3' if mentor else ''}\n"
            )


def peak_kib(pid: int) -> int | None:
    """A process's peak resident memory since it started (``VmHWM``), in KiB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


async def create_program(dev: DevPlatform, token: str) -> str:
    async with httpx.AsyncClient(base_url=dev.url("mentoring"), timeout=30) as http:
        response = await http.post(
            "/programs",
            json={"name": "Import benchmark", "default_mentor_capacity": 3},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        program_id: str = response.json()["id"]
        return program_id


def run_cli(file: Path, program: str, url: str, token: str) -> tuple[dict[str, Any], float]:
    """The CLI's report and its wall time."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 - this interpreter, with arguments built here
        [
            sys.executable,
            "-m",
            "mentorship_cli.main",
            "import",
            "participants",
            str(file),
            "--program",
            program,
            "--url",
            url,
            "--json",
        ],
        env={**os.environ, "MENTORSHIP_TOKEN": token},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"the CLI failed ({done.returncode}): {done.stderr or done.stdout}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report, seconds


async def measure(
    name: str, dev: DevPlatform, file: Path, program: str, token: str, rows: int
) -> dict[str, Any]:
    pids = dev.pids()
    meter = CpuMeter(dev.processes())
    before = {s: peak_kib(pids[s]) for s in ("gateway", "mentoring")}
    meter.start()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    report, seconds = await asyncio.to_thread(
        run_cli, file, program, dev.url("gateway") + "/graphql", token
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = meter.stop()
    after = {s: peak_kib(pids[s]) for s in ("gateway", "mentoring")}
    cli_cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    print(
        f"  {name}: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s); "
        f"created {report['created']}, updated {report['updated']}, "
        f"unchanged {report['unchanged']}, refused {report['refusedCount']}",
        flush=True,
    )
    return {
        "measure": name,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1),
        "report": {k: report[k] for k in ("created", "updated", "unchanged", "refusedCount")},
        "peak_memory_mib": {
            "cli": round(children.ru_maxrss / 1024, 1),
            **{
                f"{s} (peak since start, after)": round(after[s] / 1024, 1) if after[s] else None
                for s in after
            },
            **{
                f"{s} (peak since start, before)": round(before[s] / 1024, 1) if before[s] else None
                for s in before
            },
        },
        "cpu": {**cpu, "cli_cpu_seconds": round(cli_cpu, 2)},
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    load_at_start = load_average()
    dev = DevPlatform("imp")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "participants.csv"
        write_file(file, args.rows)
        size = file.stat().st_size
        try:
            print("starting make dev (own ports, databases and topics)", flush=True)
            await dev.start()
            token = issue_token(
                token_settings(), user_id="bench-admin", roles=["admin"], name="Bench Admin"
            )
            program = await create_program(dev, token)
            print(f"importing {args.rows} rows ({size / 1e6:.1f} MB) into {program}", flush=True)
            results.append(await measure("import", dev, file, program, token, args.rows))
            results.append(await measure("re-import", dev, file, program, token, args.rows))
        finally:
            print("stopping make dev; deleting its topics and databases", flush=True)
            with contextlib.suppress(Exception):
                await dev.stop()
    return {
        "benchmark": "import",
        "started_at": started_at,
        "load_average_at_start": load_at_start,
        "load_average_at_end": load_average(),
        **machine_facts(),
        "settings": {
            "rows": args.rows,
            "file_bytes": size,
            "rows_with_a_manager_further_down": sum(
                1 for i in range(args.rows) if i % 7 == 3 and i + MANAGER_DISTANCE < args.rows
            ),
            "platform": "make dev supervisor (mentoring, progress, notify, gateway: one process "
            "each, ROLE=all, PROFILE=dev)",
            "log_level": dev.environment()["LOG_LEVEL"],
            "client": "mentorship import participants --json, a separate process",
        },
        "results": results,
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        "| measure | rows | s | rows/s | peak MiB CLI / gateway / mentoring "
        "| CPU cores gateway / mentoring / progress / notify / mongodb |",
        "|---|---:|---:|---:|---|---|",
    ]
    for r in report["results"]:
        memory = r["peak_memory_mib"]
        shares = cpu_shares(
            r["cpu"]["cores_used_by"], ("gateway", "mentoring", "progress", "notify", "mongodb")
        )
        lines.append(
            f"| {r['measure']} | {r['rows']} | {r['seconds']} | {r['rows_per_second']} "
            f"| {memory['cli']} / {memory['gateway (peak since start, after)']} / "
            f"{memory['mentoring (peak since start, after)']} | {shares} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    report = asyncio.run(run(args))
    name = "import.json" if args.rows == 10_000 else f"import-{args.rows}.json"
    out = ROOT / "bench" / "results" / name
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(report))
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
