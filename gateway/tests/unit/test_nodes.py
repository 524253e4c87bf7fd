"""``node`` and ``nodes``: any object by its id, with the same visibility as everywhere."""

from __future__ import annotations

import httpx

from .conftest import Gateway
from .samples import match, participant, program


def serve(gateway: Gateway) -> None:
    visible = {"pt_ada": participant("pt_ada"), "pt_grace": participant("pt_grace", "mentor")}

    def participants(request: httpx.Request) -> httpx.Response:
        asked = request.url.params["ids"].split(",")
        return httpx.Response(200, json=[visible[i] for i in asked if i in visible])

    gateway.services["mentoring"].route("GET", "/participants", participants)
    gateway.services["mentoring"].route("GET", "/programs", [{**program(), "id": "pg_1"}])
    gateway.services["mentoring"].route("GET", "/matches", {"items": [{**match("m_1")}]})


async def test_node_resolves_each_kind_by_its_prefix(gateway: Gateway) -> None:
    serve(gateway)
    body = await gateway.query(
        """{ a: node(id: "pg_1") { __typename id ... on Program { name } }
             b: node(id: "pt_ada") { __typename ... on Participant { displayName } }
             c: node(id: "m_1") { __typename ... on Match { status } } }"""
    )
    assert body["data"] == {
        "a": {"__typename": "Program", "id": "pg_1", "name": "Social business"},
        "b": {"__typename": "Participant", "displayName": "Pt_Ada"},
        "c": {"__typename": "Match", "status": "PROPOSED"},
    }


async def test_nodes_batch_and_mark_each_invisible_one(gateway: Gateway) -> None:
    serve(gateway)
    body = await gateway.query(
        """{ nodes(ids: ["pt_ada", "pt_secret", "pt_grace", "zz_1"]) {
               id ... on Participant { displayName } } }"""
    )
    assert body["data"]["nodes"] == [
        {"id": "pt_ada", "displayName": "Pt_Ada"},
        None,
        {"id": "pt_grace", "displayName": "Pt_Grace"},
        None,
    ]
    assert {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]} == {
        ("nodes", 1): "FORBIDDEN",
        ("nodes", 3): "NOT_FOUND",
    }
    assert len(gateway.services["mentoring"].changes) == 1  # one batched call


async def test_too_many_nodes_at_once_are_refused(gateway: Gateway) -> None:
    ids = ", ".join(f'"pt_{i}"' for i in range(101))
    body = await gateway.query(f"{{ nodes(ids: [{ids}]) {{ id }} }}")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not gateway.services["mentoring"].changes
