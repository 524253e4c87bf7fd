"""Fixtures of the deployment checks: the tools (fetched once into ~/.cache/mentorship with Go)
and each overlay rendered once per session."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mentorship_localstack.tooling import ensure_compose_schema, ensure_kustomize

from .checks import OVERLAYS, REPO, Resource, render


@pytest.fixture(scope="session")
def kustomize() -> Path:
    return ensure_kustomize()


@pytest.fixture(scope="session")
def compose_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(ensure_compose_schema().read_text())
    return schema


@pytest.fixture(scope="session")
def rendered(kustomize: Path) -> dict[str, list[Resource]]:
    return {
        overlay: render(kustomize, REPO / "deploy/k8s/overlays" / overlay) for overlay in OVERLAYS
    }


@pytest.fixture
def k8s_copy(tmp_path: Path) -> Path:
    """A scratch copy of deploy/k8s, for tests that break it on purpose."""
    copy = tmp_path / "k8s"
    shutil.copytree(REPO / "deploy" / "k8s", copy)
    return copy


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` (which must be there) in a scratch copy."""
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, count))
