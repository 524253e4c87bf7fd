"""``mentorship``: the platform's command line for people (developers and ops)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from mentorship_cli import dev, dlq, imports
from mentorship_cli.common import (
    BootstrapOption,
    JsonOption,
    PrefixOption,
    fail,
    kafka_from,
    out,
    print_json,
    run,
)
from mentorship_cli.kafka_state import consumer_lag, topic_states
from mentorship_cli.token import token
from mentorship_localstack import LocalStack
from mentorship_localstack import dev as supervisor

app = typer.Typer(
    name="mentorship",
    help="The mentoring platform from the command line: the local platform, development "
    "tokens, Kafka topics and consumer lag, dead letters, and bulk imports.\n\n"
    "Kafka is found through --bootstrap, KAFKA_BOOTSTRAP_SERVERS, or the local stack "
    "(.stack/stack.json); --topic-prefix / KAFKA_TOPIC_PREFIX selects an environment.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(dlq.app)
app.add_typer(dev.app)
app.add_typer(imports.app)
app.command()(token)


@app.command()
def topics(
    bootstrap: BootstrapOption = None,
    topic_prefix: PrefixOption = "",
    as_json: JsonOption = False,
) -> None:
    """The platform's topics with their partition counts and end offsets (per partition), and
    the dead-letter topics next to them."""
    states = run(topic_states(kafka_from(bootstrap), topic_prefix))
    if as_json:
        print_json([s.as_dict() for s in states])
        return
    table = Table(title="topics", title_justify="left")
    table.add_column("topic", no_wrap=True)
    table.add_column("partitions", justify="right")
    table.add_column("end offsets (per partition)")
    table.add_column("messages", justify="right")
    for state in states:
        if not state.exists:
            table.add_row(state.name, "[red]missing[/]", "", "")
            continue
        partitions = str(state.partitions)
        if state.expected_partitions not in (None, state.partitions):
            partitions = f"[yellow]{state.partitions} (expected {state.expected_partitions})[/]"
        table.add_row(
            state.name,
            partitions,
            " ".join(f"{p}:{o}" for p, o in enumerate(state.end_offsets)),
            str(state.messages),
        )
    out().print(table)


@app.command()
def lag(
    bootstrap: BootstrapOption = None,
    topic_prefix: PrefixOption = "",
    group: Annotated[
        str | None, typer.Option("--group", "-g", help="Only this consumer group.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Consumer lag per group and partition: committed offset, end offset and the difference,
    on the platform's topics (and dead-letter topics) under the prefix."""
    rows = run(consumer_lag(kafka_from(bootstrap), topic_prefix, group))
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    if not rows:
        out().print("No consumer group has committed offsets on these topics.")
        return
    table = Table(title="consumer lag", title_justify="left")
    table.add_column("group", no_wrap=True)
    table.add_column("topic", no_wrap=True)
    table.add_column("partition", justify="right")
    table.add_column("committed", justify="right")
    table.add_column("end", justify="right")
    table.add_column("lag", justify="right")
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.group] = totals.get(row.group, 0) + row.lag
        shown = f"[yellow]{row.lag}[/]" if row.lag else "0"
        table.add_row(
            row.group, row.topic, str(row.partition), str(row.committed), str(row.end), shown
        )
    out().print(table)
    out().print("total lag: " + ", ".join(f"{g} {n}" for g, n in sorted(totals.items())))


@app.command()
def seed(
    mentors: Annotated[int, typer.Option(min=1, max=50, help="How many mentors.")] = 4,
    mentees: Annotated[int, typer.Option(min=1, max=500, help="How many mentees.")] = 24,
    url: Annotated[
        list[str] | None,
        typer.Option(
            "--url",
            help="SERVICE=URL, e.g. mentoring=http://mentoring:8101 (default: make dev's ports).",
        ),
    ] = None,
) -> None:
    """Load the demo data through the services' APIs (a program on the default path, mentors
    and mentees, matched, with some activity), once, and print tokens for an admin, a mentor
    and one of their mentees. `make dev` does this by itself."""
    urls = {spec.name: supervisor.url_of(spec) for spec in supervisor.SERVICES}
    for item in url or []:
        name, sep, value = item.partition("=")
        if not sep or name not in urls or not value.startswith(("http://", "https://")):
            fail(f"--url {item!r}: expected SERVICE=http(s)://..., SERVICE one of {sorted(urls)}")
        urls[name] = value.rstrip("/")
    state = LocalStack().paths.state
    state.mkdir(parents=True, exist_ok=True)
    if not run(supervisor.load_demo(state, urls, mentors=mentors, mentees=mentees)):
        fail("the demo data was not loaded (see above)")


if __name__ == "__main__":
    app()
