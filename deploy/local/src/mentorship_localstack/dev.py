"""``make dev``: the local infrastructure plus every service, supervised, in the foreground.

Each service runs as a child process with the stack's addresses in its environment; its output
is prefixed with its name and also written to ``.stack/logs/<service>.log``. A service that
exits is restarted (with a growing delay); Ctrl-C stops them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError

from mentorship_localstack.processes import say
from mentorship_localstack.stack import Endpoints, LocalStack


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str
    port: int
    env: dict[str, str] = field(default_factory=dict)


SERVICES = (
    ServiceSpec("mentoring", "mentoring.entrypoints.main", 8101),
    ServiceSpec("progress", "progress.entrypoints.main", 8102),
    ServiceSpec("notify", "notify.entrypoints.main", 8103),
)


def _environment(spec: ServiceSpec, endpoints: Endpoints) -> dict[str, str]:
    return {
        **os.environ,
        **endpoints.as_environment(),
        "SERVICE_NAME": spec.name,
        "MONGODB_DATABASE": spec.name,
        "HTTP_PORT": str(spec.port),
        "PROFILE": "dev",
        "ROLE": "all",
        **spec.env,
    }


async def _pump(name: str, stream: asyncio.StreamReader, log: Path) -> None:
    with log.open("ab") as sink:
        while line := await stream.readline():
            sink.write(line)
            sink.flush()
            sys.stdout.write(f"{name:>10} | {line.decode(errors='replace')}")
            sys.stdout.flush()


async def _supervise(
    spec: ServiceSpec, endpoints: Endpoints, logs: Path, stopping: asyncio.Event
) -> None:
    delay = 1.0
    while not stopping.is_set():
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            spec.module,
            env=_environment(spec, endpoints),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        pump = asyncio.create_task(_pump(spec.name, process.stdout, logs / f"{spec.name}.log"))
        waiter = asyncio.create_task(process.wait())
        stop = asyncio.create_task(stopping.wait())
        await asyncio.wait({waiter, stop}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.is_set():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
            await pump
            return
        stop.cancel()
        await pump
        delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 30.0)
        say(f"{spec.name} exited with {process.returncode}; restarting in {delay:.0f}s")
        await asyncio.sleep(delay)


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
            return bool(answer.status == 200)
    except (URLError, OSError):
        return False


async def _announce(specs: tuple[ServiceSpec, ...], stopping: asyncio.Event) -> None:
    pending = {spec.name: spec for spec in specs}
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline and not stopping.is_set():
        for name, spec in list(pending.items()):
            if await asyncio.to_thread(_ready, spec.port):
                say(f"{name} is ready: http://127.0.0.1:{spec.port}/docs")
                del pending[name]
        await asyncio.sleep(1)
    for name in pending:
        say(f"{name} is not ready yet; see .stack/logs/{name}.log")


async def run(specs: tuple[ServiceSpec, ...] = SERVICES) -> None:
    stack = LocalStack()
    endpoints = await asyncio.to_thread(stack.up)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    stack.paths.logs.mkdir(parents=True, exist_ok=True)
    supervisors = [
        asyncio.create_task(_supervise(spec, endpoints, stack.paths.logs, stopping))
        for spec in specs
    ]
    await _announce(specs, stopping)
    say("Ctrl-C stops the services; Kafka and the MongoDB server keep running (make infra-down)")
    await asyncio.gather(*supervisors)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
