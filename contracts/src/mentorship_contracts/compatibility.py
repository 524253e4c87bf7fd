"""Compare two JSON Schemas of one contract and list the changes that would break a consumer.

Allowed: new optional fields, relaxed constraints on nothing else. Breaking: a removed field, a
changed type, a field that became required, an enum value removed. A breaking change needs a new
``version`` of the event (a new payload class), never an edit of the old one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mentorship_contracts.envelope import Envelope, EventPayload

Schema = dict[str, Any]

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def snapshot_path(cls: type[EventPayload], directory: Path = SCHEMA_DIR) -> Path:
    return directory / f"{cls.event_type}.v{cls.event_version}.json"


def envelope_snapshot_path(directory: Path = SCHEMA_DIR) -> Path:
    return directory / "envelope.json"


def payload_schema(cls: type[EventPayload]) -> Schema:
    return cls.model_json_schema(mode="serialization")


def envelope_schema() -> Schema:
    schema = Envelope[EventPayload].model_json_schema(mode="serialization")
    schema["title"] = "Envelope"
    return schema


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every change from ``old`` to ``new`` that a consumer of ``old`` could not live with."""
    problems: list[str] = []
    _compare(old, new, old.get("$defs", {}), new.get("$defs", {}), "", problems)
    return problems


def _resolve(node: Schema, defs: dict[str, Schema]) -> Schema:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _types(node: Schema, defs: dict[str, Schema]) -> set[str]:
    node = _resolve(node, defs)
    if "anyOf" in node:
        found: set[str] = set()
        for option in node["anyOf"]:
            found |= _types(option, defs)
        return found
    if "type" in node:
        kinds = node["type"]
        return set(kinds) if isinstance(kinds, list) else {kinds}
    if "const" in node or "enum" in node:
        values = node.get("enum", [node.get("const")])
        return {type(v).__name__ for v in values}
    return {"any"}


def _enum(node: Schema, defs: dict[str, Schema]) -> set[Any] | None:
    node = _resolve(node, defs)
    if "enum" in node:
        return set(node["enum"])
    if "const" in node:
        return {node["const"]}
    if "anyOf" in node:
        values: set[Any] = set()
        for option in node["anyOf"]:
            if _resolve(option, defs).get("type") == "null":
                values.add(None)
                continue
            part = _enum(option, defs)
            if part is None:
                return None
            values |= part
        return values
    return None


def _object_branch(node: Schema, defs: dict[str, Schema]) -> Schema | None:
    node = _resolve(node, defs)
    if "properties" in node:
        return node
    for option in node.get("anyOf", []):
        branch = _object_branch(option, defs)
        if branch is not None:
            return branch
    return None


def _array_items(node: Schema, defs: dict[str, Schema]) -> Schema | None:
    node = _resolve(node, defs)
    if node.get("type") == "array":
        items: Schema = node.get("items", {})
        return items
    for option in node.get("anyOf", []):
        items_of_option = _array_items(option, defs)
        if items_of_option is not None:
            return items_of_option
    return None


def _compare(
    old: Schema,
    new: Schema,
    old_defs: dict[str, Schema],
    new_defs: dict[str, Schema],
    path: str,
    problems: list[str],
) -> None:
    old_obj, new_obj = _object_branch(old, old_defs), _object_branch(new, new_defs)
    if old_obj is not None and new_obj is not None:
        old_props, new_props = old_obj.get("properties", {}), new_obj.get("properties", {})
        old_required, new_required = (
            set(old_obj.get("required", [])),
            set(new_obj.get("required", [])),
        )
        for name, old_field in old_props.items():
            where = f"{path}{name}"
            if name not in new_props:
                problems.append(
                    f"field `{where}` was removed: keep it (it may become optional) or publish "
                    "a new version of the event"
                )
                continue
            _compare_field(old_field, new_props[name], old_defs, new_defs, where, problems)
        for name in sorted(new_required - old_required):
            where = f"{path}{name}"
            if name in old_props:
                problems.append(
                    f"field `{where}` became required: old events may lack it; keep it optional "
                    "with a default, or publish a new version of the event"
                )
            else:
                problems.append(
                    f"new field `{where}` is required: add it as optional with a default, or "
                    "publish a new version of the event"
                )
        return
    old_items, new_items = _array_items(old, old_defs), _array_items(new, new_defs)
    if old_items is not None and new_items is not None:
        _compare_field(old_items, new_items, old_defs, new_defs, path.rstrip(".") + "[]", problems)


def _compare_field(
    old: Schema,
    new: Schema,
    old_defs: dict[str, Schema],
    new_defs: dict[str, Schema],
    where: str,
    problems: list[str],
) -> None:
    old_types, new_types = _types(old, old_defs), _types(new, new_defs)
    if "any" not in new_types and not old_types <= _widened(new_types):
        problems.append(
            f"field `{where}` changed type from {sorted(old_types)} to {sorted(new_types)}: "
            "add a new field with the new type instead, or publish a new version of the event"
        )
        return
    old_enum, new_enum = _enum(old, old_defs), _enum(new, new_defs)
    if old_enum is not None and new_enum is not None and not old_enum <= new_enum:
        removed = sorted(str(v) for v in old_enum - new_enum)
        problems.append(
            f"field `{where}` no longer accepts {removed}: keep the old values, or publish a new "
            "version of the event"
        )
    _compare(old, new, old_defs, new_defs, f"{where}.", problems)


def _widened(types: set[str]) -> set[str]:
    """An integer is still valid where a number is now expected."""
    return types | {"integer"} if "number" in types else types
