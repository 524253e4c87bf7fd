"""What every command shares: where Kafka is, the topic prefix, output, and errors for people."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from aiokafka.errors import KafkaError
from rich.console import Console

from mentorship_cli.dead_letters import DeadLetterError
from mentorship_cli.kafka_access import KafkaAccessError
from mentorship_localstack import LocalStack, StackError

T = TypeVar("T")

BootstrapOption = Annotated[
    str | None,
    typer.Option(
        "--bootstrap",
        "-b",
        envvar="KAFKA_BOOTSTRAP_SERVERS",
        show_envvar=True,
        help="Kafka bootstrap servers (host:port,...). "
        "Default: the local stack's broker (.stack/stack.json), if it runs.",
    ),
]
PrefixOption = Annotated[
    str,
    typer.Option(
        "--topic-prefix",
        "-p",
        envvar="KAFKA_TOPIC_PREFIX",
        show_envvar=True,
        help="The topic prefix of the environment (as in the services' KAFKA_TOPIC_PREFIX).",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON instead of a table (for scripts).")
]


class CliError(Exception):
    """Something the user can fix: printed as one clear message, exit code 1."""


def out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err().print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def bootstrap_servers(option: str | None) -> str:
    """``--bootstrap``, else ``KAFKA_BOOTSTRAP_SERVERS``, else the running local stack's broker."""
    if option:
        return option
    kafka = LocalStack().status().get("kafka", {})
    if kafka.get("running") and kafka.get("bootstrap"):
        return str(kafka["bootstrap"])
    msg = (
        "no Kafka broker to talk to: pass --bootstrap, set KAFKA_BOOTSTRAP_SERVERS, "
        "or start the local stack with `mentorship dev up --infra-only`"
    )
    raise CliError(msg)


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run async work; turn the errors a user can act on into a message and exit code 1."""
    try:
        return asyncio.run(work)
    except (CliError, DeadLetterError, KafkaAccessError, StackError) as exc:
        fail(str(exc))
    except KafkaError as exc:
        fail(f"Kafka refused: {exc}")


def kafka_from(option: str | None) -> str:
    try:
        return bootstrap_servers(option)
    except CliError as exc:
        fail(str(exc))


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
