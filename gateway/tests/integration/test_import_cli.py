"""``mentorship import participants`` against a running gateway, as a person types it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from mentorship_cli.main import app

from .conftest import ADMIN, CREATE_PROGRAM, Platform

FILE = (
    "external_id,email,name,role,manager\n"
    "w1,worker@example.org,Wes,mentee,boss\n"
    "boss,boss@example.org,Bea,mentor,\n"
    "bad,bad@example.org,=1+1,mentee,\n"
)


async def cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), env={"COLUMNS": "200"})


def printed_report(stdout: str) -> dict[str, Any]:
    """The report the CLI printed as JSON. The services run in this process, and CliRunner
    catches everything written to stdout while the command runs, so a service's log line (a JSON
    object of its own, a consumer group joining) may come before or after it."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(stdout):
        if stdout[at].isspace():
            at += 1
            continue
        value, at = decoder.raw_decode(stdout, at)
        found.append(value)
    reports = [v for v in found if isinstance(v, dict) and "created" in v]
    assert len(reports) == 1, stdout
    return reports[0]


async def test_the_cli_imports_a_file_and_prints_the_report(
    platform: Platform, tmp_path: Path
) -> None:
    created = (await platform.ok(*ADMIN, CREATE_PROGRAM, name="CLI"))["createProgram"]
    program = created["id"]
    file = tmp_path / "people.csv"
    file.write_text(FILE)
    common = ["--program", program, "--url", f"{platform.url}/graphql"]
    token = ["--token", platform.token(ADMIN[0], *ADMIN[1])]

    dry = await cli("import", "participants", str(file), *common, *token, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 rows: 2 would be created, 0 updated, 0 unchanged, 1 refused" in dry.output

    done = await cli("import", "participants", str(file), *common, *token, "--json")
    assert done.exit_code == 0, done.output
    report = printed_report(done.stdout)
    assert (report["created"], report["refusedCount"]) == (2, 1)
    assert report["refused"] == [
        {
            "line": 4,
            "column": "name",
            "reason": "starts with '=': a spreadsheet would run it as a formula "
            "(remove that character)",
        }
    ]

    again = await cli("import", "participants", str(file), *common, *token)
    assert again.exit_code == 0, again.output
    assert "0 were created, 0 updated, 2 unchanged, 1 refused" in again.output
    assert "formula" in again.output

    anonymous = await cli("import", "participants", str(file), *common)
    assert anonymous.exit_code == 1
    assert "token is required" in anonymous.output
    refused = await cli("import", "participants", str(file), *common, "--token", "nonsense")
    assert refused.exit_code == 1
    assert "invalid token" in refused.output
