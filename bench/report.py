"""Plots and tables of docs/benchmarks.md, regenerated from the raw results in bench/results/.

    uv run python bench/report.py        # or: make bench-report

Writes one PNG per benchmark into docs/benchmarks/ and prints the markdown tables that
docs/benchmarks.md quotes (pipeline and scaling runs, alert latency). It reads only the JSON the
benchmark scripts keep, so the report can be rebuilt at any time without running anything again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
OUT = ROOT / "docs" / "benchmarks"


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def pipeline_runs() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(label, run, whole result) of every pipeline and scaling result, in a stable order."""
    found = []
    for path in sorted(RESULTS.glob("pipeline*.json")) + sorted(RESULTS.glob("scaling-*.json")):
        data = json.loads(path.read_text())
        setup = data.get("setup", {})
        server = data.get("machine", {}).get("mongodb_server", "?")
        shape = (
            f"{setup.get('workers', 1)}w x c{setup.get('concurrency', 1)}"
            f" x b{setup.get('batch_size', 1)}"  # runs before batches handled one event at a time
        )
        for run in data["runs"]:
            found.append((f"{server}\n{shape}, N={run['n']:,}", run, data))
    return found


def short(label: str) -> str:
    """A tick label: the server's backend only (FerretDB on PostgreSQL or on SQLite)."""
    server, rest = label.split("\n")
    backend = "PostgreSQL" if "postgres" in server else "SQLite" if "sqlite" in server else server
    return f"{backend}\n{rest}"


def plot_pipeline() -> str | None:
    """Events/s against N, one line per server, shape and code: the notifications (left) and
    the whole pipeline with the e-mails (right), the limit of each run in grey."""
    runs = pipeline_runs()
    if not runs:
        return None
    series: dict[str, list[tuple[int, float, float | None]]] = {}
    limits: list[tuple[int, float]] = []
    for label, run, data in runs:
        code = data["setup"].get("commit") or "before the queues"
        server, rest = short(label).split("\n")
        index = ", _id index" if "index" in label else ""
        key = f"{server}{index}, {rest.split(',')[0]}, {code}"
        emails = run["platform"].get("emails")
        whole = emails["per_second"] if emails and emails["received"] >= run["n"] else None
        series.setdefault(key, []).append((run["n"], run["platform"]["events_per_second"], whole))
        limits.append((run["n"], run["limit"]["events_per_second"]))
    fig, (stored, whole_ax) = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    for ax in (stored, whole_ax):
        ax.scatter(*zip(*limits, strict=True), color="grey", s=12, label="limit (each run)")
    palette = plt.get_cmap("tab20")
    for number, (key, points) in enumerate(sorted(series.items())):
        points.sort()
        color = palette(number % 20)
        stored.plot(
            [n for n, _, _ in points], [r for _, r, _ in points], marker="o", color=color, label=key
        )
        measured = [(n, w) for n, _, w in points if w is not None]
        if measured:
            whole_ax.plot(*zip(*measured, strict=True), marker="o", color=color)
    for ax, title in (
        (stored, "to the last notification stored"),
        (whole_ax, "whole pipeline, to the last e-mail"),
    ):
        ax.set(xscale="log", yscale="log", xlabel="N (alerts in the burst)", title=title)
    stored.set_ylabel("events/s (log scale)")
    stored.legend(fontsize=6, loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=2)
    fig.suptitle("Pipeline: check-in alerts through notify, against the limit of this stack")
    return save(fig, "pipeline.png", legend_below=True)


def plot_gateway() -> str | None:
    data = load("gateway")
    if data is None:
        return None
    fig, (rate, latency) = plt.subplots(1, 2, figsize=(11, 4))
    measures = sorted({r["measure"] for r in data["results"]})
    for measure in measures:
        rows = sorted(
            (r for r in data["results"] if r["measure"] == measure), key=lambda r: r["concurrency"]
        )
        clients = [r["concurrency"] for r in rows]
        rate.plot(clients, [r["requests_per_second"] for r in rows], marker="o", label=measure)
        latency.plot(
            clients, [r["latency"]["p99_ms"] for r in rows], marker="o", label=f"{measure} p99"
        )
    rate.set(xlabel="clients", ylabel="requests/s", title="Gateway, one worker")
    latency.set(xlabel="clients", ylabel="ms", title="p99 latency")
    rate.legend(fontsize=7)
    latency.legend(fontsize=7)
    return save(fig, "gateway.png")


def plot_matching() -> str | None:
    data = load("matching")
    if data is None:
        return None
    rows = [r for r in data["cohort"] if r["objective"] == "best_fit"]
    fig, ax = plt.subplots(figsize=(6, 4))
    sizes = [f"{r['mentees']:,} x {r['mentors']:,}" for r in rows]
    ax.plot(sizes, [r["engine"]["seconds"] for r in rows], marker="o", label="exact engine")
    ax.plot(sizes, [r["greedy"]["seconds"] for r in rows], marker="o", label="greedy baseline")
    ax.set(xlabel="mentees x mentors", ylabel="seconds", title="Whole-cohort matching")
    ax.legend(fontsize=8)
    return save(fig, "matching.png")


def plot_latency() -> str | None:
    data = load("latency")
    if data is None:
        return None
    runs = data["runs"]
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(runs)), 4))
    xs = range(len(runs))
    arrived = [r["alerts_arrived"] for r in runs]
    expected = [r["alerts_expected"] for r in runs]
    ax.bar([x - 0.2 for x in xs], expected, width=0.4, label="alerts expected")
    ax.bar([x + 0.2 for x in xs], arrived, width=0.4, label="alerts arrived")
    ax.set_xticks(list(xs), [r["run"] for r in runs], fontsize=7)
    ax.set_ylabel("alerts")
    twin = ax.twinx()
    for key, style in (("p50_ms", "o-"), ("p99_ms", "s--")):
        values = [r["alert_latency"][key] for r in runs]
        points = [(x, v / 1000) for x, v in zip(xs, values, strict=True) if v is not None]
        if points:
            twin.plot(*zip(*points, strict=True), style, color="black", label=key[:3])
    twin.set_ylabel("alert latency (s)")
    ax.set_title("Alert latency: check-in response to the mentor's subscription")
    ax.legend(fontsize=7, loc="upper left")
    if twin.get_legend_handles_labels()[0]:
        twin.legend(fontsize=7, loc="upper right")
    return save(fig, "latency.png")


def save(fig: Any, name: str, *, legend_below: bool = False) -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    if not legend_below:  # tight_layout would squeeze the axes to fit a legend below them
        fig.tight_layout()
    fig.savefig(OUT / name, dpi=110, bbox_inches="tight" if legend_below else None)
    plt.close(fig)
    return str((OUT / name).relative_to(ROOT))


def cpu_ms(per_event: dict[str, dict[str, float | None]] | None, phase: str, name: str) -> str:
    """One process's CPU ms per event over a phase, or "-" when the run did not measure it."""
    value = ((per_event or {}).get(phase) or {}).get(name)
    return "-" if value is None else f"{value:.2f}"


def pipeline_table() -> str:
    lines = [
        "| server | workers x concurrency x batch | code | N | platform events/s "
        "| with the e-mails, events/s | limit events/s | ratio "
        "| platform CPU ms/event (notify workers, to the last e-mail) "
        "| its server CPU ms/event | limit CPU ms/event | its server CPU ms/event |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, run, data in pipeline_runs():
        server, rest = label.split("\n")
        shape = rest.split(",")[0]
        code = data["setup"].get("commit") or "before the outbox queues"
        emails = run["platform"].get("emails")
        whole = (
            "not measured"
            if emails is None
            else f"{emails['per_second']:,.1f}"
            + ("" if emails["received"] >= run["n"] else f" ({emails['received']:,} sent)")
        )
        platform_cpu = run["platform"].get("cpu_ms_per_event")
        limit_cpu = run["limit"].get("cpu_ms_per_event")
        lines.append(
            f"| {server} | {shape} | {code} | {run['n']:,} "
            f"| {run['platform']['events_per_second']:,.1f} | {whole} "
            f"| {run['limit']['events_per_second']:,.0f} | {run['ratio']:.2%} "
            f"| {cpu_ms(platform_cpu, 'to_last_email', 'notify workers')} "
            f"| {cpu_ms(platform_cpu, 'to_last_email', 'mongodb')} "
            f"| {cpu_ms(limit_cpu, 'limit', 'bench')} | {cpu_ms(limit_cpu, 'limit', 'mongodb')} |"
        )
    return "\n".join(lines)


def latency_table() -> str:
    data = load("latency")
    if data is None:
        return ""
    lines = [
        "| run | achieved check-ins/s | alerts arrived / expected | p50 | p95 | p99 | max "
        "| p50 in progress / notify / gateway "
        "| CPU ms/check-in: platform (gateway, progress, notify, mentoring) / server |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f} ms"

    for r in data["runs"]:
        lat = r["alert_latency"]
        by_stage = r.get("alert_latency_by_stage") or {}
        stages = " / ".join(
            ms(by_stage[s]["p50_ms"]) for s in ("progress", "notify", "gateway") if s in by_stage
        )
        lines.append(
            f"| {r['run']} | {r['achieved_completion_rate']:.1f} "
            f"| {r['alerts_arrived']} / {r['alerts_expected']} | {ms(lat['p50_ms'])} "
            f"| {ms(lat['p95_ms'])} | {ms(lat['p99_ms'])} | {ms(lat['max_ms'])} "
            f"| {stages or 'not measured'} "
            f"| {cpu_ms({'run': r.get('cpu_ms_per_check_in')}, 'run', 'platform')} / "
            f"{cpu_ms({'run': r.get('cpu_ms_per_check_in')}, 'run', 'mongodb')} |"
        )
    return "\n".join(lines)


def main() -> None:
    for plot in (plot_pipeline, plot_gateway, plot_matching, plot_latency):
        written = plot()
        if written:
            print(f"wrote {written}")
    print("\nPipeline and scaling runs:\n")
    print(pipeline_table())
    print("\nAlert latency:\n")
    print(latency_table())


if __name__ == "__main__":
    main()
