"""The envelope's metadata as Kafka headers, so routing and tracing never parse the body."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mentorship_contracts.envelope import Envelope

EVENT_ID = "event-id"
EVENT_TYPE = "event-type"
EVENT_VERSION = "event-version"
OCCURRED_AT = "event-occurred-at"
PRODUCER = "event-producer"
KEY = "event-key"
CORRELATION_ID = "event-correlation-id"
CAUSATION_ID = "event-causation-id"


def envelope_headers(envelope: Envelope[Any]) -> dict[str, str]:
    headers = {
        EVENT_ID: str(envelope.event_id),
        EVENT_TYPE: envelope.type,
        EVENT_VERSION: str(envelope.version),
        OCCURRED_AT: envelope.occurred_at.isoformat(),
        PRODUCER: envelope.producer,
        KEY: envelope.key,
        CORRELATION_ID: envelope.correlation_id,
    }
    if envelope.causation_id is not None:
        headers[CAUSATION_ID] = envelope.causation_id
    return headers


def decode_headers(
    headers: Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]],
) -> dict[str, str]:
    """Kafka headers as text, whichever form the client gives them in (pairs or a mapping)."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return {
        name: value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        for name, value in pairs
    }
