"""Maps an event's ``type`` and ``version`` to its payload class, and decodes bytes into events."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from mentorship_contracts import events as _events  # noqa: F401 - registers the catalog
from mentorship_contracts.envelope import Envelope, EventPayload, declared_payload_classes
from mentorship_contracts.errors import FieldProblem, MalformedEvent, UnknownEventType
from mentorship_contracts.text import unstorable_strings

MAX_PROBLEMS = 20


class EventRegistry:
    def __init__(self, classes: Iterable[type[EventPayload]]) -> None:
        self._classes: dict[tuple[str, int], type[EventPayload]] = {}
        for cls in classes:
            key = (cls.event_type, cls.event_version)
            if key in self._classes:
                msg = f"{cls.__name__} and {self._classes[key].__name__} both claim {key}"
                raise ValueError(msg)
            self._classes[key] = cls

    def payload_class(self, event_type: str, version: int) -> type[EventPayload]:
        try:
            return self._classes[(event_type, version)]
        except KeyError:
            raise UnknownEventType(event_type, version) from None

    def __iter__(self) -> Iterator[type[EventPayload]]:
        return iter(sorted(self._classes.values(), key=lambda c: (c.event_type, c.event_version)))

    def __len__(self) -> int:
        return len(self._classes)

    def decode(self, raw: bytes | str) -> Envelope[Any]:
        """Parse and validate one event; raise a ``ContractError`` that names what is wrong."""
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedEvent([FieldProblem("$", f"not valid JSON ({exc})")]) from None
        except RecursionError:
            raise MalformedEvent([FieldProblem("$", "nested too deeply")]) from None
        if not isinstance(document, dict):
            raise MalformedEvent([FieldProblem("$", "an event must be a JSON object")])
        event_type, version = document.get("type"), document.get("version")
        problems = []
        if not isinstance(event_type, str) or not event_type:
            problems.append(FieldProblem("type", "a non-empty string is required"))
        if not isinstance(version, int) or isinstance(version, bool):
            problems.append(FieldProblem("version", "an integer is required"))
        if problems or not isinstance(event_type, str) or not isinstance(version, int):
            raise MalformedEvent(problems)
        cls = self.payload_class(event_type, version)
        unstorable = [FieldProblem(at, f"holds {why}") for at, why in unstorable_strings(document)]
        if unstorable:
            raise MalformedEvent(unstorable[:MAX_PROBLEMS])
        try:
            return Envelope[cls].model_validate(document)  # type: ignore[valid-type]
        except ValidationError as exc:
            raise MalformedEvent(_problems(exc)) from None


def _problems(exc: ValidationError) -> list[FieldProblem]:
    return [
        FieldProblem(".".join(str(part) for part in err["loc"]) or "$", err["msg"])
        for err in exc.errors(include_url=False)
    ]


REGISTRY = EventRegistry(declared_payload_classes())


def decode_event(raw: bytes | str) -> Envelope[Any]:
    return REGISTRY.decode(raw)
