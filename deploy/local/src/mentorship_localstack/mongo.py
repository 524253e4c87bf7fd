"""A MongoDB wire-protocol server: ``mongod`` from PATH if there is one, else FerretDB on SQLite.

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

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import StackError, require_tool, run_step, say

FERRETDB_VERSION = "v1.24.2"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
GO_HINT = "Install Go 1.22+ (https://go.dev/dl or apt-get install golang), or put a mongod on PATH."


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
    def ferretdb_binary(self) -> Path:
        return self.paths.cache / f"ferretdb-{FERRETDB_VERSION}" / "ferretdb"


def server_kind() -> str:
    return "mongod" if shutil.which("mongod") else "ferretdb"


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


def command(layout: MongoLayout, port: int) -> list[str]:
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
    return [
        str(binary),
        "--handler=sqlite",
        f"--sqlite-url=file:{layout.data}/",
        f"--listen-addr=127.0.0.1:{port}",
        f"--state-dir={layout.data}",
        "--telemetry=disable",
        "--debug-addr=-",
        f"--log-level={os.environ.get('MENTORSHIP_FERRETDB_LOG_LEVEL', 'warn')}",
    ]


def marker() -> str:
    return "mongod" if shutil.which("mongod") else "ferretdb"


def is_ready(url: str) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=1000)
    try:
        client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return True
