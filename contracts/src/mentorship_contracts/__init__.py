"""Event contracts of the mentoring platform: the envelope, the payloads, topics and headers."""

from mentorship_contracts.envelope import Envelope, EventPayload, new_envelope
from mentorship_contracts.errors import ContractError, MalformedEvent, UnknownEventType
from mentorship_contracts.registry import REGISTRY, EventRegistry, decode_event

__all__ = [
    "REGISTRY",
    "ContractError",
    "Envelope",
    "EventPayload",
    "EventRegistry",
    "MalformedEvent",
    "UnknownEventType",
    "decode_event",
    "new_envelope",
]
