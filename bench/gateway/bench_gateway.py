"""Benchmark of the GraphQL gateway: a mentor's dashboard of 50 mentees and ``recordCheckIn``.

    uv run python bench/gateway/bench_gateway.py            # 20 s per measure, about 6 minutes
    uv run python bench/gateway/bench_gateway.py --quick    # 3 s per measure, a smoke run

The platform runs as ``make dev`` runs it: the supervisor and its four processes (mentoring,
progress, notify, and the gateway as one uvicorn worker), with its own ports, databases and topic
prefix, on the local stack's Kafka broker and MongoDB server (which it neither starts nor stops).
Its demo is one mentor with 50 mentees, seeded through the services' APIs; topics and databases
are deleted at the end.

Each measure is a closed loop: C clients (1 and 8) each send a request, wait for the answer and
send the next, for a fixed duration after a short warm-up, over keep-alive connections. Reported:
requests/s, latency p50/p95/p99/max, errors, and the internal calls per request (from each
answer's ``extensions.internalCalls``, cross-checked with the gateway's
``mentorship_gateway_internal_calls_total`` counter), with the CPU used by each process.

- ``dashboard``: ``myMentees(first: 50)`` with each mentee's status, trend, last activity, unread
  alerts and profile, as the mentor.
- ``recordCheckIn``: a mentee's check-in (confidence 4 on a module, so no alert), each client
  cycling through the 50 mentees with their own tokens.
- ``dashboard without DataLoaders``: the same query on a second gateway process started with
  ``DATALOADERS=false`` (same services): every profile and unread count is its own call.

Nothing is asserted: it measures. Raw results go to bench/results/gateway.json
(gateway-quick.json with --quick) with the machine, versions, settings and load average; a
markdown table is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devstack import (  # beside this script
    ROOT,
    CpuMeter,
    DevPlatform,
    HttpConnection,
    Seeded,
    cpu_shares,
    distribution_ms,
    load_average,
    machine_facts,
    metric_total,
)

DASHBOARD = """
query Dashboard {
  myMentees(first: 50) {
    byStatus { status count }
    mentees {
      nodes {
        menteeId status confidenceTrend lastActivityAt unreadAlerts
        profile { displayName department language }
      }
      pageInfo { hasNextPage }
    }
  }
}"""

CHECK_IN = """
mutation CheckIn($mentee: ID!, $module: ID!, $confidence: Int!) {
  recordCheckIn(menteeId: $mentee, moduleId: $module, confidence: $confidence) {
    __typename ... on MenteeProgress { menteeId status }
  }
}"""

MODULES = ("purpose", "community-rules", "digital-identity", "uses-for-my-job")
CALLS_METRIC = "mentorship_gateway_internal_calls_total"


async def closed_loop(
    port: int,
    make_request: Any,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    check: Any,
) -> dict[str, Any]:
    """C clients, each one request at a time; only requests sent inside the window count."""
    latencies: list[float] = []
    calls: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    counted = 0
    start = time.monotonic()
    window = (start + warmup, start + warmup + duration)

    async def client(index: int) -> None:
        nonlocal counted
        connection = HttpConnection("127.0.0.1", port)
        requests = make_request(index)
        try:
            while (sent := time.monotonic()) < window[1]:
                path, body, headers = next(requests)
                try:
                    status, answer = await connection.post_json(path, body, headers)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    status, answer = 0, {"errors": [{"message": repr(exc)}]}
                took = time.monotonic() - sent
                if sent < window[0]:
                    continue
                counted += 1
                latencies.append(took)
                problem = check(status, answer)
                if problem:
                    errors[problem] += 1
                for service, n in (
                    ((answer or {}).get("extensions") or {}).get("internalCalls", {}).items()
                ):
                    calls[service] += n
        finally:
            connection.close()

    await asyncio.gather(*(client(i) for i in range(concurrency)))
    return {
        "requests": counted,
        "requests_per_second": round(counted / duration, 1),
        "latency": distribution_ms(latencies),
        "errors": dict(errors),
        "internal_calls_per_request": {
            service: round(n / max(counted, 1), 2) for service, n in sorted(calls.items())
        },
        "internal_calls_per_request_total": round(sum(calls.values()) / max(counted, 1), 2),
    }


def dashboard_requests(seeded: Seeded) -> Any:
    body = json.dumps({"query": DASHBOARD}).encode()
    headers = {"Authorization": f"Bearer {seeded.mentor_token}"}

    def make(_index: int) -> Any:
        return itertools.repeat(("/graphql", body, headers))

    return make


def check_in_requests(seeded: Seeded) -> Any:
    def make(index: int) -> Any:
        mentees = seeded.mentees[index:] + seeded.mentees[:index]
        for n in itertools.count():
            mentee_id, token = mentees[n % len(mentees)]
            variables = {
                "mentee": mentee_id,
                "module": MODULES[(n // len(mentees)) % len(MODULES)],
                "confidence": 4,
            }
            body = json.dumps({"query": CHECK_IN, "variables": variables}).encode()
            yield "/graphql", body, {"Authorization": f"Bearer {token}"}

    return make


def check_dashboard(mentees: int) -> Any:
    def check(status: int, answer: Any) -> str | None:
        if status != 200:
            return f"http {status}"
        if answer.get("errors"):
            return str(answer["errors"][0].get("extensions", {}).get("code", "error"))
        nodes = ((answer.get("data") or {}).get("myMentees") or {}).get("mentees", {})["nodes"]
        if len(nodes) != mentees:
            return f"{len(nodes)} mentees"
        return None

    return check


def check_check_in(status: int, answer: Any) -> str | None:
    if status != 200:
        return f"http {status}"
    if answer.get("errors"):
        return str(answer["errors"][0].get("extensions", {}).get("code", "error"))
    kind = ((answer.get("data") or {}).get("recordCheckIn") or {}).get("__typename")
    return None if kind == "MenteeProgress" else str(kind)


async def measure(
    name: str,
    port: int,
    requests: Any,
    check: Any,
    meter: CpuMeter,
    *,
    concurrency: int,
    warmup: float,
    duration: float,
) -> dict[str, Any]:
    print(f"- {name}, {concurrency} client(s), {duration:.0f} s", flush=True)
    load = load_average()
    calls_before = await metric_total(port, CALLS_METRIC)
    meter.start()
    found = await closed_loop(
        port, requests, concurrency=concurrency, warmup=warmup, duration=duration, check=check
    )
    cpu = meter.stop()
    calls_after = await metric_total(port, CALLS_METRIC)
    # the counter also counts the warm-up's calls: per request over every request sent
    found["metric_internal_calls_delta"] = calls_after - calls_before
    return {
        "measure": name,
        "concurrency": concurrency,
        "load_average_at_start": load,
        **found,
        "cpu": cpu,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    load_at_start = load_average()
    dev = DevPlatform("gw")
    results: list[dict[str, Any]] = []
    try:
        print("starting make dev (own ports, databases and topics)", flush=True)
        await dev.start()
        print("seeding one mentor with 50 mentees", flush=True)
        seeded = await dev.seed(mentors=1, mentees=args.mentees, capacity=args.mentees)
        mentees = len(seeded.mentees)
        print(f"  {mentees} mentees matched to the mentor in {seeded.seconds:.0f} s", flush=True)
        off_port = dev.port("gateway") + 10
        await dev.start_gateway(off_port, DATALOADERS="false")
        pids = dev.processes()  # mongodb: FerretDB with its PostgreSQL server
        off_pid = dev.extra[-1].pid
        timing = {"warmup": args.warmup, "duration": args.duration}
        await asyncio.sleep(args.settle)
        for concurrency in args.concurrency:
            results.append(
                await measure(
                    "dashboard",
                    dev.port("gateway"),
                    dashboard_requests(seeded),
                    check_dashboard(mentees),
                    CpuMeter(pids),
                    concurrency=concurrency,
                    **timing,
                )
            )
        for concurrency in args.concurrency:
            results.append(
                await measure(
                    "dashboard without DataLoaders",
                    off_port,
                    dashboard_requests(seeded),
                    check_dashboard(mentees),
                    CpuMeter({**pids, "gateway": off_pid}),
                    concurrency=concurrency,
                    **timing,
                )
            )
        for concurrency in args.concurrency:
            results.append(
                await measure(
                    "recordCheckIn",
                    dev.port("gateway"),
                    check_in_requests(seeded),
                    check_check_in,
                    CpuMeter(pids),
                    concurrency=concurrency,
                    **timing,
                )
            )
    finally:
        print("stopping make dev; deleting its topics and databases", flush=True)
        with contextlib.suppress(Exception):
            await dev.stop()
    return {
        "benchmark": "gateway",
        "started_at": started_at,
        "load_average_at_start": load_at_start,
        **machine_facts(),
        "settings": {
            "quick": args.quick,
            "mentees_on_the_dashboard": mentees,
            "concurrency": args.concurrency,
            "warmup_seconds": args.warmup,
            "duration_seconds": args.duration,
            "gateway_workers": 1,
            "platform": "make dev supervisor (mentoring, progress, notify, gateway: one process "
            "each, ROLE=all, PROFILE=dev)",
            "log_level": dev.environment()["LOG_LEVEL"],
            "client": "closed loop, one keep-alive HTTP/1.1 connection per client, in one "
            "asyncio process on the same machine",
            "dashboard_query": " ".join(DASHBOARD.split()),
            "check_in_mutation": " ".join(CHECK_IN.split()),
        },
        "results": results,
    }


def table(report: dict[str, Any]) -> str:
    lines = [
        "| measure | clients | req/s | p50 ms | p95 ms | p99 ms | max ms | calls/req "
        "| errors | CPU gateway / progress / mentoring / notify / mongodb / client |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["results"]:
        lat, cpu = r["latency"], r["cpu"]["cores_used_by"]
        shares = cpu_shares(
            cpu, ("gateway", "progress", "mentoring", "notify", "mongodb", "bench client")
        )
        lines.append(
            f"| {r['measure']} | {r['concurrency']} | {r['requests_per_second']} "
            f"| {lat['p50_ms']} | {lat['p95_ms']} | {lat['p99_ms']} | {lat['max_ms']} "
            f"| {r['internal_calls_per_request_total']} | {sum(r['errors'].values())} "
            f"| {shares} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="3 s per measure")
    parser.add_argument("--duration", type=float, default=None, help="seconds per measure")
    parser.add_argument("--mentees", type=int, default=50)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()
    args.duration = args.duration or (3.0 if args.quick else 20.0)
    args.warmup = 1.0 if args.quick else 3.0
    args.settle = 2.0 if args.quick else 10.0
    report = asyncio.run(run(args))
    out = ROOT / "bench" / "results" / ("gateway-quick.json" if args.quick else "gateway.json")
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(report))
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
