"""The import contracts of ``.importlinter`` hold on the real code, and a contract of the same
kind fails on code that breaks it, naming the contract (so a green run means something)."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(*config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "250"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *(str(c) for c in config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def contracts(config: Path) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser()
    parser.read(config)
    prefix = "importlinter:contract:"
    return {
        section.removeprefix(prefix): dict(parser[section])
        for section in parser.sections()
        if section.startswith(prefix)
    }


def test_every_contract_of_the_real_configuration_is_kept() -> None:
    result = lint_imports(CONFIG, cwd=ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    names = [contract["name"] for contract in contracts(CONFIG).values()]
    # per service its domain, service layer and entry points; the services and the gateway apart
    assert len(names) == 10
    for name in names:
        assert f"{name} KEPT" in result.stdout
    assert f"Contracts: {len(names)} kept, 0 broken." in result.stdout


def write_package(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def renamed(text: str, renames: dict[str, str]) -> str:
    for real, fake in renames.items():
        text = text.replace(real, fake)
    return text


def config_for(root: Path, contract: str, renames: dict[str, str]) -> Path:
    """A copy of one real contract, applied to temporary packages named after ``renames``."""
    options = contracts(CONFIG)[contract]
    lines = [
        "[importlinter]",
        "root_packages =",
        *(f"    {package}" for package in renames.values()),
        "include_external_packages = True",
        "",
        f"[importlinter:contract:{contract}]",
    ]
    for key, value in options.items():
        indented = renamed(value, renames).replace("\n", "\n    ")
        lines.append(f"{key} = {indented}")
    path = root / "contracts.ini"
    path.write_text("\n".join(lines) + "\n")
    return path


FAKE = {"mentoring": "fake_svc"}
FAKE_SERVICE = {
    "fake_svc/__init__.py": "",
    "fake_svc/domain/__init__.py": "",
    "fake_svc/adapters/__init__.py": "",
    "fake_svc/adapters/store.py": "STORE = 'fake'\n",
    "fake_svc/service_layer/__init__.py": "",
    "fake_svc/entrypoints/__init__.py": "",
    "fake_svc/bootstrap.py": "",
}


@pytest.mark.parametrize(
    ("model", "forbidden"),
    [
        ("from fake_svc.adapters import store\n", "fake_svc.adapters"),
        ("import pymongo\n", "pymongo"),
        ("import fake_svc.service_layer\n", "fake_svc.service_layer"),
    ],
)
def test_a_domain_that_imports_an_outer_layer_or_infrastructure_breaks_its_contract(
    tmp_path: Path, model: str, forbidden: str
) -> None:
    write_package(tmp_path, {**FAKE_SERVICE, "fake_svc/domain/model.py": model})
    config = config_for(tmp_path, "mentoring-domain", FAKE)

    result = lint_imports(config, cwd=tmp_path)

    assert result.returncode != 0
    name = renamed(contracts(CONFIG)["mentoring-domain"]["name"], FAKE)
    assert f"{name} BROKEN" in result.stdout
    assert f"fake_svc.domain is not allowed to import {forbidden}" in result.stdout


def test_a_domain_that_imports_only_itself_keeps_its_contract(tmp_path: Path) -> None:
    write_package(tmp_path, {**FAKE_SERVICE, "fake_svc/domain/model.py": "import dataclasses\n"})
    config = config_for(tmp_path, "mentoring-domain", FAKE)

    result = lint_imports(config, cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_service_that_imports_another_or_the_gateway_breaks_their_independence(
    tmp_path: Path,
) -> None:
    packages = {name: f"fake_{name}" for name in ("gateway", "mentoring", "progress", "notify")}
    write_package(
        tmp_path,
        {
            "fake_gateway/__init__.py": "",
            "fake_mentoring/__init__.py": "",
            "fake_mentoring/calls.py": "import fake_gateway\n",
            "fake_progress/__init__.py": "",
            "fake_progress/rules.py": "import fake_mentoring\n",
            "fake_notify/__init__.py": "",
        },
    )
    config = config_for(tmp_path, "services-independent", packages)

    result = lint_imports(config, cwd=tmp_path)

    assert result.returncode != 0
    name = renamed(contracts(CONFIG)["services-independent"]["name"], packages)
    assert f"{name} BROKEN" in result.stdout
    assert "fake_progress is not allowed to import fake_mentoring" in result.stdout
    assert "fake_mentoring is not allowed to import fake_gateway" in result.stdout


@pytest.mark.parametrize(
    ("use_case", "forbidden"),
    [
        ("from fake_svc.adapters.store import STORE\n", "fake_svc.adapters"),
        ("from pymongo.errors import PyMongoError\n", "pymongo"),
        ("import fake_svc.bootstrap\n", "fake_svc.bootstrap"),
    ],
)
def test_a_service_layer_that_reaches_past_its_ports_breaks_its_contract(
    tmp_path: Path, use_case: str, forbidden: str
) -> None:
    write_package(
        tmp_path,
        {
            **FAKE_SERVICE,
            "fake_svc/service_layer/ports.py": "from typing import Protocol\n",
            "fake_svc/service_layer/handlers.py": use_case,
        },
    )
    config = config_for(tmp_path, "mentoring-service-layer", FAKE)

    result = lint_imports(config, cwd=tmp_path)

    assert result.returncode != 0
    name = renamed(contracts(CONFIG)["mentoring-service-layer"]["name"], FAKE)
    assert f"{name} BROKEN" in result.stdout
    assert f"fake_svc.service_layer is not allowed to import {forbidden}" in result.stdout
    assert "fake_svc.service_layer.handlers -> " in result.stdout


def test_a_service_layer_that_reaches_a_driver_through_the_runtime_breaks_its_contract(
    tmp_path: Path,
) -> None:
    renames = {"mentoring": "fake_svc", "mentorship_runtime": "fake_runtime"}
    write_package(
        tmp_path,
        {
            **FAKE_SERVICE,
            "fake_runtime/__init__.py": "",
            "fake_runtime/moments.py": "import datetime\n",
            "fake_runtime/store.py": "import pymongo\n",
            "fake_svc/service_layer/handlers.py": "from fake_runtime import moments, store\n",
        },
    )
    config = config_for(tmp_path, "mentoring-service-layer", renames)

    result = lint_imports(config, cwd=tmp_path)

    assert result.returncode != 0
    assert "fake_svc.service_layer is not allowed to import pymongo" in result.stdout
    assert "fake_runtime.store -> pymongo" in result.stdout
    assert "fake_runtime.moments" not in result.stdout
