"""``mentorship dev up|down|status|logs``: the local platform, through ``mentorship_localstack``
(the same code as ``make dev`` and ``make infra-*``)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from mentorship_cli.common import JsonOption, fail, out, print_json
from mentorship_localstack import LocalStack, StackError
from mentorship_localstack import dev as supervisor
from mentorship_localstack.processes import is_alive

SUPERVISOR_MARKER = "mentorship"
"""In the supervisor's command line, both as `make dev` and as `mentorship dev up`."""

app = typer.Typer(
    name="dev",
    help="The platform on this machine without Docker: a real Kafka broker, a MongoDB "
    "wire-protocol server, and the services, supervised (what `make dev` runs).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def _stack() -> LocalStack:
    return LocalStack()


def log_names() -> list[str]:
    return ["kafka", "mongo", *(spec.name for spec in supervisor.SERVICES)]


def running_supervisor(stack: LocalStack) -> int | None:
    """The process id of the running `make dev` of this checkout (from .stack/dev.json)."""
    try:
        recorded = json.loads((stack.paths.state / "dev.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    pid = recorded.get("supervisor") if isinstance(recorded, dict) else None
    if isinstance(pid, int) and is_alive(pid, SUPERVISOR_MARKER):
        return pid
    return None


@app.command()
def up(
    infra_only: Annotated[
        bool,
        typer.Option(
            "--infra-only",
            help="Only start (or reuse) Kafka and the MongoDB server, then return (make infra-up).",
        ),
    ] = False,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load the demo data once all are ready.")
    ] = True,
) -> None:
    """Start the local platform (make dev): Kafka and the MongoDB server (reused if running),
    then every service, supervised in the foreground, restarted if it crashes, logs prefixed
    and written to .stack/logs; then demo data and tokens to paste. Ctrl-C stops the services;
    the infrastructure keeps running. One per checkout: a second says so.
    """
    try:
        if infra_only:
            endpoints = _stack().up()
            console = out()
            console.print(f"Kafka:   {endpoints.kafka_bootstrap_servers}")
            console.print(f"MongoDB: {endpoints.mongodb_url}")
            return
        if not demo:
            os.environ["MENTORSHIP_DEV_DEMO"] = "0"
        supervisor.main()
    except StackError as exc:
        fail(str(exc))


@app.command()
def down(
    clean: Annotated[
        bool,
        typer.Option("--clean", help="Also delete their data and logs (make infra-clean)."),
    ] = False,
) -> None:
    """Stop the services of a running `make dev` / `mentorship dev up` (as Ctrl-C would), then
    Kafka and the MongoDB server (make infra-down); their data is kept unless --clean."""
    stack = _stack()
    pid = running_supervisor(stack)
    if pid is not None:
        out().print(f"stopping the services (supervisor pid {pid})")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while is_alive(pid, SUPERVISOR_MARKER) and time.monotonic() < deadline:
            time.sleep(0.2)
        if is_alive(pid, SUPERVISOR_MARKER):
            fail(f"the supervisor (pid {pid}) did not stop within 30 s; the stack is left running")
    try:
        if clean:
            stack.clean()
            out().print(f"stopped; removed {stack.paths.state}")
        else:
            stack.down()
            out().print("stopped (data kept)")
    except StackError as exc:
        fail(str(exc))


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@app.command()
def status(as_json: JsonOption = False) -> None:
    """What runs where: Kafka, the MongoDB server and each service (ready or not), with logs."""
    stack = _stack()
    report = stack.status()
    services: list[dict[str, Any]] = [
        {
            "name": spec.name,
            "url": supervisor.url_of(spec),
            "ready": _ready(supervisor.url_of(spec)),
            "log": str(stack.paths.log(spec.name)),
        }
        for spec in supervisor.SERVICES
    ]
    pid = running_supervisor(stack)
    if as_json:
        print_json({**report, "supervisor": pid, "services": services})
        return
    table = Table(title=f"local platform ({report['state_dir']})", title_justify="left")
    for column in ("part", "state", "address", "log"):
        table.add_column(column, no_wrap=column != "log")
    for part in ("kafka", "mongo"):
        info: dict[str, Any] = report[part]
        table.add_row(
            part if part == "kafka" else f"mongo ({info.get('kind', '?')})",
            "[green]running[/]" if info["running"] else "[red]stopped[/]",
            str(info.get("bootstrap") or info.get("url") or ""),
            info["log"],
        )
    for service in services:
        table.add_row(
            service["name"],
            "[green]ready[/]" if service["ready"] else "[yellow]not ready[/]",
            service["url"],
            service["log"],
        )
    console = out()
    console.print(table)
    console.print(
        f"services supervised by pid {pid} (mentorship dev down stops them)"
        if pid
        else "no make dev / mentorship dev up runs in this checkout"
    )


def _tail(path: Path, lines: int) -> list[str]:
    return path.read_text(errors="replace").splitlines()[-lines:] if lines else []


@app.command()
def logs(
    service: Annotated[
        str | None,
        typer.Argument(help="kafka, mongo or a service name; all of them when omitted."),
    ] = None,
    lines: Annotated[int, typer.Option("--lines", "-n", min=0, help="How many lines.")] = 40,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines (Ctrl-C stops).")
    ] = False,
) -> None:
    """Print the last lines of the logs in .stack/logs (one part, or all of them)."""
    stack = _stack()
    names = log_names()
    if service is not None and service not in names:
        fail(f"no log called {service!r}: choose one of {', '.join(names)}")
    chosen = [service] if service else names
    files = {name: stack.paths.log(name) for name in chosen}
    existing = {name: path for name, path in files.items() if path.exists()}
    if not existing:
        fail(f"no log yet in {stack.paths.logs}: start the platform with `mentorship dev up`")
    for name, path in existing.items():
        for line in _tail(path, lines):
            typer.echo(f"{name:>10} | {line}" if len(chosen) > 1 else line)
    if follow:
        _follow(existing, prefixed=len(chosen) > 1)


def _follow(files: dict[str, Path], *, prefixed: bool) -> None:
    handles = {}
    for name, path in files.items():
        handle = path.open(errors="replace")
        handle.seek(0, 2)
        handles[name] = handle
    try:
        while True:
            quiet = True
            for name, handle in handles.items():
                for line in handle.readlines():
                    quiet = False
                    text = line.rstrip("\n")
                    typer.echo(f"{name:>10} | {text}" if prefixed else text)
            if quiet:
                time.sleep(0.3)
    except KeyboardInterrupt:
        return
    finally:
        for handle in handles.values():
            handle.close()
