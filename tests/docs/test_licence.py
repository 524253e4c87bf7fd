"""The repository is open source under the Apache License 2.0: the licence text is at its root and
every package (the Python workspace's members and the web app) declares it in its metadata."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def workspace_manifests() -> list[Path]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members = root["tool"]["uv"]["workspace"]["members"]
    found = [ROOT / "pyproject.toml"]
    for pattern in members:
        found += sorted(p / "pyproject.toml" for p in ROOT.glob(pattern) if p.is_dir())
    return found


def test_the_licence_text_is_the_apache_license_2_0() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text.splitlines()[1]
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_every_package_declares_the_licence() -> None:
    manifests = workspace_manifests()
    assert len(manifests) >= 9, manifests  # the root, the libraries, the services, gateway, tools
    undeclared = [
        str(path.relative_to(ROOT))
        for path in manifests
        if tomllib.loads(path.read_text())["project"].get("license") != "Apache-2.0"
    ]
    assert undeclared == []
    web = json.loads((ROOT / "web" / "package.json").read_text())
    assert web["license"] == "Apache-2.0"
