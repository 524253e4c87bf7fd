"""The one envelope every event travels in, and the base class of every payload."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from mentorship_contracts.topics import Topic

_payload_classes: list[type[EventPayload]] = []


class EventPayload(BaseModel):
    """Base of every event payload.

    A subclass names its wire ``type``, ``version``, the topic it travels on and the payload field
    that holds the aggregate id (the Kafka key)::

        class MatchAccepted(EventPayload, type="mentoring.match.accepted", version=1,
                            topic=Topic.MENTORING_MATCHES, key_field="mentee_id"): ...

    Consumers ignore fields they do not know, so producers may add optional fields freely.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int]
    topic: ClassVar[Topic]
    key_field: ClassVar[str]

    def __init_subclass__(
        cls,
        *,
        type: str | None = None,
        version: int | None = None,
        topic: Topic | None = None,
        key_field: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        declared = (type, version, topic, key_field)
        if all(v is None for v in declared):
            return  # an intermediate base class shared by several payloads
        if any(v is None for v in declared):
            msg = f"{cls.__name__} must declare type, version, topic and key_field together"
            raise TypeError(msg)
        cls.event_type = str(type)
        cls.event_version = int(str(version))
        cls.topic = Topic(str(topic))
        cls.key_field = str(key_field)
        _payload_classes.append(cls)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        key_field = cls.__dict__.get("key_field")
        if key_field is not None and key_field not in cls.model_fields:
            msg = f"{cls.__name__}.key_field {key_field!r} is not one of its fields"
            raise TypeError(msg)

    def aggregate_key(self) -> str:
        return str(getattr(self, self.key_field))


P = TypeVar("P", bound=EventPayload)


class Envelope(BaseModel, Generic[P]):
    """Metadata shared by every event, around its typed ``data``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    type: str = Field(min_length=1, description="Dotted event type, e.g. mentoring.match.accepted.")
    version: int = Field(ge=1, description="Version of the payload schema for this type.")
    occurred_at: AwareDatetime = Field(description="When it happened, in UTC.")
    producer: str = Field(min_length=1, description="The service that emitted the event.")
    key: str = Field(min_length=1, description="Aggregate id; also the Kafka message key.")
    correlation_id: str = Field(min_length=1, description="Shared by every event of one flow.")
    causation_id: str | None = Field(
        default=None, description="The event or request that caused this one."
    )
    data: P

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


def new_envelope(
    payload: P,
    *,
    producer: str,
    cause: Envelope[Any] | None = None,
    correlation_id: str | None = None,
    event_id: UUID | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Envelope[P]:
    """Wrap a payload. An event caused by another inherits its correlation id."""
    new_id = event_id or uuid4()
    if cause is not None:
        correlation_id = cause.correlation_id
    envelope_class: type[Envelope[P]] = Envelope[type(payload)]  # type: ignore[misc,assignment]
    return envelope_class(
        event_id=new_id,
        type=payload.event_type,
        version=payload.event_version,
        occurred_at=(clock or _utcnow)(),
        producer=producer,
        key=payload.aggregate_key(),
        correlation_id=correlation_id or str(new_id),
        causation_id=str(cause.event_id) if cause is not None else None,
        data=payload,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


def declared_payload_classes() -> tuple[type[EventPayload], ...]:
    return tuple(_payload_classes)
