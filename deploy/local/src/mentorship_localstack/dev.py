"""``make dev``: the local infrastructure plus every service, supervised, in the foreground.

Each service runs as a child process with the stack's addresses in its environment; its output
is prefixed with its name and also written to ``.stack/logs/<service>.log``. A service that
exits is restarted after a pause that doubles while it keeps dying (from 0.5 s, at most 5 s, and
back to 0.5 s once it stayed up 10 s), so one killed over and over comes back within seconds of
the last kill; Ctrl-C stops them all. Each runs under its own name in its consumer groups
(``KAFKA_GROUP_INSTANCE_ID``: static membership), so that a restarted service takes its
partitions back at once. Once every readiness probe answers, demo data is loaded (once) and
ready-to-paste tokens are printed.

Only one ``make dev`` runs per checkout (a lock in ``.stack/dev.lock``); ``.stack/dev.json`` says
which process serves what. ``MENTORSHIP_DEV_PORT_OFFSET`` shifts every port and
``MENTORSHIP_DEV_DATABASE_PREFIX`` names the databases, so that a test can run a second platform
beside the developer's (with ``KAFKA_TOPIC_PREFIX`` and ``MENTORSHIP_STACK_DIR``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import shutil
import signal
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError

import httpx

from mentorship_localstack import demo, mailbox
from mentorship_localstack.mailbox import MAIL_PORT
from mentorship_localstack.paths import LOCAL_DEPLOY_DIR
from mentorship_localstack.processes import say
from mentorship_localstack.stack import Endpoints, LocalStack
from mentorship_runtime.auth import TokenSettings
from mentorship_runtime.settings import DEV_JWT_SECRET


@dataclass(frozen=True)
class ServiceSpec:
    """A process to supervise: a Python module (``python -m``), or ``command`` when given."""

    name: str
    module: str
    port: int
    env: dict[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    ready_path: str = "/readyz"
    page: str = "/docs"


WEB_DIR = LOCAL_DEPLOY_DIR.parents[1] / "web"
VITE = WEB_DIR / "node_modules" / "vite" / "bin" / "vite.js"


SERVICES = (
    ServiceSpec("mentoring", "mentoring.entrypoints.main", 8101),
    ServiceSpec("progress", "progress.entrypoints.main", 8102),
    ServiceSpec("notify", "notify.entrypoints.main", 8103),
    ServiceSpec(
        "gateway",
        "gateway.main",
        8100,
        env={
            "MENTORING_URL": "{mentoring}",
            "PROGRESS_URL": "{progress}",
            "NOTIFY_URL": "{notify}",
        },
        page="/graphql",
    ),
    # the web app, from Vite's development server: it proxies /graphql (HTTP and websocket) and
    # /dev to the gateway, so the browser talks to one origin
    ServiceSpec(
        "web",
        "",
        5173,
        env={"GATEWAY_URL": "{gateway}", "WEB_PORT": "{web_port}"},
        command=("node", str(VITE), str(WEB_DIR)),
        ready_path="/",
        page="/",
    ),
)


def _shifted(port: int) -> int:
    return port + int(os.environ.get("MENTORSHIP_DEV_PORT_OFFSET", "0"))


def port_of(spec: ServiceSpec) -> int:
    return _shifted(spec.port)


def url_of(spec: ServiceSpec) -> str:
    return f"http://127.0.0.1:{port_of(spec)}"


def mail_port() -> int:
    return _shifted(MAIL_PORT)


def _mail_environment() -> dict[str, str]:
    """Notify's e-mails go to the mail catcher, unless an SMTP server was chosen."""
    if "SMTP_HOST" in os.environ:
        return {}
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail_port()), "SMTP_TLS": "none"}


def _environment(spec: ServiceSpec, endpoints: Endpoints) -> dict[str, str]:
    prefix = os.environ.get("MENTORSHIP_DEV_DATABASE_PREFIX", "")
    return {
        **_mail_environment(),
        **os.environ,
        **endpoints.as_environment(),
        "SERVICE_NAME": spec.name,
        "MONGODB_DATABASE": f"{prefix}{spec.name}",
        "HTTP_PORT": str(port_of(spec)),
        "PROFILE": "dev",
        "ROLE": "all",
        # one process per service: its name is its stable name in its consumer groups
        "KAFKA_GROUP_INSTANCE_ID": spec.name,
        **{
            name: value.format(**_urls(), web_port=port_of(spec))
            for name, value in spec.env.items()
        },
    }


def command_of(spec: ServiceSpec) -> list[str]:
    return list(spec.command) if spec.command else [sys.executable, "-m", spec.module]


def runnable(specs: tuple[ServiceSpec, ...]) -> tuple[ServiceSpec, ...]:
    """The web app runs once its packages are installed (``make dev`` installs them)."""
    if VITE.exists() and shutil.which("node"):
        return specs
    say("the web app is not installed (needs Node 20 and `npm ci` in web/): not served")
    return tuple(spec for spec in specs if spec.name != "web")


def _urls() -> dict[str, str]:
    return {spec.name: url_of(spec) for spec in SERVICES}


def token_settings() -> TokenSettings:
    """The development tokens every service of ``make dev`` accepts (same variables, same
    defaults as the services' settings)."""
    return TokenSettings(
        issuer=os.environ.get("JWT_ISSUER", "mentorship-dev"),
        audience=os.environ.get("JWT_AUDIENCE", "mentorship"),
        secret=os.environ.get("JWT_SECRET", DEV_JWT_SECRET),
    )


class AlreadyRunning(RuntimeError):
    pass


@contextlib.contextmanager
def single_instance(state: Path) -> Iterator[None]:
    """Hold ``.stack/dev.lock`` while this platform runs; a second one is refused, saying so."""
    state.mkdir(parents=True, exist_ok=True)
    lock = (state / "dev.lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "another process"
        lock.close()
        msg = (
            f"make dev is already running here (pid {holder}); use that one, "
            "or stop it with Ctrl-C in its terminal"
        )
        raise AlreadyRunning(msg) from None
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    try:
        yield
    finally:
        (state / "dev.json").unlink(missing_ok=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


class Processes:
    """What serves what, kept in ``.stack/dev.json`` for people and tools."""

    def __init__(self, state: Path) -> None:
        self._file = state / "dev.json"
        self._running: dict[str, dict[str, object]] = {}

    def started(self, spec: ServiceSpec, pid: int) -> None:
        self._running[spec.name] = {"pid": pid, "url": url_of(spec), "started": time.time()}
        # written aside then renamed: a reader never sees the file half written (a restart
        # rewrites it while tools and tests read it)
        fresh = self._file.with_suffix(".json.tmp")
        fresh.write_text(json.dumps({"supervisor": os.getpid(), **self._running}, indent=2))
        fresh.replace(self._file)


async def _pump(name: str, stream: asyncio.StreamReader, log: Path) -> None:
    with log.open("ab") as sink:
        while line := await stream.readline():
            sink.write(line)
            sink.flush()
            sys.stdout.write(f"{name:>10} | {line.decode(errors='replace')}")
            sys.stdout.flush()


@dataclass
class Backoff:
    """The pause before restarting a process that exited: ``first`` after a run that lasted
    ``steady`` seconds or more (or the first time), else twice the last pause, at most ``cap``."""

    first: float = 0.5
    cap: float = 5.0
    steady: float = 10.0
    last: float = 0.0

    def after(self, ran_for: float) -> float:
        if ran_for >= self.steady or self.last == 0.0:
            self.last = self.first
        else:
            self.last = min(self.last * 2, self.cap)
        return self.last


async def supervise(
    spec: ServiceSpec,
    command: list[str],
    env: dict[str, str],
    logs: Path,
    stopping: asyncio.Event,
    processes: Processes,
    backoff: Backoff | None = None,
) -> None:
    """Run ``command`` as ``spec``'s process until ``stopping`` is set, restarting it (after
    ``backoff``) whenever it exits; then stop it (SIGTERM, SIGKILL after 15 s)."""
    backoff = backoff or Backoff()
    while not stopping.is_set():
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert process.stdout is not None
        processes.started(spec, process.pid)
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
        delay = backoff.after(time.monotonic() - started)
        say(f"{spec.name} exited with {process.returncode}; restarting in {delay:.1f}s")
        with contextlib.suppress(TimeoutError):  # Ctrl-C during the pause stops at once
            await asyncio.wait_for(stopping.wait(), delay)


def _ready(spec: ServiceSpec) -> bool:
    try:
        url = f"{url_of(spec)}{spec.ready_path}"  # always http, built here
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except (URLError, OSError):
        return False


async def _announce(specs: tuple[ServiceSpec, ...], stopping: asyncio.Event) -> bool:
    pending = {spec.name: spec for spec in specs}
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline and not stopping.is_set():
        for name, spec in list(pending.items()):
            if await asyncio.to_thread(_ready, spec):
                say(f"{name} is ready: {url_of(spec)}{spec.page}")
                del pending[name]
        await asyncio.sleep(1)
    for name in pending:
        say(f"{name} is not ready yet; see .stack/logs/{name}.log")
    return not pending


async def load_demo(
    state: Path, urls: dict[str, str] | None = None, *, mentors: int = 4, mentees: int = 24
) -> bool:
    """Demo data (once), then tokens to paste, also kept in ``.stack/demo-tokens.json``."""
    settings = token_settings()
    urls = urls or _urls()
    try:
        loaded = await demo.seed(urls, settings, mentors=mentors, mentees=mentees, say=say)
    except (demo.DemoError, httpx.HTTPError, OSError, ValueError) as exc:
        say(f"demo data could not be loaded: {exc!r}")
        return False
    if not loaded.created:
        say(f"demo data already loaded (program {loaded.program_id})")
    if not loaded.pairs:
        say("demo data has no active match yet; no tokens printed")
        return False
    pair = loaded.showcase()
    people = {
        "admin": loaded.admin,
        "mentor": loaded.user(pair.mentor_user_id),
        "mentee": loaded.user(pair.mentee_user_id),
    }
    tokens = {role: loaded.token(settings, user) for role, user in people.items()}
    (state / "demo-tokens.json").write_text(
        json.dumps(
            {
                "program_id": loaded.program_id,
                "mentee_id": pair.mentee_id,
                "urls": urls,
                "users": {role: user.user_id for role, user in people.items()},
                "tokens": tokens,
            },
            indent=2,
        )
    )
    if "web" in urls:
        say(f"The web app (sign in as any demo person): {urls['web']}/")
    say(f"GraphQL (GraphiQL in the browser): {urls['gateway']}/graphql")
    say("Tokens for 12 hours (also in .stack/demo-tokens.json); send them as")
    say("  Authorization: Bearer <token>")
    for role, user in people.items():
        say(f"  {role} ({user.name}, {user.user_id}):")
        print(f"    {tokens[role]}", flush=True)
    return True


async def run(specs: tuple[ServiceSpec, ...] = SERVICES, *, with_demo: bool = True) -> None:
    specs = runnable(specs)
    stack = LocalStack()
    with single_instance(stack.paths.state):
        endpoints = await asyncio.to_thread(stack.up)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
        stack.paths.logs.mkdir(parents=True, exist_ok=True)
        catcher = None
        if _mail_environment():
            folder = stack.paths.state / "mail"
            catcher = await mailbox.serve(folder, stack.paths.logs / "mail.log", mail_port())
            say(f"e-mails are caught, not sent: {folder} (SMTP on 127.0.0.1:{mail_port()})")
        processes = Processes(stack.paths.state)
        supervisors = [
            asyncio.create_task(
                supervise(
                    spec,
                    command_of(spec),
                    _environment(spec, endpoints),
                    stack.paths.logs,
                    stopping,
                    processes,
                )
            )
            for spec in specs
        ]
        if await _announce(specs, stopping) and with_demo:
            await load_demo(stack.paths.state, {spec.name: url_of(spec) for spec in specs})
        say(
            "Ctrl-C stops the services; Kafka and the MongoDB server keep running (make infra-down)"
        )
        try:
            await asyncio.gather(*supervisors)
        finally:
            if catcher is not None:
                catcher.close()


def main() -> None:
    try:
        asyncio.run(run(with_demo=os.environ.get("MENTORSHIP_DEV_DEMO", "1") != "0"))
    except AlreadyRunning as exc:
        say(str(exc))
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
