"""Contracts change only by adding optional fields; anything else needs a new event version."""

from typing import Literal

from pydantic import BaseModel

from mentorship_contracts.compatibility import breaking_changes, payload_schema, render
from mentorship_contracts.events import MatchAccepted
from mentorship_contracts.snapshots import statuses


class Nested(BaseModel):
    level: int


class V1(BaseModel):
    mentee_id: str
    confidence: int
    note: str | None = None
    status: Literal["on_track", "stalled"]
    modules: list[Nested]


def schema(model: type[BaseModel]) -> dict[str, object]:
    return model.model_json_schema(mode="serialization")


def test_the_committed_snapshots_match_the_contracts() -> None:
    problems = []
    for status in statuses():
        if status.committed is None:
            problems.append(f"{status.name}: no snapshot; run `make contracts-snapshot`")
        problems += [f"{status.name}: {p}" for p in status.breaking]
        if status.committed is not None and not status.breaking and not status.up_to_date:
            problems.append(f"{status.name}: snapshot outdated; run `make contracts-snapshot`")

    assert not problems, "\n".join(problems)


def test_an_unchanged_schema_has_no_breaking_change() -> None:
    assert breaking_changes(schema(V1), schema(V1)) == []


def test_a_new_optional_field_is_compatible() -> None:
    class V2(V1):
        mood: str | None = None

    assert breaking_changes(schema(V1), schema(V2)) == []


def test_a_field_that_becomes_optional_is_compatible() -> None:
    class V2(BaseModel):
        mentee_id: str
        confidence: int | None = None
        note: str | None = None
        status: Literal["on_track", "stalled"]
        modules: list[Nested]

    assert breaking_changes(schema(V1), schema(V2)) == []


def test_a_new_enum_value_is_compatible() -> None:
    class V2(BaseModel):
        mentee_id: str
        confidence: int
        note: str | None = None
        status: Literal["on_track", "stalled", "completed"]
        modules: list[Nested]

    assert breaking_changes(schema(V1), schema(V2)) == []


def test_a_removed_field_is_breaking_and_named() -> None:
    class V2(BaseModel):
        mentee_id: str
        confidence: int
        status: Literal["on_track", "stalled"]
        modules: list[Nested]

    [problem] = breaking_changes(schema(V1), schema(V2))

    assert "`note` was removed" in problem
    assert "new version" in problem


def test_a_changed_type_is_breaking_and_named() -> None:
    class V2(BaseModel):
        mentee_id: str
        confidence: str
        note: str | None = None
        status: Literal["on_track", "stalled"]
        modules: list[Nested]

    [problem] = breaking_changes(schema(V1), schema(V2))

    assert "`confidence` changed type" in problem


def test_a_new_required_field_is_breaking_and_named() -> None:
    class V2(V1):
        cohort: str

    [problem] = breaking_changes(schema(V1), schema(V2))

    assert "new field `cohort` is required" in problem
    assert "optional with a default" in problem


def test_a_removed_enum_value_is_breaking() -> None:
    class V2(BaseModel):
        mentee_id: str
        confidence: int
        note: str | None = None
        status: Literal["on_track"]
        modules: list[Nested]

    [problem] = breaking_changes(schema(V1), schema(V2))

    assert "`status` no longer accepts ['stalled']" in problem


def test_a_change_inside_a_nested_list_is_found() -> None:
    class Nested2(BaseModel):
        level: str

    class V2(BaseModel):
        mentee_id: str
        confidence: int
        note: str | None = None
        status: Literal["on_track", "stalled"]
        modules: list[Nested2]

    [problem] = breaking_changes(schema(V1), schema(V2))

    assert "`modules[].level` changed type" in problem


def test_snapshots_render_stably() -> None:
    assert render(payload_schema(MatchAccepted)) == render(payload_schema(MatchAccepted))
