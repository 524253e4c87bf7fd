"""Tools the deployment checks need without Docker, fetched once into the shared cache.

* ``kustomize`` renders ``deploy/k8s``: built with ``go install`` into the cache's own GOBIN;
* the Compose specification's JSON schema validates ``compose.yaml``: taken from the Go module
  ``compose-go`` (the library Docker Compose itself validates with), fetched with
  ``go mod download``.

Both land next to the Kafka jars and FerretDB in ``~/.cache/mentorship`` and are reused by every
checkout. ``MENTORSHIP_KUSTOMIZE`` names an existing kustomize binary instead of building one,
``MENTORSHIP_COMPOSE_SCHEMA`` an existing schema file instead of fetching it.
``python -m mentorship_localstack.tooling`` fetches both and prints where they are.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import StackError, require_tool, run_step, say

KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.7.1"
COMPOSE_GO_MODULE = "github.com/compose-spec/compose-go/v2"
COMPOSE_GO_VERSION = "v2.16.2"
COMPOSE_SCHEMA_IN_MODULE = Path("schema") / "compose-spec.json"
GO_HINT = "Install Go 1.22+ (https://go.dev/dl or apt-get install golang)."


def _paths(paths: StackPaths | None) -> StackPaths:
    return paths or StackPaths.from_environment()


@contextmanager
def _cache_lock(directory: Path) -> Iterator[None]:
    """One fetch at a time per tool, across processes (concurrent test runs share the cache)."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def kustomize_path(paths: StackPaths | None = None) -> Path:
    return _paths(paths).cache / f"kustomize-{KUSTOMIZE_VERSION}" / "kustomize"


def ensure_kustomize(paths: StackPaths | None = None) -> Path:
    """The kustomize binary: ``MENTORSHIP_KUSTOMIZE``, else the cached build, else build it."""
    override = os.environ.get("MENTORSHIP_KUSTOMIZE")
    if override:
        if not os.access(override, os.X_OK):
            msg = f"MENTORSHIP_KUSTOMIZE={override} is not an executable file"
            raise StackError(msg)
        return Path(override)
    binary = kustomize_path(paths)
    if binary.exists():
        return binary
    with _cache_lock(binary.parent):
        if binary.exists():  # built by another process while we waited
            return binary
        go = require_tool("go", "build kustomize, which renders the Kubernetes manifests", GO_HINT)
        gobin = Path(tempfile.mkdtemp(prefix="gobin.", dir=binary.parent))
        try:
            run_step(
                [go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
                env={"GOBIN": str(gobin), "CGO_ENABLED": "0"},
                what=f"Building kustomize {KUSTOMIZE_VERSION} with Go (first use only, ~1 minute)",
            )
            built = gobin / "kustomize"
            if not built.exists():
                msg = f"`go install` finished but left no kustomize binary in {gobin}"
                raise StackError(msg)
            built.rename(binary)
        finally:
            shutil.rmtree(gobin, ignore_errors=True)
    return binary


def compose_schema_path(paths: StackPaths | None = None) -> Path:
    return _paths(paths).cache / f"compose-go-{COMPOSE_GO_VERSION}" / "compose-spec.json"


def ensure_compose_schema(paths: StackPaths | None = None) -> Path:
    """The Compose specification's JSON schema: ``MENTORSHIP_COMPOSE_SCHEMA``, else the cached
    copy, else the one shipped in the compose-go module."""
    override = os.environ.get("MENTORSHIP_COMPOSE_SCHEMA")
    if override:
        if not Path(override).is_file():
            msg = f"MENTORSHIP_COMPOSE_SCHEMA={override} is not a file"
            raise StackError(msg)
        return Path(override)
    target = compose_schema_path(paths)
    if target.exists():
        return target
    with _cache_lock(target.parent):
        if target.exists():
            return target
        go = require_tool("go", "fetch the Compose specification's JSON schema", GO_HINT)
        say(f"Fetching the Compose specification schema ({COMPOSE_GO_MODULE}@{COMPOSE_GO_VERSION})")
        listing = subprocess.run(  # noqa: S603 - the command is built here
            [go, "mod", "download", "-json", f"{COMPOSE_GO_MODULE}@{COMPOSE_GO_VERSION}"],
            capture_output=True,
            text=True,
            check=False,
            cwd=target.parent,
        )
        if listing.returncode != 0:
            msg = f"downloading the compose-go module failed:\n{listing.stdout}{listing.stderr}"
            raise StackError(msg)
        source = Path(json.loads(listing.stdout)["Dir"]) / COMPOSE_SCHEMA_IN_MODULE
        if not source.is_file():
            msg = f"the compose-go module has no {COMPOSE_SCHEMA_IN_MODULE} (looked in {source})"
            raise StackError(msg)
        json.loads(source.read_text())  # refuse to cache something that is not JSON
        partial = target.with_suffix(".partial")
        shutil.copyfile(source, partial)
        partial.rename(target)
    return target


def main() -> None:
    try:
        kustomize = ensure_kustomize()
        schema = ensure_compose_schema()
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"kustomize: {kustomize}")
    print(f"compose schema: {schema}")


if __name__ == "__main__":
    main()
