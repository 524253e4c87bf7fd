"""``gateway/schema.graphql`` is what front ends read: it must be the schema the code serves."""

from __future__ import annotations

from pathlib import Path

from gateway.export_schema import DEFAULT_PATH, main, schema_sdl


def test_the_committed_schema_file_is_current() -> None:
    assert DEFAULT_PATH.name == "schema.graphql"
    assert DEFAULT_PATH.read_text(encoding="utf-8") == schema_sdl(), (
        "gateway/schema.graphql is stale: run `uv run python -m gateway.export_schema`"
    )


def test_check_mode_tells_a_stale_file_from_a_current_one(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    target.write_text("type Query { old: Int }\n", encoding="utf-8")
    assert main([str(target), "--check"]) == 1
    assert main([str(target)]) == 0
    assert main([str(target), "--check"]) == 0
