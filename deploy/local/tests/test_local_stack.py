"""The local stack's own logic, without starting Kafka or MongoDB."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mentorship_localstack import LocalStack, StackError
from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import free_port, is_alive, require_tool, start_detached, stop


def test_a_busy_preferred_port_gives_way_to_a_free_one() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]

        chosen = free_port(taken)

    assert chosen != taken
    assert free_port(chosen) == chosen


def test_a_port_already_given_to_another_part_is_not_reused() -> None:
    first = free_port(0, taken={0})

    assert free_port(first, taken={first}) != first


def test_a_missing_tool_is_reported_in_one_clear_sentence() -> None:
    with pytest.raises(StackError) as raised:
        require_tool("no-such-tool-xyz", "run the Kafka broker", "Install a Java 17+ runtime.")

    assert str(raised.value) == (
        "`no-such-tool-xyz` is not installed: it is needed to run the Kafka broker. "
        "Install a Java 17+ runtime."
    )


def test_a_detached_process_is_seen_alive_then_stopped(tmp_path: Path) -> None:
    log = tmp_path / "sleeper.log"
    pid = start_detached(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"], log
    )

    assert is_alive(pid, "time.sleep(60)")
    assert not is_alive(pid, "kafka.Kafka"), "a process that is not ours is not taken for ours"
    stop(pid, "time.sleep(60)", timeout=5)
    assert not is_alive(pid, "time.sleep(60)")


def test_with_both_addresses_in_the_environment_nothing_is_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://mongo.example:27017/")
    stack = LocalStack(StackPaths(cache=tmp_path / "cache", state=tmp_path / "state"))

    endpoints = stack.up()

    assert endpoints.kafka_bootstrap_servers == "kafka.example:9092"
    assert endpoints.mongodb_url == "mongodb://mongo.example:27017/"
    assert not endpoints.started_here
    assert not (tmp_path / "state" / "stack.json").exists()


def test_a_stack_whose_processes_are_gone_reports_itself_stopped(tmp_path: Path) -> None:
    paths = StackPaths(cache=tmp_path / "cache", state=tmp_path / "state")
    paths.state.mkdir(parents=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    paths.state_file.write_text(
        json.dumps(
            {
                "kafka": {"pid": int(dead.stdout), "bootstrap": "127.0.0.1:1"},
                "mongo": {
                    "pid": int(dead.stdout),
                    "url": "mongodb://127.0.0.1:1/",
                    "marker": "ferretdb",
                },
            }
        )
    )
    stack = LocalStack(paths)

    assert stack.endpoints() is None
    assert stack.status()["kafka"]["running"] is False


def test_the_cli_env_command_says_when_nothing_runs(tmp_path: Path) -> None:
    env = {"MENTORSHIP_STACK_DIR": str(tmp_path / "state"), "PATH": "/usr/bin:/bin"}

    result = subprocess.run(
        [sys.executable, "-m", "mentorship_localstack", "env"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert result.returncode == 1
    assert "make infra-up" in result.stderr
