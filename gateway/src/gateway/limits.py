"""What one request may ask for, and what one client may spend per minute.

``QueryLimits`` runs first in validation, before graphql-core's rules (some of which, like the
depth and alias limiters built on them, walk every fragment expansion): it measures the document
in linear time (``gateway.query_cost``) and refuses one that is too deep, too wide or too costly
with ``QUERY_TOO_COMPLEX``, so no other rule ever sees it. The rules then run on a worker thread,
so that the event loop goes on serving every other request and ``/healthz`` meanwhile, with
graphql-core's own work budget for comparing fields lowered from 500,000 to 50,000 units (its
documented knob): hundreds of repeated fields, within the limits above, took it 1.2 s here to
abort at its default, about a tenth of that now; the dashboard query spends a few hundred.

What passes is charged to its client's budget (``CostBudgets``): the caller's user id, or its
address when anonymous. A client out of points gets ``RATE_LIMITED`` with the seconds to wait;
every response says what the request cost and what remains (``extensions.cost``), as GitHub's
and Shopify's GraphQL APIs do.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gateway.errors import BAD_USER_INPUT, QUERY_TOO_COMPLEX, RATE_LIMITED
from gateway.input_values import id_problems
from gateway.query_cost import FragmentCycle, Measure, measure_operation

FIELD_COMPARISON_BUDGET = 50_000
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = FIELD_COMPARISON_BUDGET


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_fields: int
    max_aliases: int
    max_cost: int
    max_page: int


@dataclass
class _Bucket:
    points: float
    at: float


@dataclass(frozen=True)
class Charge:
    allowed: bool
    remaining: int
    retry_after: float


class CostBudgets:
    """A token bucket per client: ``per_minute`` points, refilled continuously. Held in this
    process (each gateway replica keeps its own), for at most ``max_clients`` clients, the least
    recently seen forgotten first. ``per_minute`` of 0 turns budgets off."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self._max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def charge(self, client: str, points: int) -> Charge:
        now = self._clock()
        bucket = self._buckets.pop(client, None) or _Bucket(float(self.per_minute), now)
        rate = self.per_minute / 60.0
        bucket.points = min(float(self.per_minute), bucket.points + (now - bucket.at) * rate)
        bucket.at = now
        self._buckets[client] = bucket
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)
        if points > bucket.points:
            wait = (points - bucket.points) / rate
            return Charge(False, math.floor(bucket.points), math.ceil(wait * 10) / 10)
        bucket.points -= points
        return Charge(True, math.floor(bucket.points), 0.0)


def client_key(context: Any) -> str:
    principal = getattr(context, "principal", None)
    if principal is not None:
        return f"user:{principal.user_id}"
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    return f"address:{host or 'unknown'}"


def _too_complex(message: str, **extra: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": QUERY_TOO_COMPLEX, **extra})


def problems_of(measure: Measure, limits: Limits) -> list[str]:
    checks = [
        ("depth", measure.depth, limits.max_depth),
        ("fields", measure.fields, limits.max_fields),
        ("aliases", measure.aliases, limits.max_aliases),
        ("cost", measure.cost, limits.max_cost),
    ]
    return [
        f"the query's {name} ({_short(value)}) is over the limit of {limit}"
        for name, value, limit in checks
        if value > limit
    ]


def _short(value: int) -> str:
    """A figure as it may be printed: fragments can make it hundreds of digits long."""
    text = str(value)
    return text if len(text) <= 12 else f"about 10^{len(text) - 1}"


class QueryLimits(SchemaExtension):
    def __init__(self, *, limits: Limits, budgets: CostBudgets) -> None:
        self.limits = limits
        self.budgets = budgets
        self.report: dict[str, Any] | None = None

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            error = self._check(document)
            if error is not None:
                context.pre_execution_errors = [error]
            elif context.validation_rules:
                context.pre_execution_errors = await asyncio.to_thread(
                    validate_document,
                    context.schema._schema,
                    document,
                    context.validation_rules,
                )
        yield

    def _check(self, document: Any) -> GraphQLError | None:
        context = self.execution_context
        try:
            measure = measure_operation(
                context.schema._schema,
                document,
                context.operation_name,
                context.variables if isinstance(context.variables, dict) else None,
                max_page=self.limits.max_page,
            )
        except FragmentCycle as exc:
            return _too_complex(f"the query cannot be expanded: {exc}")
        problems = problems_of(measure, self.limits)
        if problems:
            return _too_complex("; ".join(problems), limits=self._limits_report())
        wrong_ids = id_problems(
            context.schema._schema,
            document,
            context.operation_name,
            context.variables if isinstance(context.variables, dict) else None,
        )
        if wrong_ids:
            return GraphQLError("; ".join(wrong_ids[:5]), extensions={"code": BAD_USER_INPUT})
        self.report = {"requested": measure.cost}
        if not self.budgets.enabled:
            return None
        charge = self.budgets.charge(client_key(context.context), measure.cost)
        self.report.update(remaining=charge.remaining, limitPerMinute=self.budgets.per_minute)
        if charge.allowed:
            return None
        self.report["retryAfterSeconds"] = charge.retry_after
        return GraphQLError(
            f"this client has spent its points for now: {measure.cost} asked, "
            f"{charge.remaining} left; try again in {charge.retry_after} s",
            extensions={"code": RATE_LIMITED, "retryAfterSeconds": charge.retry_after},
        )

    def _limits_report(self) -> dict[str, int]:
        return {
            "depth": self.limits.max_depth,
            "fields": self.limits.max_fields,
            "aliases": self.limits.max_aliases,
            "cost": self.limits.max_cost,
        }

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}
