"""PostgreSQL, the storage under the local FerretDB: Debian's server, a cluster of the stack's own.

The cluster lives in ``<state>/postgresql`` and keeps PostgreSQL's default durability (``fsync``,
``synchronous_commit`` and ``full_page_writes`` on: an acknowledged write survives a crash of the
machine). PostgreSQL refuses to run as root, so as root the cluster runs as the ``postgres`` user
that Debian's package creates. When the server is missing and this process may install packages
(root, with apt-get), it installs Debian's ``postgresql`` package, without the cluster the package
would otherwise create and start.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mentorship_localstack.processes import StackError, run_step, say

INSTALL_HINT = (
    "PostgreSQL's server is not installed: install Debian's package (`sudo apt-get install "
    "postgresql`), or set MENTORSHIP_MONGO_BACKEND=sqlite to use FerretDB on SQLite (which can "
    "lose concurrent updates)."
)
SETUP_SQL = Path(__file__).with_name("ferretdb_postgresql.sql")
DATABASE = "ferretdb"
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    # FerretDB keeps a pool of its own; an update holds one connection for its read and takes a
    # second for its write, so the pool and the server must allow many more than the clients.
    "max_connections": "600",
    "shared_buffers": "256MB",
    # FerretDB's statements name the field as a parameter: a plan made for the actual value is
    # what lets the expression indexes serve them.
    "plan_cache_mode": "force_custom_plan",
    # a refused stale write is routine (retried by the platform): keep it out of the log
    "log_min_messages": "log",
    "log_min_error_statement": "panic",
}
POOL_MAX_CONNECTIONS = 500


def server_bin() -> Path | None:
    """The newest Debian PostgreSQL server's bin directory, or one on PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


def ensure_server() -> Path:
    found = server_bin()
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise StackError(INSTALL_HINT)
    # Debian's package would create and start a cluster of its own (`main`): not wanted here.
    config = Path("/etc/postgresql-common/createcluster.conf")
    if not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("create_main_cluster = false\n")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"]
    try:
        run_step(install, env=env, what="Installing PostgreSQL's server (Debian's package)")
    except StackError:
        run_step(["apt-get", "update", "-q"], env=env, what="Updating Debian's package lists")
        run_step(install, env=env, what="Installing PostgreSQL's server (Debian's package)")
    found = server_bin()
    if found is None:
        raise StackError(INSTALL_HINT)
    return found


def owner() -> dict[str, Any]:
    """How to run the server's programs: as ourselves, or as ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        msg = "PostgreSQL refuses to run as root and there is no `postgres` user: " + INSTALL_HINT
        raise StackError(msg) from exc
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def _reachable_by_others(path: Path) -> bool:
    """Whether every directory above ``path`` lets another user through."""
    for parent in path.resolve().parents:
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
            return False  # (a directory still to be made is made searchable: umask 022)
    return True


@dataclass(frozen=True)
class PostgresLayout:
    """Where a cluster lives: ``<state>/postgresql``, unless the server's user cannot reach it."""

    wanted: Path
    log: Path

    @property
    def root(self) -> Path:
        if os.geteuid() != 0 or _reachable_by_others(self.wanted):
            return self.wanted
        digest = hashlib.sha256(str(self.wanted.resolve()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"mentorship-postgresql-{digest}"

    @property
    def data(self) -> Path:
        return self.root / "data"


def marker(layout: PostgresLayout) -> str:
    """What the server's command line contains: its data directory."""
    return str(layout.data)


def _run(command: list[str], what: str, *, script: str | None = None, **owner: Any) -> str:
    """Run a server program (``script`` on its standard input); its output, or a StackError."""
    result = subprocess.run(  # noqa: S603 - the commands are built here
        command, input=script, capture_output=True, text=True, check=False, **owner
    )
    if result.returncode != 0:
        msg = f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
        raise StackError(msg)
    return str(result.stdout)


def prepare(layout: PostgresLayout) -> list[str]:
    """Create the cluster if it does not exist; returns the command that serves it."""
    bindir = ensure_server()
    user = owner()
    root = layout.root
    if root != layout.wanted:
        say(f"PostgreSQL's user cannot reach {layout.wanted}: its cluster lives in {root}")
    root.mkdir(parents=True, exist_ok=True)
    if user:
        shutil.chown(root, "postgres", "postgres")
    if not (layout.data / "PG_VERSION").exists():
        shutil.rmtree(layout.data, ignore_errors=True)
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(layout.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ],
            "initdb",
            **user,
        )
    return [str(bindir / "postgres"), "-D", str(layout.data)]


def server_arguments(port: int) -> list[str]:
    settings = {**SERVER_SETTINGS, "port": str(port)}
    return [part for key, value in settings.items() for part in ("-c", f"{key}={value}")]


def is_ready(port: int) -> bool:
    bindir = server_bin()
    if bindir is None:
        return False
    result = subprocess.run(  # noqa: S603 - the command is built here
        [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _psql(port: int) -> list[str]:
    """psql, quiet, connected to the cluster on ``port`` as its superuser."""
    bindir = ensure_server()
    return [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q"]


def set_up_database(port: int) -> None:
    """Create FerretDB's database if missing and apply the guard and index triggers to it."""
    psql = _psql(port)
    exists = _run(
        [*psql, "-tA", "-c", "select 1 from pg_database where datname = 'ferretdb'"],
        "looking for FerretDB's database",
    )
    if exists.strip() != "1":
        _run([*psql, "-c", f"create database {DATABASE}"], "creating FerretDB's database")
    _run(
        [
            *psql,
            "-d",
            DATABASE,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "set client_min_messages = warning",
            "-f",
            str(SETUP_SQL),
        ],
        "setting up FerretDB's database",
    )


def url(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}?pool_max_conns={POOL_MAX_CONNECTIONS}"


def analyze(port: int, schema: str) -> None:
    """Refresh the planner's statistics of every table of one FerretDB database (a schema of
    FerretDB's PostgreSQL database), as autovacuum would do some time after a bulk write."""
    script = (
        "SELECT format('ANALYZE %I.%I', schemaname, tablename) FROM pg_tables "
        "WHERE schemaname = :'schema' \\gexec\n"
    )
    _run(
        [*_psql(port), "-d", DATABASE, "-v", "ON_ERROR_STOP=1", "-v", f"schema={schema}"],
        f"analyzing {schema}",
        script=script,
    )
