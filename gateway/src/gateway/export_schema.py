"""``python -m gateway.export_schema [path]``: write the schema, as the code defines it, to
``gateway/schema.graphql`` (or ``path``); ``--check`` only says whether the file is current."""

from __future__ import annotations

import sys
from pathlib import Path

from strawberry.printer import print_schema

from gateway.config import Settings
from gateway.schema import build_schema

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def schema_sdl() -> str:
    """The SDL of the development schema (production's differs only by its extensions)."""
    settings = Settings(
        mentoring_url="http://mentoring",
        progress_url="http://progress",
        notify_url="http://notify",
        kafka_bootstrap_servers="unused:9092",
        profile="dev",
    )
    return print_schema(build_schema(settings)) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    target = Path(paths[0]) if paths else DEFAULT_PATH
    sdl = schema_sdl()
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != sdl:
            print(f"{target} is stale: run python -m gateway.export_schema", file=sys.stderr)
            return 1
        return 0
    target.write_text(sdl, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
