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
    kustomize_path,
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
