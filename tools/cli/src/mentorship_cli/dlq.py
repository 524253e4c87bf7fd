"""``mentorship dlq list|show|replay``: events consumers could not handle, and their way back."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.json import JSON
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from mentorship_cli.common import (
    BootstrapOption,
    JsonOption,
    PrefixOption,
    err,
    fail,
    kafka_from,
    out,
    print_json,
    run,
)
from mentorship_cli.dead_letters import (
    DeadLetter,
    ReplayReport,
    get_dead_letter,
    read_dead_letters,
    replay,
)

app = typer.Typer(
    name="dlq",
    help=(
        "Dead letters: events a consumer group could not handle after its retries, parked on "
        "`<topic>.dlq.<group>` with the error. List them, look at one, and replay them to their "
        "original topic once the cause is fixed."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

LISTED = 20

TypeOption = Annotated[
    str | None,
    typer.Option("--type", "-t", help="Only events of this type, e.g. progress.mentee.stalled."),
]
EventIdOption = Annotated[
    str | None, typer.Option("--event-id", help="Only the event with this id.")
]
GroupOption = Annotated[
    str | None, typer.Option("--group", "-g", help="Only what this consumer group parked.")
]


def summary(entry: DeadLetter) -> dict[str, Any]:
    return {
        "dlq_topic": entry.topic,
        "partition": entry.partition,
        "offset": entry.offset,
        "timestamp": entry.timestamp.isoformat() if entry.timestamp else None,
        "original_topic": entry.original_topic,
        "original_partition": entry.original_partition,
        "original_offset": entry.original_offset,
        "consumer_group": entry.consumer_group,
        "event_id": entry.event_id,
        "event_type": entry.event_type,
        "key": entry.key.decode("utf-8", "replace") if entry.key is not None else None,
        "error_type": entry.error_type,
        "error": entry.error,
        "attempts": entry.attempts,
        "failed_at": entry.failed_at.isoformat() if entry.failed_at else None,
        "replayed": entry.replayed,
    }


def _short(text: str | None, width: int = 60) -> str:
    if not text:
        return ""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _entries_table(entries: list[DeadLetter], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("dead-letter topic / partition / offset", no_wrap=True)
    table.add_column("failed at", no_wrap=True)
    table.add_column("group")
    table.add_column("event type", no_wrap=True)
    table.add_column("event id", no_wrap=True)
    table.add_column("tries", justify="right")
    table.add_column("error")
    table.add_column("replayed", justify="center")
    for e in entries:
        table.add_row(
            e.coordinates,
            e.failed_at.strftime("%Y-%m-%d %H:%M:%S") if e.failed_at else "",
            e.consumer_group,
            e.event_type or "?",
            e.event_id or "?",
            str(e.attempts) if e.attempts is not None else "",
            _short(f"{e.error_type}: {e.error}" if e.error_type else e.error),
            "yes" if e.replayed else "",
        )
    return table


@app.command("list")
def list_(
    bootstrap: BootstrapOption = None,
    topic_prefix: PrefixOption = "",
    event_type: TypeOption = None,
    event_id: EventIdOption = None,
    group: GroupOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the dead letters of the platform's topics, oldest first per topic and partition."""
    kafka = kafka_from(bootstrap)
    entries = run(
        read_dead_letters(
            kafka,
            prefix=topic_prefix,
            event_type=event_type,
            event_id=event_id,
            consumer_group=group,
        )
    )
    if as_json:
        print_json([summary(e) for e in entries])
        return
    if not entries:
        out().print("No dead letters" + (" match." if event_type or event_id or group else "."))
        return
    waiting = sum(not e.replayed for e in entries)
    out().print(_entries_table(entries, f"{len(entries)} dead letters, {waiting} not replayed yet"))


@app.command()
def show(
    topic: Annotated[
        str,
        typer.Argument(
            metavar="TOPIC", help="The dead-letter topic, e.g. progress.events.dlq.notify."
        ),
    ],
    partition: Annotated[int, typer.Argument(min=0, metavar="PARTITION", help="Its partition.")],
    offset: Annotated[
        int, typer.Argument(min=0, metavar="OFFSET", help="The entry's offset in that partition.")
    ],
    bootstrap: BootstrapOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one dead letter: the failure, where the event came from, its headers and the event."""
    kafka = kafka_from(bootstrap)
    entry = run(get_dead_letter(kafka, topic, partition, offset))
    document = entry.document()
    if as_json:
        print_json(
            {
                **summary(entry),
                "headers": {n: v.decode("utf-8", "replace") for n, v in entry.headers},
                "event": document
                if document is not None
                else entry.value.decode("utf-8", "replace"),
            }
        )
        return
    console = out()
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    for label, value in (
        ("dead letter", entry.coordinates),
        (
            "came from",
            f"{entry.original_topic} / {entry.original_partition} / {entry.original_offset}",
        ),
        ("consumer group", entry.consumer_group),
        ("event", f"{entry.event_type or '?'}  {entry.event_id or '?'}"),
        ("key", entry.key.decode("utf-8", "replace") if entry.key is not None else "(none)"),
        ("failed at", entry.failed_at.isoformat() if entry.failed_at else "?"),
        ("attempts", str(entry.attempts) if entry.attempts is not None else "?"),
        ("error type", entry.error_type or "?"),
        ("replayed", "yes" if entry.replayed else "no"),
    ):
        facts.add_row(label, value)
    console.print(Panel(facts, title="dead letter", title_align="left"))
    console.print(
        Panel(entry.error or "(no error recorded)", title="error", title_align="left", style="red")
    )
    headers = Table("header", "value", title="headers", title_justify="left")
    for header, raw in entry.headers:
        headers.add_row(header, raw.decode("utf-8", "replace"))
    console.print(headers)
    if document is not None:
        console.print(Panel(JSON(json.dumps(document)), title="event", title_align="left"))
    else:
        console.print(
            Panel(repr(entry.value), title="event (not JSON: the raw bytes)", title_align="left")
        )


@app.command("replay")
def replay_(
    topic: Annotated[
        str | None,
        typer.Argument(
            metavar="TOPIC", help="One entry: its dead-letter topic (with PARTITION OFFSET)."
        ),
    ] = None,
    partition: Annotated[
        int | None, typer.Argument(min=0, metavar="PARTITION", help="One entry: its partition.")
    ] = None,
    offset: Annotated[
        int | None, typer.Argument(min=0, metavar="OFFSET", help="One entry: its offset.")
    ] = None,
    replay_all: Annotated[
        bool, typer.Option("--all", help="Every dead letter (of --group, if given).")
    ] = False,
    event_type: TypeOption = None,
    event_id: EventIdOption = None,
    group: GroupOption = None,
    again: Annotated[
        bool,
        typer.Option("--again", help="Also replay entries that were replayed before."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be replayed; publish nothing.")
    ] = False,
    bootstrap: BootstrapOption = None,
    topic_prefix: PrefixOption = "",
) -> None:
    """Publish dead letters back to their original topic, with their original key, bytes and
    event headers (plus dlq-replay-of), once the cause of the failure is fixed.

    Choose what with --all, --type, --event-id (and --group), or one entry by TOPIC PARTITION
    OFFSET. Each replayed entry is recorded (consumer group `dlq-replayer.<group>` on the
    dead-letter topic), so replaying again skips it unless --again; the consumers recognise an
    event they handled by its id in any case.
    """
    one = (topic, partition, offset)
    if any(part is not None for part in one) and None in one:
        raise typer.BadParameter("give all three of TOPIC PARTITION OFFSET for one entry")
    single = topic is not None
    if single and (replay_all or event_type or event_id or group):
        raise typer.BadParameter("choose either one entry (TOPIC PARTITION OFFSET) or filters")
    if not single and not (replay_all or event_type or event_id):
        raise typer.BadParameter(
            "say what to replay: --all, --type, --event-id, or TOPIC PARTITION OFFSET"
        )
    kafka = kafka_from(bootstrap)

    async def select() -> list[DeadLetter]:
        if topic is not None and partition is not None and offset is not None:
            return [await get_dead_letter(kafka, topic, partition, offset)]
        return await read_dead_letters(
            kafka,
            prefix=topic_prefix,
            event_type=event_type,
            event_id=event_id,
            consumer_group=group,
        )

    entries = run(select())
    if not entries:
        if event_id:
            fail(f"no dead letter holds event {event_id}")
        out().print("Nothing to replay: no dead letters match.")
        return
    pending = len(entries) if again else sum(not e.replayed for e in entries)
    if dry_run or pending < 2:
        report = run(replay(kafka, entries, again=again, dry_run=dry_run))
    else:
        with Progress(
            TextColumn("replaying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err(),
            transient=True,
        ) as progress:
            task = progress.add_task("replay", total=pending)
            report = run(
                replay(kafka, entries, again=again, on_replayed=lambda _: progress.advance(task))
            )
    _print_report(report)
    if report.failed:
        raise typer.Exit(1)


def _print_report(report: ReplayReport) -> None:
    console = out()
    if report.dry_run:
        if report.replayed:
            console.print(_entries_table(report.replayed, "would replay (dry run)"))
        console.print(
            f"Dry run: would replay {len(report.replayed)}, skip {len(report.skipped)} "
            "already replayed; nothing was published."
        )
    else:
        console.print(f"Replayed {len(report.replayed)} dead letters.")
        for entry in report.replayed[:LISTED]:
            console.print(
                f"  {entry.coordinates} -> {entry.original_topic}  "
                f"{entry.event_type or '?'} {entry.event_id or '?'}"
            )
        if len(report.replayed) > LISTED:
            console.print(f"  ... and {len(report.replayed) - LISTED} more")
    if report.skipped:
        console.print(
            f"Skipped {len(report.skipped)} replayed before (--again replays them anyway)."
        )
    for entry, problem in report.failed:
        err().print(f"[red]not replayed[/] {entry.coordinates}: {problem}")
