"""mentorship_localstack.tooling: the tools are fetched once, then reused; failures say why."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import StackError
from mentorship_localstack.tooling import (
    COMPOSE_GO_VERSION,
    KUSTOMIZE_VERSION,
    compose_schema_path,
    ensure_compose_schema,
    ensure_kustomize,
    ensure_nginx,
    kustomize_path,
    nginx_directory,
    nginx_mime_types,
)


def _fake_go(directory: Path, module_dir: Path) -> Path:
    """A `go` that counts its calls, `install`s a stub kustomize into GOBIN and `mod download`s
    a module directory holding a schema."""
    directory.mkdir(parents=True, exist_ok=True)
    calls = directory / "calls"
    script = directory / "go"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{calls}"\n'
        'if [ "$1" = install ]; then printf "#!/bin/sh\\necho stub\\n" > "$GOBIN/kustomize"; '
        'chmod +x "$GOBIN/kustomize"; fi\n'
        f'if [ "$1" = mod ]; then echo \'{{"Dir": "{module_dir}"}}\'; fi\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return calls


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[StackPaths, Path]:
    monkeypatch.delenv("MENTORSHIP_KUSTOMIZE", raising=False)
    monkeypatch.delenv("MENTORSHIP_COMPOSE_SCHEMA", raising=False)
    module = tmp_path / "module"
    (module / "schema").mkdir(parents=True)
    (module / "schema" / "compose-spec.json").write_text(json.dumps({"title": "stub"}))
    calls = _fake_go(tmp_path / "bin", module)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return StackPaths(cache=tmp_path / "cache", state=tmp_path / "state"), calls


def test_kustomize_is_built_once_into_the_cache_then_reused(
    scratch: tuple[StackPaths, Path],
) -> None:
    paths, calls = scratch
    first = ensure_kustomize(paths)
    assert first == kustomize_path(paths)
    assert f"kustomize-{KUSTOMIZE_VERSION}" in str(first)
    assert os.access(first, os.X_OK)
    assert ensure_kustomize(paths) == first
    assert calls.read_text().splitlines() == [
        f"install sigs.k8s.io/kustomize/kustomize/v5@{KUSTOMIZE_VERSION}"
    ]
    assert [p.name for p in first.parent.iterdir() if p.name.startswith("gobin")] == []


def test_the_compose_schema_is_copied_from_the_module_once(
    scratch: tuple[StackPaths, Path],
) -> None:
    paths, calls = scratch
    schema = ensure_compose_schema(paths)
    assert schema == compose_schema_path(paths)
    assert json.loads(schema.read_text()) == {"title": "stub"}
    ensure_compose_schema(paths)
    assert calls.read_text().splitlines() == [
        f"mod download -json github.com/compose-spec/compose-go/v2@{COMPOSE_GO_VERSION}"
    ]


def test_a_module_without_the_schema_is_refused(
    scratch: tuple[StackPaths, Path], tmp_path: Path
) -> None:
    paths, _ = scratch
    (tmp_path / "module" / "schema" / "compose-spec.json").unlink()
    with pytest.raises(StackError, match=r"has no schema/compose-spec\.json"):
        ensure_compose_schema(paths)
    assert not compose_schema_path(paths).exists()


def test_without_go_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTORSHIP_KUSTOMIZE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    paths = StackPaths(cache=tmp_path / "cache", state=tmp_path / "state")
    with pytest.raises(StackError, match=r"`go` is not installed.*Install Go"):
        ensure_kustomize(paths)


def test_an_existing_schema_can_be_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = tmp_path / "compose-spec.json"
    schema.write_text("{}")
    monkeypatch.setenv("MENTORSHIP_COMPOSE_SCHEMA", str(schema))
    assert ensure_compose_schema() == schema
    monkeypatch.setenv("MENTORSHIP_COMPOSE_SCHEMA", str(tmp_path / "missing.json"))
    with pytest.raises(StackError, match="is not a file"):
        ensure_compose_schema()


def test_an_existing_kustomize_can_be_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = tmp_path / "kustomize"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("MENTORSHIP_KUSTOMIZE", str(binary))
    assert ensure_kustomize() == binary
    monkeypatch.setenv("MENTORSHIP_KUSTOMIZE", str(tmp_path / "missing"))
    with pytest.raises(StackError, match="not an executable"):
        ensure_kustomize()


def _fake_apt(directory: Path, *, found: bool = True) -> Path:
    """An `apt-get download` that writes a .deb per package (or finds none) and a `dpkg-deb -x`
    that unpacks each into the target: the nginx binary and its mime.types."""
    directory.mkdir(parents=True, exist_ok=True)
    calls = directory / "calls"
    (directory / "apt-get").write_text(
        "#!/bin/sh\n"
        f'echo apt-get "$@" >> "{calls}"\n'
        + (
            'shift 2; for p in "$@"; do echo "$p" > "${p}_1.0_all.deb"; done\n'
            if found
            else 'echo "E: Unable to locate package nginx" >&2; exit 100\n'
        )
    )
    (directory / "dpkg-deb").write_text(
        "#!/bin/sh\n"
        f'echo dpkg-deb "$1" "$(basename "$2")" >> "{calls}"\n'
        'mkdir -p "$3/usr/sbin" "$3/etc/nginx"\n'
        'case "$(basename "$2")" in nginx_*) printf "#!/bin/sh\\n" > "$3/usr/sbin/nginx";; '
        '*) echo types > "$3/etc/nginx/mime.types";; esac\n'
    )
    for tool in ("apt-get", "dpkg-deb"):
        (directory / tool).chmod(0o755)
    return calls


def test_nginx_is_downloaded_and_unpacked_once_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTORSHIP_NGINX", raising=False)
    calls = _fake_apt(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    paths = StackPaths(cache=tmp_path / "cache", state=tmp_path / "state")
    binary = ensure_nginx(paths)
    assert binary == nginx_directory(paths) / "usr" / "sbin" / "nginx"
    assert nginx_mime_types(binary).read_text() == "types\n"
    assert ensure_nginx(paths) == binary
    assert calls.read_text().splitlines() == [
        "apt-get download -q nginx nginx-common",
        "dpkg-deb -x nginx-common_1.0_all.deb",
        "dpkg-deb -x nginx_1.0_all.deb",
    ]
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.startswith("nginx.")] == []


def test_without_the_package_lists_the_error_says_to_update_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTORSHIP_NGINX", raising=False)
    _fake_apt(tmp_path / "bin", found=False)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    paths = StackPaths(cache=tmp_path / "cache", state=tmp_path / "state")
    with pytest.raises(StackError, match=r"Unable to locate package(.|\n)*apt-get update"):
        ensure_nginx(paths)
    assert not nginx_directory(paths).exists()


def test_an_existing_nginx_can_be_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "nginx"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("MENTORSHIP_NGINX", str(binary))
    assert ensure_nginx() == binary
    monkeypatch.setenv("MENTORSHIP_NGINX", str(tmp_path / "missing"))
    with pytest.raises(StackError, match="not an executable"):
        ensure_nginx()
