"""Running the ``mentorship`` command in-process, as a person would type it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner, Result

from mentorship_cli.main import app


@dataclass
class Cli:
    runner: CliRunner

    async def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Invoke the command in a thread: it runs its own event loop, as from a shell."""

        def invoke() -> Result:
            return self.runner.invoke(app, list(args), env=env)

        return await asyncio.to_thread(invoke)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that table cells are not cut
    for name in (
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_TOPIC_PREFIX",
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_CAFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    return Cli(CliRunner())


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
