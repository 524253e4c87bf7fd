import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from mentorship_contracts import MalformedEvent, UnknownEventType, decode_event, new_envelope
from mentorship_contracts.events import (
    CheckInRecorded,
    MatchAccepted,
    MatchAcceptedV1,
    NotificationCreated,
    NotificationCreatedV1,
)
from mentorship_contracts.headers import (
    CAUSATION_ID,
    CORRELATION_ID,
    EVENT_ID,
    EVENT_TYPE,
    EVENT_VERSION,
    decode_headers,
    envelope_headers,
)

FIXED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def accepted() -> MatchAccepted:
    return MatchAccepted(
        match_id="m-1",
        program_id="p-1",
        mentee_id="e-1",
        mentor_id="r-1",
        learning_path_id="social-business",
    )


def check_in(**overrides: Any) -> str:
    """A check-in event as JSON; ``data.x=`` overrides a payload field, ``x=`` an envelope one."""
    data: dict[str, Any] = {
        "mentee_id": "e-1",
        "mentor_id": "r-1",
        "program_id": "p-1",
        "check_in_id": "c-1",
        "module_id": "purpose",
        "confidence": 2,
        "assessed_by": "mentee",
    }
    document: dict[str, Any] = {
        "event_id": "0b0f2a52-8f1c-4b4c-8d5e-2f8f0a1b2c3d",
        "type": "progress.check_in.recorded",
        "version": 1,
        "occurred_at": "2026-11-02T09:30:00+00:00",
        "producer": "progress",
        "key": "e-1",
        "correlation_id": "flow-1",
        "data": data,
    }
    for name, value in overrides.items():
        target, field = (data, name[5:]) if name.startswith("data_") else (document, name)
        if value is _DELETE:
            del target[field]
        else:
            target[field] = value
    return json.dumps(document)


_DELETE = object()


def test_an_envelope_takes_its_type_version_and_key_from_the_payload() -> None:
    envelope = new_envelope(accepted(), producer="mentoring", clock=lambda: FIXED)

    assert envelope.type == "mentoring.match.accepted"
    assert envelope.version == 2
    assert envelope.key == "e-1"
    assert envelope.occurred_at == FIXED
    assert envelope.correlation_id == str(envelope.event_id)
    assert envelope.causation_id is None


def test_an_event_caused_by_another_keeps_its_correlation_and_names_its_cause() -> None:
    cause = new_envelope(accepted(), producer="mentoring", correlation_id="flow-7")
    payload = CheckInRecorded(
        mentee_id="e-1",
        program_id="p-1",
        check_in_id="c-1",
        module_id="purpose",
        confidence=4,
        assessed_by="mentee",
    )

    effect = new_envelope(payload, producer="progress", cause=cause)

    assert effect.correlation_id == "flow-7"
    assert effect.causation_id == str(cause.event_id)


def test_an_event_survives_the_round_trip_through_bytes() -> None:
    envelope = new_envelope(accepted(), producer="mentoring", clock=lambda: FIXED)

    decoded = decode_event(envelope.to_bytes())

    assert decoded == envelope
    assert isinstance(decoded.data, MatchAccepted)


def test_occurred_at_is_normalised_to_utc() -> None:
    in_paris = datetime(2026, 11, 2, 10, 30, tzinfo=timezone(timedelta(hours=1)))

    decoded = decode_event(check_in(occurred_at=in_paris.isoformat()))

    assert decoded.occurred_at == FIXED
    assert decoded.occurred_at.utcoffset() == timedelta(0)


def test_headers_carry_the_envelope_metadata() -> None:
    cause = new_envelope(accepted(), producer="mentoring")
    envelope = new_envelope(accepted(), producer="mentoring", cause=cause)

    headers = envelope_headers(envelope)

    assert headers[EVENT_ID] == str(envelope.event_id)
    assert headers[EVENT_TYPE] == "mentoring.match.accepted"
    assert headers[EVENT_VERSION] == "2"
    assert headers[CORRELATION_ID] == cause.correlation_id
    assert headers[CAUSATION_ID] == str(cause.event_id)
    as_kafka_gives_them = [(name, value.encode()) for name, value in headers.items()]
    assert decode_headers(as_kafka_gives_them) == headers


def test_a_missing_field_is_named() -> None:
    with pytest.raises(MalformedEvent) as raised:
        decode_event(check_in(data_module_id=_DELETE))

    assert raised.value.fields == ["data.module_id"]
    assert "data.module_id" in str(raised.value)


def test_a_missing_envelope_field_is_named() -> None:
    with pytest.raises(MalformedEvent) as raised:
        decode_event(check_in(event_id=_DELETE))

    assert raised.value.fields == ["event_id"]


def test_a_wrong_type_is_named() -> None:
    with pytest.raises(MalformedEvent) as raised:
        decode_event(check_in(data_confidence="very"))

    assert raised.value.fields == ["data.confidence"]


def test_a_confidence_outside_one_to_five_is_rejected() -> None:
    with pytest.raises(MalformedEvent) as raised:
        decode_event(check_in(data_confidence=6))

    assert raised.value.fields == ["data.confidence"]


def test_a_naive_timestamp_is_rejected() -> None:
    with pytest.raises(MalformedEvent) as raised:
        decode_event(check_in(occurred_at="2026-11-02T09:30:00"))

    assert raised.value.fields == ["occurred_at"]


def test_an_unknown_type_is_rejected_with_its_name_and_version() -> None:
    with pytest.raises(UnknownEventType) as raised:
        decode_event(check_in(type="progress.teleported"))

    assert raised.value.event_type == "progress.teleported"
    assert "progress.teleported" in str(raised.value)


def test_an_unknown_version_of_a_known_type_is_rejected() -> None:
    with pytest.raises(UnknownEventType) as raised:
        decode_event(check_in(version=99))

    assert raised.value.version == 99


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", "$"),
        (b"\xff\xfe\x00", "$"),
        (b"[1, 2, 3]", "$"),
        (b'"just a string"', "$"),
        (b'{"version": 1}', "type"),
        (b'{"type": "progress.check_in.recorded", "version": "1"}', "version"),
        (b'{"type": "progress.check_in.recorded", "version": true}', "version"),
    ],
)
def test_bytes_that_are_not_an_event_are_rejected(raw: bytes, field: str) -> None:
    with pytest.raises(MalformedEvent) as raised:
        decode_event(raw)

    assert field in raised.value.fields


def test_unknown_fields_are_ignored_so_producers_can_add_optional_fields() -> None:
    decoded = decode_event(check_in(data_mood="sunny", trace="abc"))

    assert decoded.data.confidence == 2
    assert decoded.event_id == UUID("0b0f2a52-8f1c-4b4c-8d5e-2f8f0a1b2c3d")


@pytest.mark.parametrize(
    ("raw", "field", "why"),
    [
        (check_in(data_module_id="pur\x00pose"), "data.module_id", "the NUL character"),
        (check_in(correlation_id="flow\x00"), "correlation_id", "the NUL character"),
        (check_in(data_module_id="\ud800"), "data.module_id", "a lone surrogate"),
        (check_in(**{"data_bad\x00key": "x"}), "data", "a key holds the NUL character"),
        (
            check_in(data_module_id="x").replace('"x"', '"\\\\ud800"').replace("\\\\", "\\"),
            "data.module_id",
            "a lone surrogate",
        ),
    ],
)
def test_an_event_holding_text_no_database_can_store_is_malformed(
    raw: str, field: str, why: str
) -> None:
    """PostgreSQL's jsonb under FerretDB refuses U+0000 and no BSON string holds a lone
    surrogate: a consumer would fail to store such an event on every retry."""
    with pytest.raises(MalformedEvent) as raised:
        decode_event(raw.encode("utf-8", "surrogatepass"))

    assert raised.value.fields == [field]
    assert why in str(raised.value)


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_an_event_nested_beyond_the_decoder_is_malformed_not_a_crash(opening: str) -> None:
    with pytest.raises(MalformedEvent, match="nested too deeply"):
        decode_event(opening * 100_000)


def test_match_events_name_people_by_id_only_and_the_first_version_is_still_read() -> None:
    written = new_envelope(accepted(), producer="mentoring").to_bytes()
    assert b"Ada" not in written
    assert "mentee_name" not in json.loads(written)["data"]
    first = json.loads(written)
    first["version"] = 1
    first["data"] |= {"mentee_name": "Ada", "mentor_name": "Grace"}

    decoded = decode_event(json.dumps(first))

    assert type(decoded.data) is MatchAcceptedV1
    assert isinstance(decoded.data, MatchAccepted)  # read where the current version is
    assert (decoded.data.mentee_name, decoded.data.mentee_id) == ("Ada", "e-1")
    without_names = {k: v for k, v in first["data"].items() if not k.endswith("_name")}
    with pytest.raises(MalformedEvent):  # the first version required them
        decode_event(json.dumps(first | {"data": without_names}))


def test_a_notification_is_announced_without_its_texts() -> None:
    announced = NotificationCreated(
        notification_id="n-1",
        recipient_id="u-ada",
        kind="match.proposed",
        title="Grace was proposed to Ada",  # ignored: texts stay in notify
        created_at=FIXED,
    )
    document = json.loads(new_envelope(announced, producer="notify").to_bytes())
    assert document["version"] == 2
    assert "title" not in document["data"]
    assert "body" not in document["data"]
    document["version"] = 1
    document["data"] |= {"title": "Grace was proposed to Ada", "body": "Say hello"}
    decoded = decode_event(json.dumps(document))
    assert isinstance(decoded.data, NotificationCreatedV1)
    assert decoded.data.title == "Grace was proposed to Ada"
