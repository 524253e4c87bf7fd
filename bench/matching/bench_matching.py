"""Benchmark of the matching engine: cohort runs against a greedy baseline, and suggestions.

    uv run python bench/matching/bench_matching.py             # full run, about a minute
    uv run python bench/matching/bench_matching.py --quick     # small smoke run
    uv run python bench/matching/bench_matching.py --regimes   # also harder regimes, +1 minute

Every measurement runs in a fresh subprocess, so that its peak memory (ru_maxrss, the resident
set size high-water mark of the whole process, interpreter and profiles included) is its own.
Raw results go to bench/results/matching.json (matching-quick.json with --quick); a markdown table
is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy

from mentoring.domain.matching import (
    MatchingPolicy,
    MenteeCandidate,
    MentorCandidate,
    MentorPool,
    Objective,
    bmatching,
    match_cohort,
)
from mentoring.domain.matching.model import MICRO
from mentoring.domain.matching.pool import INELIGIBLE
from mentoring.domain.matching.stability import count_blocking

ROOT = Path(__file__).resolve().parents[2]
SEED = 2026
FULL_SIZES = [(1_000, 200), (5_000, 1_000), (10_000, 2_000)]
QUICK_SIZES = [(300, 60), (1_000, 200)]
OBJECTIVES: list[Objective] = ["best_fit", "most_matched"]
REGIMES = [
    ("balanced", 7_000, 2_000),  # about as many places as mentees: the most contested
    ("plentiful", 10_000, 2_000),
    ("identical", 10_000, 2_000),
]

# ---- seeded, realistic random profiles ------------------------------------------------------

MODULES = (
    "purpose",
    "community-rules",
    "digital-identity",
    "uses-for-my-job",
    "bringing-value",
    "knowing-the-limits",
)
LANGUAGES = ("en", "fr", "de", "es", "it")
OTHER_LANGUAGES = LANGUAGES[1:]
# New York, London, Paris, Athens, Mumbai (+5:30), Singapore, Tokyo
UTC_OFFSETS = (-300, 0, 60, 120, 330, 480, 540)
OFFSET_SHARES = (0.15, 0.2, 0.3, 0.1, 0.1, 0.08, 0.07)
DEPARTMENTS = tuple(f"dept-{d:02d}" for d in range(15))
WORKING_HOURS = [day * 24 + hour for day in range(5) for hour in range(8, 19)]


def _languages(rng: np.random.Generator) -> frozenset[str]:
    first = "en" if rng.random() < 0.85 else str(rng.choice(OTHER_LANGUAGES))
    extra = rng.choice(OTHER_LANGUAGES, size=int(rng.integers(0, 3)), replace=False)
    return frozenset({first, *map(str, extra)})


def _offset(rng: np.random.Generator) -> int:
    return int(rng.choice(UTC_OFFSETS, p=OFFSET_SHARES))


def _availability(rng: np.random.Generator, offset: int) -> frozenset[int]:
    """4-20 hours of the local working week (Mon-Fri, 08:00-19:00), as UTC hours of the week."""
    local = rng.choice(WORKING_HOURS, size=int(rng.integers(4, 21)), replace=False)
    return frozenset(int((hour - offset // 60) % 168) for hour in local)


def _department(rng: np.random.Generator) -> str | None:
    return None if rng.random() < 0.05 else str(rng.choice(DEPARTMENTS))


def make_mentors(count: int, seed: int) -> list[MentorCandidate]:
    rng = np.random.default_rng(seed)
    found = []
    for j in range(count):
        offset = _offset(rng)
        modules = rng.choice(MODULES, size=int(rng.integers(3, 7)), replace=False)
        capacity = int(rng.integers(1, 6))
        load = int(rng.integers(0, 3))
        found.append(
            MentorCandidate(
                id=f"mentor-{j:05d}",
                languages=_languages(rng),
                utc_offset_minutes=offset,
                availability=_availability(rng, offset),
                competencies={str(m): int(rng.integers(2, 6)) for m in modules},
                department=_department(rng),
                manager_id=f"mentee-{rng.integers(0, 10 * count):05d}"
                if rng.random() < 0.05
                else None,
                capacity=capacity,
                load=load,
                max_capacity=capacity + load,
            )
        )
    return found


def make_mentees(count: int, mentor_count: int, seed: int) -> list[MenteeCandidate]:
    rng = np.random.default_rng(seed + 1)
    found = []
    for i in range(count):
        offset = _offset(rng)
        goals = rng.choice(MODULES, size=int(rng.integers(2, 5)), replace=False)
        ranked: tuple[str, ...] = ()
        if rng.random() < 0.3:
            picks = rng.choice(mentor_count, size=min(mentor_count, int(rng.integers(1, 6))))
            ranked = tuple(dict.fromkeys(f"mentor-{j:05d}" for j in picks))
        excluded = frozenset(
            f"mentor-{j:05d}"
            for j in rng.choice(mentor_count, size=int(rng.integers(1, 3)))
            if rng.random() < 0.05
        )
        found.append(
            MenteeCandidate(
                id=f"mentee-{i:05d}",
                languages=_languages(rng),
                utc_offset_minutes=offset,
                availability=_availability(rng, offset),
                goals={str(m): int(rng.integers(2, 6)) for m in goals},
                department=_department(rng),
                manager_id=f"mentor-{rng.integers(0, mentor_count):05d}"
                if rng.random() < 0.1
                else None,
                ranked_mentors=ranked,
                excluded_mentors=excluded,
            )
        )
    return found


# ---- measurements ---------------------------------------------------------------------------


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def people(
    n: int, m: int, regime: str = "standard"
) -> tuple[list[MenteeCandidate], list[MentorCandidate]]:
    """The benchmark's profiles, or a harder regime: "plentiful" places (20 per mentor) or
    "identical" people (one mentee and one mentor profile repeated: every score ties)."""
    mentors = make_mentors(m, SEED)
    mentees = make_mentees(n, m, SEED)
    if regime == "plentiful":
        mentors = [replace(x, capacity=20, max_capacity=20 + x.load) for x in mentors]
    elif regime == "identical":
        one, other = mentees[0], replace(mentors[0], manager_id=None, capacity=3)
        mentees = [
            replace(one, id=f"mentee-{i:05d}", manager_id=None, ranked_mentors=()) for i in range(n)
        ]
        mentors = [replace(other, id=f"mentor-{j:05d}") for j in range(m)]
    return mentees, mentors


def run_engine(n: int, m: int, objective: Objective, regime: str = "standard") -> dict[str, Any]:
    mentees, mentors = people(n, m, regime)
    solves = {"max_weight": 0, "max_weight_covering": 0, "max_cardinality": 0}
    for name in solves:  # count the solver runs: one per round of the certificate loop
        solve = getattr(bmatching, name)

        def counted(*args: Any, _solve: Any = solve, _name: str = name, **kwargs: Any) -> Any:
            solves[_name] += 1
            return _solve(*args, **kwargs)

        setattr(bmatching, name, counted)
    before = peak_mib()
    started = time.perf_counter()
    result = match_cohort(mentees, mentors, MatchingPolicy(), objective)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_rss_mib": peak_mib(),
        "rss_before_run_mib": before,
        "matched": result.matched_count,
        "total_score": result.total_score,
        "mean_score": result.mean_score,
        "blocking_pairs": result.blocking_pairs,
        "solves": solves,
        "places": sum(x.capacity for x in mentors),
    }


def run_greedy(n: int, m: int) -> dict[str, Any]:
    """All eligible pairs by score, best first (ties by mentee then mentor id); a pair is taken
    when the mentee is still free and the mentor has a place left."""
    mentors = make_mentors(m, SEED)
    mentees = make_mentees(n, m, SEED)
    before = peak_mib()
    started = time.perf_counter()
    pool = MentorPool(mentors, MatchingPolicy())
    table = pool.table(pool.encode(mentees)).scores
    flat = np.flatnonzero(table.ravel() != INELIGIBLE)
    order = flat[np.argsort(-table.ravel()[flat], kind="stable")]
    del flat
    mentor_of = np.full(n, -1, dtype=np.int64)
    left = pool.capacity.copy()
    for chunk in np.array_split(order, max(1, len(order) // 100_000)):
        rows, cols = np.divmod(chunk, m)
        open_ = (mentor_of[rows] < 0) & (left[cols] > 0)
        for i, j in zip(rows[open_].tolist(), cols[open_].tolist(), strict=True):
            if mentor_of[i] < 0 and left[j] > 0:
                mentor_of[i] = j
                left[j] -= 1
    seconds = time.perf_counter() - started
    matched = np.flatnonzero(mentor_of >= 0)
    total = int(table[matched, mentor_of[matched]].sum(dtype=np.int64)) / MICRO
    return {
        "seconds": seconds,
        "peak_rss_mib": peak_mib(),
        "rss_before_run_mib": before,
        "matched": len(matched),
        "total_score": total,
        "mean_score": total / len(matched) if len(matched) else 0.0,
        "blocking_pairs": count_blocking(table, pool.capacity, mentor_of),
    }


def run_suggestions(m: int, samples: int) -> dict[str, Any]:
    mentors = make_mentors(m, SEED)
    mentees = make_mentees(samples, m, SEED)
    started = time.perf_counter()
    pool = MentorPool(mentors, MatchingPolicy())
    build = time.perf_counter() - started
    pool.suggest(mentees[0], k=5)  # first call: imports and caches warmed up
    timings = []
    for mentee in mentees:
        started = time.perf_counter()
        pool.suggest(mentee, k=5)
        timings.append(time.perf_counter() - started)
    return {
        "mentors": m,
        "samples": samples,
        "pool_build_seconds": build,
        "median_ms": statistics.median(timings) * 1000,
        "p99_ms": float(np.percentile(timings, 99)) * 1000,
        "max_ms": max(timings) * 1000,
        "peak_rss_mib": peak_mib(),
    }


def in_subprocess(*args: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, "--worker", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "| mentees x mentors | objective | engine s | engine peak MiB | matched | total | mean "
        "| blocking | greedy s | greedy matched | greedy total | greedy mean | greedy blocking "
        "| engine / greedy |",
        "|---" * 14 + "|",
    ]
    for row in results["cohort"]:
        e, g = row["engine"], row["greedy"]
        lines.append(
            f"| {row['mentees']:,} x {row['mentors']:,} | {row['objective']} "
            f"| {e['seconds']:.2f} | {e['peak_rss_mib']:.0f} | {e['matched']:,} "
            f"| {e['total_score']:,.1f} | {e['mean_score']:.2f} | {e['blocking_pairs']:,} "
            f"| {g['seconds']:.2f} | {g['matched']:,} | {g['total_score']:,.1f} "
            f"| {g['mean_score']:.2f} | {g['blocking_pairs']:,} | {row['score_ratio']:.4f} |"
        )
    if "regimes" in results:
        lines += [
            "",
            "| regime | mentees x mentors | places | objective | engine s | peak MiB | matched "
            "| total | solver runs |",
            "|---" * 9 + "|",
        ]
        for row in results["regimes"]:
            e = row["engine"]
            lines.append(
                f"| {row['regime']} | {row['mentees']:,} x {row['mentors']:,} | {e['places']:,} "
                f"| {row['objective']} | {e['seconds']:.2f} | {e['peak_rss_mib']:.0f} "
                f"| {e['matched']:,} | {e['total_score']:,.1f} | {sum(e['solves'].values())} |"
            )
    s = results["suggestions"]
    lines += [
        "",
        "| suggestions (top 5) | pool build s | median ms | p99 ms | max ms | peak MiB |",
        "|---|---|---|---|---|---|",
        f"| {s['samples']} mentees among {s['mentors']:,} mentors | {s['pool_build_seconds']:.2f} "
        f"| {s['median_ms']:.2f} | {s['p99_ms']:.2f} | {s['max_ms']:.2f} "
        f"| {s['peak_rss_mib']:.0f} |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument(
        "--regimes", action="store_true", help="also time harder regimes (places vs mentees)"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "engine":
            objective: Objective = "most_matched" if rest[2] == "most_matched" else "best_fit"
            found = run_engine(int(rest[0]), int(rest[1]), objective, *rest[3:])
        elif kind == "greedy":
            found = run_greedy(int(rest[0]), int(rest[1]))
        else:
            found = run_suggestions(int(rest[0]), int(rest[1]))
        print(json.dumps(found))
        return

    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    results: dict[str, Any] = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        "seed": SEED,
        "memory": "peak_rss_mib: ru_maxrss of a fresh subprocess per measurement (whole process)",
        "cohort": [],
    }
    for n, m in sizes:
        greedy = in_subprocess("greedy", str(n), str(m))
        for objective in OBJECTIVES:
            found = in_subprocess("engine", str(n), str(m), objective)
            results["cohort"].append(
                {
                    "mentees": n,
                    "mentors": m,
                    "objective": objective,
                    "engine": found,
                    "greedy": greedy,
                    "score_ratio": found["total_score"] / greedy["total_score"],
                }
            )
            print(f"{n} x {m} {objective}: {found['seconds']:.2f} s", file=sys.stderr)
    if args.regimes:
        results["regimes"] = [
            {
                "regime": regime,
                "mentees": n,
                "mentors": m,
                "objective": objective,
                "engine": in_subprocess("engine", str(n), str(m), objective, regime),
            }
            for regime, n, m in REGIMES
            for objective in OBJECTIVES
        ]
    results["suggestions"] = in_subprocess(
        "suggest", *(("2000", "50") if args.quick else ("10000", "200"))
    )
    out = ROOT / "bench" / "results" / ("matching-quick.json" if args.quick else "matching.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))
    print(f"\nraw results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
