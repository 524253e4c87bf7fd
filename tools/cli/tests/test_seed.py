"""``mentorship seed``: hostile options and unreachable services give one clear line and exit 1;
loading the demo data itself is tested through ``make dev`` (tests/dev)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .conftest import Cli, no_traceback


@pytest.fixture(autouse=True)
def own_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORSHIP_STACK_DIR", str(tmp_path))


@pytest.mark.parametrize(
    "option",
    ["mentoring", "billing=http://x", "mentoring=ftp://x", "=http://x", "gateway:http://x"],
)
async def test_a_malformed_url_option_is_refused(cli: Cli, option: str) -> None:
    result = await cli("seed", "--url", option)

    assert result.exit_code == 1
    assert "expected SERVICE=http(s)://" in result.output
    no_traceback(result)


async def test_out_of_range_counts_are_usage_errors(cli: Cli) -> None:
    result = await cli("seed", "--mentees", "0")

    assert result.exit_code == 2
    no_traceback(result)


async def test_unreachable_services_are_reported_not_raised(cli: Cli, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = await cli("seed", "--url", f"mentoring={closed}", "--url", f"progress={closed}")

    assert result.exit_code == 1
    assert "demo data could not be loaded" in result.output
    assert "was not loaded" in result.output
    assert not (tmp_path / "demo-tokens.json").exists()
    no_traceback(result)
