# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Bulk onboarding: a program's admins import its participants from a CSV file (docs/import.md).

The upload (the GraphQL multipart request spec) is on disk by the time the mutation runs (the
form parser spools it); the file is read record by record on a worker thread and its rows go to
mentoring's upsert by external id in chunks of ``CHUNK_ROWS``, ``CHUNKS_IN_FLIGHT`` at a time. A
row naming a manager or a preferred mentor who is not in the program yet is deferred by
mentoring and kept in a spooled file; once the whole file went through, the deferred rows are
sent again, pass after pass, while a pass resolves some (a manager defined later in the file, a
chain of them); the last pass refuses what still names no one. Re-importing a file, or importing
it again after an interruption, changes only what differs.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import IO, Annotated, Any

import strawberry
from strawberry.file_uploads import Upload

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    invalid,
    mutation_failure,
    unauthenticated,
    unavailable,
)
from gateway.participant_csv import BadRow, FileProblem, ParticipantRows, Row
from gateway.services import ServiceRejected, ServiceUnavailable, segment

CHUNK_ROWS = 250
"""Rows per call to mentoring."""
CHUNKS_IN_FLIGHT = 2
"""Calls to mentoring at once: the next chunk is read and sent while one is upserted."""
LISTED_REFUSALS = 1000
"""Refused rows listed in a report (all are counted)."""
CHUNK_TIMEOUT_SECONDS = 120.0
WHERE = Arguments(fields={"program_id": ("programId",)})


@strawberry.type(description="A row the import refused: nothing of it was written.")
class RefusedRow:
    line: int = strawberry.field(
        description="The row's first line in the file (the header is line 1)."
    )
    column: str | None = strawberry.field(
        description="The column, as the file's header spells it; null when the row as a whole "
        "is refused (not CSV, too many cells, a line too long)."
    )
    reason: str


@strawberry.type(description="What an import did, or, in a dry run, would do.")
class ImportReport:
    program_id: strawberry.ID
    dry_run: bool
    rows: int = strawberry.field(description="Rows read after the header (blank lines skipped).")
    created: int
    updated: int
    unchanged: int
    refused_count: int
    refused: list[RefusedRow] = strawberry.field(
        description=f"The refused rows in file order, the first {LISTED_REFUSALS}."
    )


ImportParticipantsResult = Annotated[
    ImportReport | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("ImportParticipantsResult"),
]


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    planned: dict[str, bool] = field(default_factory=dict)
    """Dry run: the external ids and e-mails of rows that would be written, and whether each
    is a mentor (later rows may name them)."""

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


class _Import:
    """One import: its rows go to mentoring in chunks; deferred rows wait in a spooled file."""

    def __init__(self, info: GatewayInfo, program: str, rows: ParticipantRows, dry_run: bool):
        self._info = info
        self._program = program
        self._rows = rows
        self._dry_run = dry_run
        self.tally = _Tally()
        self.read = 0

    async def run(self) -> None:
        records = iter(self._rows)

        async def from_file() -> AsyncIterator[list[Row]]:
            while chunk := await asyncio.to_thread(self._take, records):
                yield chunk

        deferred: IO[str] = _spool()
        await self._send_each(from_file(), final=False, deferred=deferred)
        while True:
            deferred.seek(0)
            waiting = sum(1 for _ in deferred)
            if not waiting:
                deferred.close()
                return
            later = _spool()
            deferred.seek(0)
            await self._send_each(_chunks(deferred), final=False, deferred=later)
            later.seek(0)
            still = sum(1 for _ in later)
            deferred.close()
            deferred = later
            if still == waiting:  # nothing resolved: the last pass refuses them
                deferred.seek(0)
                await self._send_each(_chunks(deferred), final=True, deferred=None)
                deferred.close()
                return

    async def _send_each(
        self, chunks: AsyncIterator[list[Row]], *, final: bool, deferred: IO[str] | None
    ) -> None:
        """Send the chunks, ``CHUNKS_IN_FLIGHT`` at a time; the first failure stops the rest."""
        running: set[asyncio.Task[None]] = set()
        try:
            async for chunk in chunks:
                if len(running) >= CHUNKS_IN_FLIGHT:
                    done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        task.result()
                running.add(asyncio.create_task(self._send(chunk, final=final, deferred=deferred)))
            await asyncio.gather(*running)
        finally:
            for task in running:
                task.cancel()

    def _take(self, records: Iterator[Row | BadRow]) -> list[Row]:
        """The next rows to send (refused ones are tallied on the way)."""
        chunk: list[Row] = []
        for record in records:
            self.read += 1
            if isinstance(record, BadRow):
                self.tally.refused.append(
                    RefusedRow(line=record.line, column=record.column, reason=record.reason)
                )
                continue
            chunk.append(record)
            if len(chunk) >= CHUNK_ROWS:
                break
        return chunk

    async def _send(self, chunk: list[Row], *, final: bool, deferred: IO[str] | None) -> None:
        """Upsert a chunk; deferred rows go to ``deferred`` (a final pass defers none)."""
        body: dict[str, Any] = {
            "rows": [row.values for row in chunk],
            "dry_run": self._dry_run,
            "final": final,
        }
        if self._dry_run:
            body["planned"] = {
                ref: self.tally.planned[ref]
                for row in chunk
                for ref in _references(row)
                if ref in self.tally.planned
            }
        answer = await self._info.context.services.request(
            "mentoring",
            "POST",
            f"/programs/{self._program}/participants/upserts",
            json=body,
            timeout=CHUNK_TIMEOUT_SECONDS,
        )
        for row, result in zip(chunk, answer["results"], strict=True):
            outcome = result["outcome"]
            if outcome == "deferred" and deferred is not None:
                deferred.write(json.dumps({"line": row.line, "values": row.values}) + "\n")
            elif outcome == "refused":
                column = self._rows.column_of(result.get("field"))
                self.tally.refused.append(
                    RefusedRow(line=row.line, column=column, reason=result["reason"])
                )
            else:
                self.tally.count(outcome)
                if self._dry_run:
                    mentor = "mentor" in (row.values.get("roles") or [])
                    for key in ("external_id", "email"):
                        if row.values.get(key):
                            self.tally.planned[row.values[key]] = mentor

    @property
    def dry_run(self) -> bool:
        return self._dry_run

    async def record(self) -> None:
        """Record the finished import in the program's audit trail: one record, its counts."""
        tally = self.tally
        await self._info.context.services.post(
            "mentoring",
            f"/programs/{self._program}/imports",
            {
                "source": "csv",
                "rows": self.read,
                "created": tally.created,
                "updated": tally.updated,
                "unchanged": tally.unchanged,
                "refused": len(tally.refused),
            },
        )

    def report(self) -> ImportReport:
        refused = sorted(self.tally.refused, key=lambda r: r.line)
        return ImportReport(
            program_id=strawberry.ID(self._program),
            dry_run=self._dry_run,
            rows=self.read,
            created=self.tally.created,
            updated=self.tally.updated,
            unchanged=self.tally.unchanged,
            refused_count=len(refused),
            refused=refused[:LISTED_REFUSALS],
        )


def _spool() -> IO[str]:
    """Where deferred rows wait: in memory up to a megabyte, then on disk (closed by the
    import when its passes are done)."""
    return tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+")


def _references(row: Row) -> list[str]:
    manager = row.values.get("manager")
    return [*([manager] if manager else []), *(row.values.get("preferred_mentors") or [])]


async def _chunks(lines: IO[str]) -> AsyncIterator[list[Row]]:
    chunk: list[Row] = []
    for line in lines:
        stored = json.loads(line)
        chunk.append(Row(stored["line"], stored["values"]))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _admin_check(
    info: GatewayInfo, program: str
) -> NotFound | Forbidden | ValidationError | Conflict | None:
    """None when the caller is an admin of the program, else why not (before the file is read)."""
    principal = principal_of(info)
    try:
        found = await info.context.services.get("mentoring", f"/programs/{program}")
    except ServiceRejected as exc:
        if exc.status == 401:
            raise unauthenticated("the service refused the token") from None
        if exc.status == 404:  # mentoring does not tell a missing program from one not shown
            return Forbidden(written_message=f"program {program!r} does not exist or is not yours")
        return mutation_failure(exc, WHERE)
    except ServiceUnavailable as exc:
        raise unavailable(exc) from None
    if not principal.is_admin or principal.user_id not in found.get("admin_ids", []):
        return Forbidden(
            written_message=f"only an admin of program {program!r} imports its participants"
        )
    return None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Create or update a program's participants from a CSV file (its admins; "
        "the columns are in docs/import.md), by external id: a new external id creates a "
        "participant, a changed row updates them, an unchanged row changes nothing. A manager "
        "or preferred mentor may be named by external id or e-mail, also of a row further down. "
        "A refused row changes nothing and is listed with its line, column and reason; the "
        "other rows are imported. With dryRun, says what would happen and changes nothing. "
        "Sent as a GraphQL multipart request with an `Apollo-Require-Preflight` (or "
        "`X-Apollo-Operation-Name`) header; a file the import cannot read at all is a "
        "ValidationError on file."
    )
    async def import_participants(
        self,
        info: GatewayInfo,
        program_id: strawberry.ID,
        file: Upload,
        dry_run: bool | None = False,
    ) -> ImportParticipantsResult | None:
        program = segment(str(program_id), "programId")
        refused = await _admin_check(info, program)
        if refused is not None:
            return refused
        binary = getattr(file, "file", None)
        if binary is None:
            return invalid(["file"], "a file is required")
        info.context.allow_up_to(info.context.settings.import_timeout_seconds)
        job = _Import(info, program, ParticipantRows(binary), bool(dry_run))
        try:
            await job.run()
            if not job.dry_run:
                await job.record()
        except FileProblem as exc:
            return invalid(["file"], str(exc))
        except ServiceRejected as exc:
            if exc.status == 401:
                raise unauthenticated("the service refused the token") from None
            return mutation_failure(exc, WHERE)
        except ServiceUnavailable as exc:
            raise unavailable(exc) from None
        return job.report()
