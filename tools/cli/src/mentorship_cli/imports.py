"""``mentorship import participants``: a CSV file into a program, through the GraphQL gateway.

The file goes as one GraphQL multipart request (``importParticipants``), read from disk as it is
sent: the progress bar follows the bytes sent, then the gateway imports the rows and answers
with the report, printed as a summary and the refused rows (all of them with ``--json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from mentorship_cli.common import JsonOption, err, fail, out, print_json

app = typer.Typer(name="import", help="Bulk imports through the GraphQL gateway.")

DEFAULT_URL = "http://127.0.0.1:8100/graphql"
IMPORT = """
mutation($program: ID!, $file: Upload!, $dryRun: Boolean) {
  importParticipants(programId: $program, file: $file, dryRun: $dryRun) {
    __typename
    ... on ImportReport {
      programId dryRun rows created updated unchanged refusedCount
      refused { line column reason }
    }
    ... on ValidationError { message problems { path message } }
    ... on MutationError { message }
  }
}"""
SHOWN_REFUSALS = 50


class _Counted:
    """A binary file whose reads advance a progress bar (httpx reads it in blocks); once it is
    read to its end, a second line says the server is importing."""

    def __init__(self, file: IO[bytes], progress: Progress, task: Any) -> None:
        self._file = file
        self._progress = progress
        self._task = task
        self._done = False

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._progress.advance(self._task, len(data))
        if not data and not self._done:
            self._done = True
            self._progress.add_task("importing on the server", total=None)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()


def send(
    file: Path, program: str, *, dry_run: bool, url: str, token: str, quiet: bool
) -> dict[str, Any]:
    """The gateway's answer to the import, as JSON (a CLI error when there is none)."""
    operations = {
        "query": IMPORT,
        "variables": {"program": program, "file": None, "dryRun": dry_run},
    }
    headers = {"Authorization": f"Bearer {token}", "Apollo-Require-Preflight": "true"}
    size = file.stat().st_size
    with (
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=err(),
            disable=quiet,
        ) as progress,
        file.open("rb") as handle,
    ):
        sending = progress.add_task(f"sending {file.name}", total=size)
        counted = _Counted(handle, progress, sending)
        try:
            with httpx.Client(timeout=httpx.Timeout(1800, connect=10)) as client:
                response = client.post(
                    url,
                    data={
                        "operations": json.dumps(operations),
                        "map": json.dumps({"0": ["variables.file"]}),
                    },
                    files={"0": (file.name, counted, "text/csv")},  # type: ignore[dict-item]
                    headers=headers,
                )
        except httpx.HTTPError as exc:
            fail(f"the gateway at {url} did not answer: {exc}")
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        fail(f"the gateway answered {response.status_code} without JSON")
    if body.get("errors"):
        fail("; ".join(str(e.get("message")) for e in body["errors"]))
    if response.status_code != 200 or not body.get("data"):
        fail(f"the gateway answered {response.status_code}")
    answer: dict[str, Any] = body["data"]["importParticipants"]
    if answer["__typename"] != "ImportReport":
        problems = answer.get("problems") or []
        fail(
            "; ".join(f"{'.'.join(p['path'])}: {p['message']}" for p in problems)
            or answer["message"]
        )
    return answer


@app.command("participants")
def participants(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV file."),
    ],
    program: Annotated[str, typer.Option("--program", help="The program's id (pg_...).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would happen; change nothing.")
    ] = False,
    url: Annotated[
        str,
        typer.Option(
            "--url", envvar="MENTORSHIP_GATEWAY_URL", show_envvar=True, help="The GraphQL URL."
        ),
    ] = DEFAULT_URL,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="MENTORSHIP_TOKEN",
            show_envvar=True,
            help="A bearer token of an admin of the program (`mentorship token`).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create or update a program's participants from a CSV file (columns: docs/import.md),
    by external id: re-importing a file changes only what differs. Prints the report: rows
    created, updated, unchanged, and each refused row with its line, column and reason."""
    if not token:
        fail("a token is required: --token or MENTORSHIP_TOKEN (an admin of the program)")
    report = send(file, program, dry_run=dry_run, url=url, token=token, quiet=as_json)
    if as_json:
        print_json(report)
        return
    console = out()
    verb = "would be" if report["dryRun"] else "were"
    console.print(
        f"{report['rows']} rows: {report['created']} {verb} created, {report['updated']} "
        f"updated, {report['unchanged']} unchanged, {report['refusedCount']} refused"
    )
    if not report["refused"]:
        return
    table = Table(title="refused rows (nothing of them was written)", title_justify="left")
    table.add_column("line", justify="right")
    table.add_column("column")
    table.add_column("reason")
    for row in report["refused"][:SHOWN_REFUSALS]:
        table.add_row(str(row["line"]), row["column"] or "(row)", row["reason"])
    console.print(table)
    if report["refusedCount"] > SHOWN_REFUSALS:
        console.print(f"... and {report['refusedCount'] - SHOWN_REFUSALS} more (--json lists them)")
