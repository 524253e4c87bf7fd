"""The idempotency rule's parts: the key's grammar, derived ids, request fingerprints."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from mentorship_runtime.http_errors import install_error_handlers
from mentorship_runtime.idempotency import IdempotencyKey
from mentorship_runtime.request_keys import KeyReused, derived_id, fingerprint

NAMESPACE = uuid.UUID("5b0c7f3e-1d2a-4f4e-9a51-6b1f0c2d3e4f")


def echo_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    async def create(key: IdempotencyKey) -> dict[str, str | None]:
        return {"key": key}

    return app


async def post(headers: list[tuple[bytes, bytes]]) -> httpx.Response:
    transport = httpx.ASGITransport(app=echo_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        return await http.post("/things", headers=headers)


@pytest.mark.parametrize(
    "key",
    [b"", b" ", b"two words", b"x" * 201, "caf\u00e9".encode("latin-1"), b"tab\there", b"\x7f"],
)
async def test_a_key_outside_the_rule_is_a_422_naming_the_header(key: bytes) -> None:
    answer = await post([(b"Idempotency-Key", key)])

    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {
            "loc": ["header", "Idempotency-Key"],
            "msg": "an idempotency key is 1 to 200 printable ASCII characters, without spaces",
            "type": "value_error",
        }
    ]


async def test_a_key_given_twice_is_a_422_naming_the_header() -> None:
    answer = await post([(b"Idempotency-Key", b"one"), (b"idempotency-key", b"two")])

    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert "not 2" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize("key", ["k", "x" * 200, "".join(chr(c) for c in range(0x21, 0x7F))])
async def test_a_key_of_1_to_200_printable_characters_is_taken(key: str) -> None:
    answer = await post([(b"idempotency-key", key.encode())])

    assert answer.status_code == 200
    assert answer.json() == {"key": key}


async def test_without_the_header_there_is_no_key() -> None:
    answer = await post([])

    assert answer.json() == {"key": None}


def test_an_id_derives_from_the_caller_and_the_key_for_each_kind() -> None:
    ids = {
        derived_id("pt", "k-1", "ada", namespace=NAMESPACE),
        derived_id("pt", "k-1", "grace", namespace=NAMESPACE),
        derived_id("pt", "k-2", "ada", namespace=NAMESPACE),
        derived_id("pg", "k-1", "ada", namespace=NAMESPACE),
    }

    assert derived_id("pt", "k-1", "ada", namespace=NAMESPACE) in ids
    assert len(ids) == 4
    assert all(i.startswith(("pt_", "pg_")) and len(i) == 35 for i in ids)


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True)
class Slot:
    day: int
    start_hour: int


def test_equal_requests_have_one_fingerprint_whatever_the_order_of_keys_and_set_members() -> None:
    one = {"roles": frozenset({"mentor", "mentee"}), "levels": {"a": 1, "b": 2}, "c": Colour.RED}
    two = {"c": "red", "levels": {"b": 2, "a": 1}, "roles": frozenset({"mentee", "mentor"})}

    assert fingerprint(one) == fingerprint(two)


def test_another_request_has_another_fingerprint() -> None:
    base = {"slots": [Slot(1, 9), Slot(2, 9)], "on": date(2026, 11, 2), "note": None}

    assert fingerprint(base) == fingerprint(dict(base))
    assert fingerprint(base) != fingerprint({**base, "slots": [Slot(2, 9), Slot(1, 9)]})
    assert fingerprint(base) != fingerprint({**base, "on": date(2026, 11, 3)})
    assert fingerprint(base) != fingerprint({**base, "note": ""})
    assert fingerprint({"n": 1}) != fingerprint({"n": "1"})


def test_a_value_without_a_canonical_form_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot fingerprint a object"):
        fingerprint({"x": object()})


def test_a_reused_key_names_the_key_and_what_it_created() -> None:
    message = str(KeyReused("k-1", "participant 'pt_1'"))

    assert message.startswith("Idempotency-Key 'k-1' was already used for a different request")
    assert "participant 'pt_1'" in message
