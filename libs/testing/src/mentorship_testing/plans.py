"""Which queries a piece of code sends, and whether the server answers each from an index.

``QueryRecorder`` is a PyMongo command listener: given to a client, it keeps the filter of every
read and write sent to one database (``find``, ``update``, ``delete``, ``findAndModify``,
``count``, ``distinct``, and the leading ``$match`` of an ``aggregate``, which is how
``count_documents`` counts). ``scans`` then asks the server to explain each filter as a
``find`` (the same pushdown FerretDB uses for all of them) and returns those it would answer by
reading a whole table. Before explaining, each collection is padded with documents that match
none of the recorded filters, so that the planner prefers an index wherever one can serve (on a
table of a few rows PostgreSQL rightly reads the table), and, on the local stack, the planner's
statistics are refreshed (``analyzer``): statistics autovacuum took while a table held only a
test's own documents would make a selective filter look unselective.

On FerretDB on PostgreSQL a scan is a ``Seq Scan`` node in PostgreSQL's plan, or a filter
FerretDB did not hand to PostgreSQL at all (``filterPushdown: false``, e.g. ``$in`` or a range);
on MongoDB it is a ``COLLSCAN`` stage.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pymongo import monitoring
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
FILTERS = {
    "find": "filter",
    "count": "query",
    "distinct": "query",
    "findAndModify": "query",
}
PADDING = 3000

analyzer: Callable[[str], None] | None = None
"""Refreshes the planner's statistics of one database's tables, when the server is the local
stack's FerretDB on PostgreSQL (set by ``mentorship_testing.plugin``)."""


@dataclass(frozen=True)
class Query:
    collection: str
    command: str
    filter: Document

    def describe(self) -> str:
        return f"{self.command} {self.collection} {json.dumps(self.filter, default=str)}"


@dataclass
class QueryRecorder(monitoring.CommandListener):
    """Keeps the filters sent to ``database`` while ``recording`` is on."""

    database: str
    recording: bool = True
    queries: list[Query] = field(default_factory=list)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if not self.recording or event.database_name != self.database:
            return
        command = event.command
        name = event.command_name
        collection = command.get(name)
        if not isinstance(collection, str):
            return
        if name in FILTERS:
            self._keep(collection, name, command.get(FILTERS[name]) or {})
        elif name == "update":
            for statement in command.get("updates", []):
                self._keep(collection, name, statement.get("q") or {})
        elif name == "delete":
            for statement in command.get("deletes", []):
                self._keep(collection, name, statement.get("q") or {})
        elif name == "aggregate":  # what its leading $match selects is what the server reads
            pipeline = command.get("pipeline") or [{}]
            self._keep(collection, name, pipeline[0].get("$match") or {})

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return

    def _keep(self, collection: str, command: str, filter_: Mapping[str, Any]) -> None:
        query = Query(collection, command, dict(filter_))
        if query not in self.queries:
            self.queries.append(query)


def _nodes(plan: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(plan, Mapping):
        yield plan
        for value in plan.values():
            yield from _nodes(value)
    elif isinstance(plan, list):
        for item in plan:
            yield from _nodes(item)


def reads_whole_table(explained: Mapping[str, Any]) -> bool:
    """Whether an ``explain`` answer says the server reads the whole collection."""
    if "filterPushdown" in explained:  # FerretDB
        if not explained["filterPushdown"]:
            return True
        return any(node.get("Node Type") == "Seq Scan" for node in _nodes(explained))
    return any(node.get("stage") == "COLLSCAN" for node in _nodes(explained))


async def pad(database: AsyncDatabase[Document], queries: list[Query], count: int) -> None:
    """Add ``count`` documents to each queried collection that match none of the filters: every
    field a filter names holds a value of its own in each of them."""
    fields: dict[str, set[str]] = {}
    for query in queries:
        fields.setdefault(query.collection, set()).update(
            key for key in query.filter if not key.startswith("$") and "." not in key
        )
    batch = uuid.uuid4().hex[:8]
    for collection, names in fields.items():
        filler = [
            {
                "_id": f"padding-{batch}-{i}",
                **{name: f"padding-{i}" for name in names if name != "_id"},
            }
            for i in range(count)
        ]
        await database[collection].insert_many(filler, ordered=False)


async def scans(
    database: AsyncDatabase[Document], queries: list[Query], *, padding: int = PADDING
) -> list[str]:
    """The recorded queries the server would answer by reading a whole table, described."""
    await pad(database, queries, padding)
    if analyzer is not None:
        await asyncio.to_thread(analyzer, database.name)
    found = []
    for query in queries:
        explained = await database.command(
            "explain", {"find": query.collection, "filter": query.filter}, verbosity="queryPlanner"
        )
        if reads_whole_table(explained):
            found.append(query.describe())
    return found
