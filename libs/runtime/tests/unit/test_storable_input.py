"""Strings no MongoDB server keeps, and keys named twice: a 422 naming the field, on any route."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from mentorship_runtime.http_errors import install_error_handlers
from mentorship_runtime.storable_input import (
    MAX_PROBLEMS,
    body_problems,
    decode_members,
    refuse_unstorable_input,
)


def places(raw: bytes) -> list[tuple[list[str | int], str]]:
    return [(list(p["loc"]), p["msg"]) for p in body_problems(decode_members(raw))]


def test_ordinary_json_has_no_problem() -> None:
    raw = '{"name": "Zoë 🧑‍🏫", "tags": ["a", "b"], "levels": {"x": 1}, "n": null}'.encode()

    assert places(raw) == []


def test_a_nul_in_a_nested_value_is_named_by_its_place() -> None:
    raw = b'{"modules": [{"title": "ok"}, {"title": "a\\u0000b"}]}'

    assert places(raw) == [
        (["body", "modules", 1, "title"], "must not contain the NUL character (U+0000)")
    ]


@pytest.mark.parametrize("text", [b'"\\ud800"', b'"x\\udfffy"', b'"\xed\xa0\x80"'])
def test_a_lone_surrogate_escaped_or_raw_is_refused(text: bytes) -> None:
    [(loc, message)] = places(b'{"notes": ' + text + b"}")

    assert loc == ["body", "notes"]
    assert "lone surrogate" in message


def test_a_surrogate_pair_is_one_character_and_accepted() -> None:
    assert places(b'{"notes": "\\ud83d\\ude00"}') == []


def test_an_unstorable_key_is_named_by_the_object_that_holds_it() -> None:
    [(loc, message)] = places(b'{"goals": {"a\\u0000": 1}}')

    assert loc == ["body", "goals"]
    assert message == "a key contains the NUL character (U+0000)"


def test_a_key_named_twice_is_refused_once_whatever_the_count() -> None:
    raw = (
        b'{"weights": {"goal_coverage": 1, "department": 2, '
        b'"goal_coverage": 3, "goal_coverage": 4}}'
    )

    assert places(raw) == [(["body", "weights"], "names the key 'goal_coverage' more than once")]


def test_problems_come_in_document_order_and_are_bounded() -> None:
    raw = b'{"a": "\\u0000", "b": ["\\u0000", "\\u0000"]}'
    many = b"[" + b",".join([b'"\\u0000"'] * 100) + b"]"

    assert [loc for loc, _ in places(raw)] == [["body", "a"], ["body", "b", 0], ["body", "b", 1]]
    assert len(places(many)) == MAX_PROBLEMS


def test_a_deep_value_is_walked_without_recursion() -> None:
    deep: Any = "\x00"
    for _ in range(10_000):
        deep = [deep]

    [problem] = body_problems(deep)

    assert len(problem["loc"]) == 10_001


class Note(BaseModel):
    text: str
    levels: dict[str, int] = {}


def app_storing(stored: list[Any]) -> FastAPI:
    app = FastAPI(dependencies=[Depends(refuse_unstorable_input)])
    install_error_handlers(app)

    @app.post("/notes/{folder}")
    async def add(folder: str, note: Note, tag: str = "") -> dict[str, str]:
        stored.append((folder, note, tag))
        return {"ok": "stored"}

    @app.post("/ping")
    async def ping() -> dict[str, str]:
        stored.append("ping")
        return {"ok": "pong"}

    return app


async def post(app: FastAPI, path: str, content: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
        return await http.post(path, content=content, headers={"content-type": "application/json"})


async def test_a_route_answers_422_naming_the_field_and_is_not_run() -> None:
    stored: list[Any] = []
    app = app_storing(stored)

    answer = await post(app, "/notes/inbox", b'{"text": "fine", "levels": {"x": 1, "x": 2}}')
    nul = await post(app, "/notes/inbox", b'{"text": "bad\\u0000"}')

    assert answer.status_code == 422
    assert answer.json()["detail"] == [
        {
            "loc": ["body", "levels"],
            "msg": "names the key 'x' more than once",
            "type": "key_repeated",
        }
    ]
    assert nul.status_code == 422
    assert [d["loc"] for d in nul.json()["detail"]] == [["body", "text"]]
    assert stored == []


async def test_path_and_query_parameters_are_checked_too() -> None:
    stored: list[Any] = []
    app = app_storing(stored)

    answer = await post(app, "/notes/a%00b?tag=x%00", b'{"text": "fine"}')

    assert answer.status_code == 422
    assert [d["loc"] for d in answer.json()["detail"]] == [["path", "folder"], ["query", "tag"]]
    assert stored == []


async def test_a_route_that_reads_no_body_is_refused_a_nul_in_it_all_the_same() -> None:
    stored: list[Any] = []

    answer = await post(app_storing(stored), "/ping", b'{"anything": "\\u0000"}')

    assert answer.status_code == 422
    assert stored == []


async def test_good_input_and_bodies_that_are_not_json_pass_through() -> None:
    stored: list[Any] = []
    app = app_storing(stored)

    good = await post(app, "/notes/inbox?tag=work", '{"text": "Zoë", "levels": {"x": 1}}'.encode())
    not_json = await post(app, "/ping", b"\xff\xfe not json")

    assert good.status_code == 200
    assert not_json.status_code == 200
    assert stored[0][0] == "inbox"
    assert stored[1] == "ping"
