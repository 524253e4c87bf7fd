"""Starting, watching and stopping the stack's background processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


class StackError(RuntimeError):
    """The local stack cannot be started; the message says what to do."""


def say(message: str) -> None:
    """Progress for people: on stderr, so that stdout stays parseable."""
    print(f"==> {message}", file=sys.stderr, flush=True)


def require_tool(name: str, purpose: str, install_hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        msg = f"`{name}` is not installed: it is needed to {purpose}. {install_hint}"
        raise StackError(msg)
    return path


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port(preferred: int, taken: set[int] | None = None) -> int:
    """The preferred port if nobody listens there, else one the kernel picks."""
    taken = taken or set()
    if preferred not in taken and port_is_free(preferred):
        return preferred
    while True:
        port = any_free_port()
        if port not in taken:
            return port


def any_free_port() -> int:
    """A port nobody listens on now, picked by the kernel."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_detached(
    command: Sequence[str],
    log: Path,
    env: dict[str, str] | None = None,
    *,
    as_user: dict[str, Any] | None = None,
) -> int:
    """Start a process in its own session, output appended to ``log``; it outlives its parent.
    ``as_user``: Popen's ``user``/``group``/``extra_groups``, to run it as another user."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - the commands are built by this package
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
            **(as_user or {}),
        )
    return process.pid


def is_alive(pid: int | None, marker: str) -> bool:
    """Whether ``pid`` still runs and is ours (its command line contains ``marker``)."""
    if not pid:
        return False
    for _ in range(20):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return _signal_alive(pid)
        if stat.split(")", 1)[-1].split()[0] == "Z":
            return False
        if cmdline:
            return marker in cmdline
        time.sleep(0.05)  # just after exec the command line can read empty for a moment
    return False


def _signal_alive(pid: int) -> bool:
    if sys.platform.startswith("linux"):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(pid: int | None, marker: str, timeout: float = 20.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not gone within ``timeout``."""
    if not is_alive(pid, marker):
        return
    assert pid is not None
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid, marker):
            return
        time.sleep(0.2)
    _signal_group(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and is_alive(pid, marker):
        time.sleep(0.1)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    alive: Callable[[], bool],
    log: Path,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not alive():
            msg = f"{what} exited during start-up; its last lines ({log}):\n{tail(log)}"
            raise StackError(msg)
        time.sleep(0.5)
    msg = f"{what} was not ready after {timeout:.0f}s; its last lines ({log}):\n{tail(log)}"
    raise StackError(msg)


def tail(path: Path, lines: int = 20) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_step(
    command: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, what: str
) -> None:
    """Run a build or download step, its output shown to the user as progress."""
    say(what)
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - the commands are built by this package
        list(command),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=sys.stderr,
        stderr=sys.stderr,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        msg = f"{what} failed (exit {result.returncode}); see the output above"
        raise StackError(msg)
    say(f"done in {time.monotonic() - started:.0f}s")
