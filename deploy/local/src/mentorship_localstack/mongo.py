"""A MongoDB wire-protocol server: ``mongod`` from PATH if there is one, else FerretDB 1.24.2.

FerretDB stores its collections in a PostgreSQL cluster of the stack's own (``postgresql.py``),
whose triggers refuse stale writes and give FerretDB's equality filters indexes they can use.
``MENTORSHIP_MONGO_BACKEND=sqlite`` runs FerretDB on SQLite instead: no such guard exists there,
so concurrent updates of one document can be lost, and every query reads its whole table.

FerretDB 1.24.2 is built from its Go module. Installed with ``go install …@v1.24.2`` it panics at
start-up, because the module sources lack the generated ``build/version/version.txt``. So the build
copies the module the Go toolchain downloaded, writes that file, and builds ``cmd/ferretdb``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from mentorship_localstack import postgresql
from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import (
    StackError,
    free_port,
    is_alive,
    require_tool,
    run_step,
    say,
    start_detached,
    stop,
    wait_until,
)

FERRETDB_VERSION = "v1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
GO_HINT = "Install Go 1.22+ (https://go.dev/dl or apt-get install golang), or put a mongod on PATH."
BACKEND_VARIABLE = "MENTORSHIP_MONGO_BACKEND"
BACKENDS = ("postgresql", "sqlite")
DEFAULT_POSTGRESQL_PORT = 25432


@dataclass(frozen=True)
class MongoLayout:
    paths: StackPaths

    @property
    def data(self) -> Path:
        return self.paths.state / "mongo" / "data"

    @property
    def log(self) -> Path:
        return self.paths.log("mongo")

    @property
    def ferretdb_state(self) -> Path:
        return self.paths.state / "mongo" / "ferretdb"

    @property
    def ferretdb_binary(self) -> Path:
        return self.paths.cache / f"ferretdb-{FERRETDB_VERSION}" / "ferretdb"

    @property
    def postgresql(self) -> postgresql.PostgresLayout:
        return postgresql.PostgresLayout(
            self.paths.state / "postgresql", self.paths.log("postgresql")
        )


def backend() -> str:
    """What FerretDB stores its data in (``MENTORSHIP_MONGO_BACKEND``): postgresql or sqlite."""
    chosen = os.environ.get(BACKEND_VARIABLE) or "postgresql"
    if chosen not in BACKENDS:
        msg = f"{BACKEND_VARIABLE} must be one of {', '.join(BACKENDS)}, not {chosen!r}"
        raise StackError(msg)
    return chosen


def server_kind() -> str:
    return "mongod" if shutil.which("mongod") else f"ferretdb ({backend()})"


def ensure_ferretdb(layout: MongoLayout) -> Path:
    binary = layout.ferretdb_binary
    if binary.exists():
        return binary
    go = require_tool("go", "build FerretDB, the MongoDB-compatible server", GO_HINT)
    say(f"Fetching the FerretDB {FERRETDB_VERSION} module")
    listing = subprocess.run(  # noqa: S603
        [go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        msg = f"downloading the FerretDB module failed:\n{listing.stdout}{listing.stderr}"
        raise StackError(msg)
    module_dir = Path(json.loads(listing.stdout)["Dir"])
    source = binary.parent / "src"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(module_dir, source)
    for path in [source, *source.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)
    (source / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
    partial = binary.with_suffix(".partial")
    run_step(
        [go, "build", "-v", "-trimpath", "-o", str(partial), "./cmd/ferretdb"],
        cwd=source,
        env={"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"},
        what=f"Building FerretDB {FERRETDB_VERSION} with Go (first start only, a few minutes)",
    )
    partial.rename(binary)
    shutil.rmtree(source, ignore_errors=True)
    return binary


def command(layout: MongoLayout, port: int, postgresql_port: int | None = None) -> list[str]:
    """The server's command line; FerretDB on PostgreSQL needs the cluster's port."""
    layout.data.mkdir(parents=True, exist_ok=True)
    mongod = shutil.which("mongod")
    if mongod:
        return [
            mongod,
            "--dbpath",
            str(layout.data),
            "--port",
            str(port),
            "--bind_ip",
            "127.0.0.1",
        ]
    binary = ensure_ferretdb(layout)
    if postgresql_port is None:
        storage = ["--handler=sqlite", f"--sqlite-url=file:{layout.data}/"]
        state = layout.data
    else:
        storage = ["--handler=pg", f"--postgresql-url={postgresql.url(postgresql_port)}"]
        state = layout.ferretdb_state
        state.mkdir(parents=True, exist_ok=True)
    return [
        str(binary),
        *storage,
        f"--listen-addr=127.0.0.1:{port}",
        f"--state-dir={state}",
        "--telemetry=disable",
        "--debug-addr=-",
        # FerretDB logs every failed statement at ERROR with the document it carried: a refused
        # stale write is routine here, and a document holds personal data. ERROR+1 keeps
        # FerretDB's own failures (DPANIC, PANIC, FATAL).
        f"--log-level={os.environ.get('MENTORSHIP_FERRETDB_LOG_LEVEL', 'ERROR+1')}",
    ]


def marker() -> str:
    return "mongod" if shutil.which("mongod") else "ferretdb"


def start_storage(
    layout: MongoLayout, previous: dict[str, Any], *, preferred_port: int, timeout: float
) -> dict[str, Any] | None:
    """Start the PostgreSQL cluster FerretDB needs (reused if it runs); None when FerretDB runs
    on SQLite or a mongod serves. Returns its state: pid, port, marker."""
    if shutil.which("mongod") or backend() != "postgresql":
        return None
    pg = layout.postgresql
    if previous and is_alive(previous.get("pid"), previous.get("marker", "-")):
        return previous
    command = postgresql.prepare(pg)
    port = free_port(int(previous.get("port") or preferred_port))
    say(f"Starting PostgreSQL on 127.0.0.1:{port} for FerretDB (log: {pg.log})")
    pid = start_detached(
        [*command, *postgresql.server_arguments(port)], pg.log, as_user=postgresql.owner()
    )
    marker = postgresql.marker(pg)
    wait_until(
        lambda: postgresql.is_ready(port),
        timeout=timeout,
        what="PostgreSQL",
        alive=lambda: is_alive(pid, marker),
        log=pg.log,
    )
    postgresql.set_up_database(port)
    return {"pid": pid, "port": port, "marker": marker}


def storage_running(storage: dict[str, Any] | None) -> bool:
    return storage is None or is_alive(storage.get("pid"), storage.get("marker", "-"))


def stop_storage(storage: dict[str, Any] | None) -> None:
    if storage:
        stop(storage.get("pid"), storage.get("marker", "-"), timeout=60)


def is_ready(url: str) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=1000)
    try:
        client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return True
