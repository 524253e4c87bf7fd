"""Tools the deployment checks need without Docker, fetched once into the shared cache.

* ``kustomize`` renders ``deploy/k8s``: built with ``go install`` into the cache's own GOBIN;
* the Compose specification's JSON schema validates ``compose.yaml``: taken from the Go module
  ``compose-go`` (the library Docker Compose itself validates with), fetched with
  ``go mod download``;
* ``nginx`` checks and runs the web image's server configuration: Debian's ``nginx`` and
  ``nginx-common`` packages, fetched with ``apt-get download`` and unpacked with ``dpkg-deb``
  (nothing is installed, no service is started).

Both land next to the Kafka jars and FerretDB in ``~/.cache/mentorship`` and are reused by every
checkout. ``MENTORSHIP_KUSTOMIZE`` names an existing kustomize binary instead of building one,
``MENTORSHIP_COMPOSE_SCHEMA`` an existing schema file instead of fetching it, ``MENTORSHIP_NGINX``
an nginx binary (its ``mime.types`` beside it or in ``/etc/nginx``).
``python -m mentorship_localstack.tooling`` fetches them and prints where they are.
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
NGINX_PACKAGES = ("nginx", "nginx-common")
APT_HINT = "On Debian: run `apt-get update` once, then this again (or set MENTORSHIP_NGINX)."


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


def nginx_directory(paths: StackPaths | None = None) -> Path:
    return _paths(paths).cache / "nginx-debian"


def ensure_nginx(paths: StackPaths | None = None) -> Path:
    """An nginx binary: ``MENTORSHIP_NGINX``, else the one unpacked in the cache, else Debian's
    packages downloaded and unpacked there. Its ``mime.types`` is ``nginx_mime_types(binary)``."""
    override = os.environ.get("MENTORSHIP_NGINX")
    if override:
        if not os.access(override, os.X_OK):
            msg = f"MENTORSHIP_NGINX={override} is not an executable file"
            raise StackError(msg)
        return Path(override)
    root = nginx_directory(paths)
    binary = root / "usr" / "sbin" / "nginx"
    if binary.exists():
        return binary
    with _cache_lock(root.parent / "nginx-debian.lock.d"):
        if binary.exists():
            return binary
        apt_get = require_tool("apt-get", "download Debian's nginx package", APT_HINT)
        dpkg_deb = require_tool("dpkg-deb", "unpack Debian's nginx package", APT_HINT)
        work = Path(tempfile.mkdtemp(prefix="nginx.", dir=root.parent))
        try:
            say("Downloading Debian's nginx packages (first use only)")
            download = subprocess.run(  # noqa: S603 - the command is built here
                [apt_get, "download", "-q", *NGINX_PACKAGES],
                capture_output=True,
                text=True,
                check=False,
                cwd=work,
            )
            debs = sorted(work.glob("*.deb"))
            if download.returncode != 0 or len(debs) != len(NGINX_PACKAGES):
                msg = f"apt-get download {' '.join(NGINX_PACKAGES)} failed: {download.stderr}"
                raise StackError(f"{msg}\n{APT_HINT}")
            unpacked = work / "root"
            for deb in debs:
                run_step([dpkg_deb, "-x", str(deb), str(unpacked)], what=f"Unpacking {deb.name}")
            if not (unpacked / "usr" / "sbin" / "nginx").exists():
                msg = f"the packages {', '.join(d.name for d in debs)} hold no usr/sbin/nginx"
                raise StackError(msg)
            unpacked.rename(root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return binary


def nginx_mime_types(binary: Path) -> Path:
    """The ``mime.types`` that goes with an nginx binary (unpacked beside it, or the system's)."""
    unpacked = binary.parents[2] / "etc" / "nginx" / "mime.types"
    return unpacked if unpacked.is_file() else Path("/etc/nginx/mime.types")


def main() -> None:
    try:
        kustomize = ensure_kustomize()
        schema = ensure_compose_schema()
        nginx = ensure_nginx()
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"kustomize: {kustomize}")
    print(f"compose schema: {schema}")
    print(f"nginx: {nginx}")


if __name__ == "__main__":
    main()
