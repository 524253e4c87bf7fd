"""What one request may ask for: fragment bombs and their variants are refused at once, the
validation of what passes does not hold the event loop, and each client has a budget of points."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from graphql import parse
from strawberry.schema.schema import validate_document

import gateway.limits as gateway_limits
from gateway.limits import CostBudgets
from gateway.query_cost import FragmentCycle, measure_operation
from gateway.schema import build_schema

from .conftest import Gateway, running

HEALTHY_WITHIN = 10.0
"""Generous: proves the loop was never held, not how fast it is (docs/benchmarks.md has that). A
bomb expanded without the limits holds the loop for good (10^6 expansions took 8 s, 10^7 never
returned); refused, it takes milliseconds, yet 0.5 s was once exceeded on a machine loaded 7
times over its cores, and 3.7 s on one running a type check of the repository beside the suite."""


def chain(root: str, on: str, leaf: str, *, levels: int = 9, width: int = 10) -> str:
    """``root`` spreads F0; each Fi spreads F(i+1) ``width`` times; the last holds ``leaf``."""
    fragments = [
        f"fragment F{i} on {on} {{ {' '.join([f'...F{i + 1}'] * width)} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on {on} {{ {leaf} }}")
    return f"{root} {' '.join(fragments)}"


BOMBS = {
    # the request that stopped the gateway: 10^8 expansions in 734 bytes
    "named-fragments": chain("query { ...F0 }", "Query", "me { userId }", levels=8),
    "deeper-and-wider": chain("query { ...F0 }", "Query", "me { userId roles }", levels=12),
    "inline-fragments": chain(
        "query { ...F0 }", "Query", "... on Query { ... on Query { me { userId } } }"
    ),
    "aliases": chain("query { me { ...F0 } }", "Me", "a: userId b: roles"),
    "nested-lists": chain("query { ...F0 }", "Query", "programs(first: 100) { nodes { id } }"),
    "mutation": chain(
        "mutation { ...F0 }", "Mutation", 'markNotificationsRead(ids: ["n"]) { __typename }'
    ),
    "typename-only": chain("query { ...F0 }", "Query", "__typename", levels=14, width=8),
    "two-operations": chain(
        "query A { ...F0 } query B { me { userId } }", "Query", "me { userId }"
    ),
    "self-spread": "query { ...F0 } fragment F0 on Query { me { userId } ...F0 }",
    "cycle": "query { ...F0 } fragment F0 on Query { ...F1 } fragment F1 on Query { ...F0 }",
}


async def _health_while(gateway: Gateway, work: Any) -> tuple[Any, float, float]:
    """Runs ``work`` with /healthz asked every 10 ms meanwhile: its result, how long it took,
    and the slowest health answer."""
    slowest = 0.0
    done = asyncio.Event()

    async def probe() -> None:
        nonlocal slowest
        while not done.is_set():
            started = time.perf_counter()
            response = await gateway.http.get("/healthz")
            assert response.status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
            await asyncio.sleep(0.01)

    prober = asyncio.create_task(probe())
    started = time.perf_counter()
    try:
        result = await work
        elapsed = time.perf_counter() - started
    finally:
        done.set()
        await prober
    return result, elapsed, slowest


@pytest.mark.parametrize("name", list(BOMBS))
async def test_a_fragment_bomb_is_refused_at_once_while_health_answers(
    gateway: Gateway, name: str
) -> None:
    response, elapsed, slowest = await _health_while(gateway, gateway.post(BOMBS[name], user=None))
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
    assert response.json()["data"] is None
    assert elapsed < HEALTHY_WITHIN
    assert slowest < HEALTHY_WITHIN
    assert all(not service.requests for service in gateway.services.values())


async def test_a_fragment_bomb_over_the_websocket_is_refused() -> None:
    bomb = chain("subscription { ...F0 }", "Subscription", "notifications { id title }")
    async with running() as gateway, gateway.websocket() as ws:
        await ws.init(gateway.token("u-grace", "mentor"))
        await ws.send({"id": "1", "type": "subscribe", "payload": {"query": bomb}})
        answer = await ws.receive()
        assert answer["type"] == "error"
        assert answer["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        await ws.send({"type": "ping"})
        assert (await ws.receive())["type"] == "pong"


async def test_a_websocket_message_over_the_body_limit_closes_the_socket_unread() -> None:
    mutation = 'mutation { markNotificationsRead(ids: ["n"]) { __typename } }'
    async with running(max_body_bytes=10_000) as gateway, gateway.websocket() as ws:
        await ws.init(gateway.token("u-grace", "mentor"))
        await ws.send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": mutation, "variables": {"junk": "x" * 20_000}},
            }
        )
        code, reason = await ws.closed()
        assert code == 4413
        assert "larger than 10000 bytes" in reason
        assert not gateway.services["notify"].requests


async def test_a_websocket_message_nested_too_deep_closes_the_socket() -> None:
    async with running() as gateway, gateway.websocket() as ws:
        await ws.init(gateway.token("u-grace", "mentor"))
        await ws.send_text('{"id": "1", "type": "subscribe", "payload": ' + "[" * 5000)
        code, reason = await ws.closed()
        assert code == 4400
        assert "nested deeper" in reason


async def test_validation_runs_off_the_event_loop(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document within the limits may still take graphql-core a second to validate (hundreds
    of repeated fields); meanwhile the gateway answers everyone else."""
    release = threading.Event()

    def slow(*args: Any) -> Any:
        assert release.wait(10)
        return validate_document(*args)

    monkeypatch.setattr(gateway_limits, "validate_document", slow)
    pending = asyncio.create_task(gateway.post("{ me { userId } }"))
    for _ in range(3):
        health = await asyncio.wait_for(gateway.http.get("/healthz"), HEALTHY_WITHIN * 4)
        assert health.status_code == 200
    assert not pending.done()
    release.set()
    answer = await asyncio.wait_for(pending, 10)
    assert answer.json()["data"] == {"me": {"userId": "u-grace"}}


async def test_every_answer_says_what_it_cost_and_what_is_left() -> None:
    async with running(cost_points_per_minute=3) as gateway:
        answers = [await gateway.query("{ me { userId } }") for _ in range(4)]
        assert [a["extensions"]["cost"].get("remaining") for a in answers[:3]] == [2, 1, 0]
        assert all(a["extensions"]["cost"]["requested"] == 1 for a in answers)
        [refused] = answers[3]["errors"]
        assert refused["extensions"]["code"] == "RATE_LIMITED"
        assert 0 < refused["extensions"]["retryAfterSeconds"] <= 20
        assert answers[3]["extensions"]["cost"]["retryAfterSeconds"] > 0
        # another user has a budget of their own
        other = await gateway.query("{ me { userId } }", user="u-ada")
        assert other["data"] == {"me": {"userId": "u-ada"}}


async def test_anonymous_clients_share_their_address_budget() -> None:
    async with running(cost_points_per_minute=2) as gateway:
        codes = []
        for _ in range(3):
            body = (await gateway.post("{ me { userId } }", user=None)).json()
            codes.append(body["errors"][0]["extensions"]["code"])
        assert codes == ["UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]


def test_a_budget_refills_with_time() -> None:
    now = [0.0]
    budgets = CostBudgets(60, clock=lambda: now[0])
    assert budgets.charge("a", 60).allowed
    refused = budgets.charge("a", 30)
    assert not refused.allowed
    assert refused.retry_after == 30.0
    now[0] = 30.0
    assert budgets.charge("a", 30).allowed
    assert not budgets.charge("a", 1).allowed
    assert budgets.charge("b", 60).allowed


def test_a_budget_forgets_the_least_recent_clients_first() -> None:
    budgets = CostBudgets(10, max_clients=2, clock=lambda: 0.0)
    budgets.charge("a", 10)
    budgets.charge("b", 10)
    budgets.charge("a", 0)
    budgets.charge("c", 10)
    assert budgets.charge("b", 10).allowed  # forgotten, so full again
    assert not budgets.charge("c", 1).allowed


def _measure(gateway: Gateway, document: str, **variables: Any) -> Any:
    schema = build_schema(gateway.settings)._schema
    return measure_operation(schema, parse(document), None, variables, max_page=100)


def test_the_figures_are_exact_through_fragments(gateway: Gateway) -> None:
    measure = _measure(gateway, BOMBS["named-fragments"])
    assert measure.fields == 2 * 10**8
    assert measure.cost == 10**8
    aliases = _measure(gateway, BOMBS["aliases"])
    assert aliases.aliases == 2 * 10**9


def test_a_page_multiplies_what_is_under_it(gateway: Gateway) -> None:
    page = "query($n: Int!) { programs(first: $n) { nodes { id weights { weight } } } }"
    # programs 1, plus n times (nodes 1 + weights 1)
    assert _measure(gateway, page, n=10).cost == 1 + 10 * 2
    assert _measure(gateway, page, n=10_000).cost == 1 + 100 * 2
    assert _measure(gateway, "{ programs { nodes { id } } }").cost == 1 + 20 * 1
    assert _measure(gateway, "{ me { userId } }").depth == 2


def test_a_fragment_that_spreads_itself_is_named(gateway: Gateway) -> None:
    with pytest.raises(FragmentCycle, match="F1"):
        _measure(gateway, BOMBS["cycle"].replace("...F0 }", "...F1 }", 1))
