"""What the gateway's query limits cost per request, and how fast a fragment bomb is refused.

    uv run python bench/gateway/bench_query_limits.py     # about 30 s; make bench-query-limits

In-process, without services or Kafka: the measures are of the gateway's own work.
- ``analysis``: ``query_cost.measure_operation`` alone on each document (median of many runs);
- ``validation``: graphql-core's rules on the same document (what runs after the analysis, on a
  worker thread), for the documents that pass;
- ``answer``: a whole POST /graphql through the ASGI app (fake services that answer nothing),
  with the slowest ``/healthz`` answered meanwhile, for the bombs.

Documents: the mentor's dashboard of the gateway benchmark, GraphiQL's introspection query, the
fragment bomb that used to stop the gateway (10^8 expansions in 734 bytes) and variants, and a
document within the limits that graphql-core takes long to validate (490 repeated fields).
Nothing is asserted. Raw results go to bench/results/query-limits.json with the machine facts.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from graphql import get_introspection_query, parse, validate

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gateway import DASHBOARD  # beside this script
from devstack import ROOT, git_commit, machine_facts

from gateway.app import create_app
from gateway.config import Settings
from gateway.query_cost import FragmentCycle, measure_operation
from gateway.schema import build_schema
from mentorship_runtime.auth import TokenSettings, TokenVerifier

SECRET = "bench-secret-of-enough-length-for-hs256"  # noqa: S105 (a local test key)
RESULTS = ROOT / "bench" / "results" / "query-limits.json"


def chain(root: str, on: str, leaf: str, *, levels: int = 9, width: int = 10) -> str:
    fragments = [
        f"fragment F{i} on {on} {{ {' '.join([f'...F{i + 1}'] * width)} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on {on} {{ {leaf} }}")
    return f"{root} {' '.join(fragments)}"


DOCUMENTS = {
    "dashboard": DASHBOARD,
    "introspection": get_introspection_query(descriptions=True),
    "bomb 10^8 (734 bytes)": chain("query { ...F0 }", "Query", "me { userId }", levels=8),
    "bomb 10^12, wider": chain("query { ...F0 }", "Query", "me { userId roles }", levels=12),
    "bomb of aliases": chain("query { me { ...F0 } }", "Me", "a: userId b: roles"),
    "bomb of pages": chain("query { ...F0 }", "Query", "programs(first: 100) { nodes { id } }"),
    "fragment cycle": "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
    "490 repeated fields": "{ " + " ".join(["me { userId }"] * 490) + " }",
}


def median_ms(work: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


def settings() -> Settings:
    return Settings(
        mentoring_url="http://mentoring",
        progress_url="http://progress",
        notify_url="http://notify",
        kafka_bootstrap_servers="unused:9092",
        profile="test",
        jwt_secret=SECRET,
        cost_points_per_minute=0,
    )


async def answer(http: httpx.AsyncClient, document: str) -> tuple[float, float, str]:
    """The answer's time, the slowest /healthz meanwhile, and the answer's first error code."""
    slowest = 0.0
    done = asyncio.Event()

    async def probe() -> None:
        nonlocal slowest
        while not done.is_set():
            started = time.perf_counter()
            await http.get("/healthz")
            slowest = max(slowest, time.perf_counter() - started)
            await asyncio.sleep(0.005)

    prober = asyncio.create_task(probe())
    started = time.perf_counter()
    response = await http.post("/graphql", json={"query": document})
    elapsed = time.perf_counter() - started
    done.set()
    await prober
    errors = response.json().get("errors") or [{}]
    code = str(errors[0].get("extensions", {}).get("code", "-"))
    return elapsed * 1000, slowest * 1000, code


async def main() -> None:
    config = settings()
    schema = build_schema(config)._schema
    rows: list[dict[str, Any]] = []
    verifier = TokenVerifier(
        TokenSettings(issuer=config.jwt_issuer, audience=config.jwt_audience, secret=SECRET)
    )
    app = create_app(
        config,
        transports={
            name: httpx.MockTransport(lambda _: httpx.Response(503))
            for name in ("mentoring", "progress", "notify")
        },
        live_updates=False,
        verifier=verifier,
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            for name, text in DOCUMENTS.items():
                document = parse(text, max_tokens=100_000)
                try:
                    measure = measure_operation(schema, document, None, None, max_page=100)
                    figures: dict[str, Any] = {
                        "fields": str(measure.fields),
                        "depth": measure.depth,
                        "aliases": str(measure.aliases),
                        "cost": str(measure.cost),
                    }
                except FragmentCycle:
                    figures = {"fields": "cycle", "depth": "-", "aliases": "-", "cost": "-"}
                analysis = median_ms(lambda d=document: _measure_or_cycle(schema, d), runs=200)
                row: dict[str, Any] = {
                    "document": name,
                    "bytes": len(text.encode()),
                    **figures,
                    "analysis_ms": analysis,
                }
                if not name.startswith(("bomb", "fragment")):
                    row["validation_ms"] = median_ms(lambda d=document: validate(schema, d), 5)
                elapsed, slowest, code = await answer(http, text)
                row.update(answer_ms=round(elapsed, 1), healthz_max_ms=round(slowest, 1))
                row["answer_code"] = code
                rows.append(row)
                print(json.dumps(row), flush=True)
    result = {
        "benchmark": "query-limits",
        "commit": git_commit(),
        "machine": machine_facts(),
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print()
    columns = [
        "document",
        "bytes",
        "fields",
        "cost",
        "analysis",
        "validation",
        "answer",
        "/healthz-max",
        "code",
    ]
    print("| " + " | ".join(columns) + " |")
    print("| --- " * len(columns) + "|")
    for r in rows:
        print(
            f"| {r['document']} | {r['bytes']:,} | {_short(r['fields'])} | {_short(r['cost'])} "
            f"| {r['analysis_ms']} ms | {r.get('validation_ms', '-')} ms | {r['answer_ms']} ms "
            f"| {r['healthz_max_ms']} ms | {r['answer_code']} |"
        )


def _measure_or_cycle(schema: Any, document: Any) -> None:
    try:
        measure_operation(schema, document, None, None, max_page=100)
    except FragmentCycle:
        return


def _short(value: str) -> str:
    return value if len(value) <= 9 else f"10^{len(value) - 1}"


if __name__ == "__main__":
    asyncio.run(main())
