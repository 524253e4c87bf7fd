"""Check or update the committed JSON Schema snapshots of every contract.

``python -m mentorship_contracts.snapshots check`` lists what differs; ``update`` writes new and
compatibly changed schemas and refuses a breaking change.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from mentorship_contracts.compatibility import (
    SCHEMA_DIR,
    Schema,
    breaking_changes,
    envelope_schema,
    envelope_snapshot_path,
    payload_schema,
    render,
    snapshot_path,
)
from mentorship_contracts.registry import REGISTRY


@dataclass(frozen=True)
class SnapshotStatus:
    name: str
    path: Path
    current: Schema
    committed: Schema | None
    breaking: list[str]

    @property
    def up_to_date(self) -> bool:
        return self.committed is not None and render(self.committed) == render(self.current)


def statuses(directory: Path = SCHEMA_DIR) -> list[SnapshotStatus]:
    found = [_status("envelope", envelope_snapshot_path(directory), envelope_schema())]
    for cls in REGISTRY:
        name = f"{cls.event_type} v{cls.event_version} ({cls.__name__})"
        found.append(_status(name, snapshot_path(cls, directory), payload_schema(cls)))
    return found


def _status(name: str, path: Path, current: Schema) -> SnapshotStatus:
    committed = json.loads(path.read_text()) if path.exists() else None
    breaking = breaking_changes(committed, current) if committed is not None else []
    return SnapshotStatus(name, path, current, committed, breaking)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command not in {"check", "update"}:
        print("usage: python -m mentorship_contracts.snapshots [check|update]", file=sys.stderr)
        return 2
    failed = False
    for status in statuses():
        if status.breaking:
            failed = True
            print(f"BREAKING {status.name}:")
            for problem in status.breaking:
                print(f"  - {problem}")
        elif not status.up_to_date:
            if command == "update":
                status.path.parent.mkdir(parents=True, exist_ok=True)
                status.path.write_text(render(status.current))
                print(f"wrote {status.path.name}")
            else:
                failed = True
                print(f"outdated {status.name}: run `make contracts-snapshot`")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
