"""``mentorship dev status|logs``: the local stack as ``mentorship_localstack`` records it.

These tests point the stack at a directory of their own (``MENTORSHIP_STACK_DIR``), so they read
a stack that is not running and never touch the one the other tests use."""

from __future__ import annotations

import json
from pathlib import Path

from mentorship_localstack.dev import SERVICES

from .conftest import Cli, no_traceback


def stack_dir(tmp_path: Path, **logs: str) -> dict[str, str]:
    (tmp_path / "logs").mkdir()
    for name, text in logs.items():
        (tmp_path / "logs" / f"{name}.log").write_text(text)
    return {"MENTORSHIP_STACK_DIR": str(tmp_path)}


async def test_status_reports_a_stack_that_is_not_running(cli: Cli, tmp_path: Path) -> None:
    env = stack_dir(tmp_path)
    (tmp_path / "dev.json").write_text(json.dumps({"supervisor": 2**22 + 7}))  # long gone

    as_json = await cli("dev", "status", "--json", env=env)
    table = await cli("dev", "status", env=env)

    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert report["state_dir"] == str(tmp_path)
    assert report["kafka"]["running"] is False
    assert report["mongo"]["running"] is False
    assert report["supervisor"] is None
    assert [s["name"] for s in report["services"]] == [s.name for s in SERVICES]
    assert table.exit_code == 0
    assert "stopped" in table.output
    assert "no make dev / mentorship dev up runs in this checkout" in table.output


async def test_down_of_a_stack_that_is_not_running_stops_nothing(cli: Cli, tmp_path: Path) -> None:
    result = await cli("dev", "down", env=stack_dir(tmp_path))

    assert result.exit_code == 0, result.output
    assert "stopped (data kept)" in result.output
    assert "supervisor" not in result.output


async def test_logs_of_one_part_are_its_last_lines(cli: Cli, tmp_path: Path) -> None:
    env = stack_dir(tmp_path, notify="one\ntwo\nthree\n", kafka="started\n")

    one = await cli("dev", "logs", "notify", "-n", "2", env=env)
    every = await cli("dev", "logs", "-n", "1", env=env)

    assert one.exit_code == 0, one.output
    assert one.stdout.splitlines() == ["two", "three"]
    assert every.stdout.splitlines() == ["     kafka | started", "    notify | three"]


async def test_logs_of_an_unknown_part_name_the_known_ones(cli: Cli, tmp_path: Path) -> None:
    env = stack_dir(tmp_path)

    unknown = await cli("dev", "logs", "nginx", env=env)
    none_yet = await cli("dev", "logs", "notify", env=env)

    assert unknown.exit_code == 1
    assert "no log called 'nginx': choose one of kafka, mongo" in unknown.stderr
    assert none_yet.exit_code == 1
    assert "no log yet" in none_yet.stderr
    no_traceback(unknown)


async def test_every_command_has_help(cli: Cli) -> None:
    commands = [
        (), ("dlq",), ("dlq", "list"), ("dlq", "show"), ("dlq", "replay"), ("topics",),
        ("lag",), ("token",), ("dev",), ("dev", "up"), ("dev", "down"), ("dev", "status"),
        ("dev", "logs"),
    ]  # fmt: skip
    for command in commands:
        result = await cli(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage: mentorship" in result.stdout
