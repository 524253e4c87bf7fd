# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Relay-style connections. The services page by keyset: a page's last edge carries the cursor
to continue from (``pageInfo.endCursor``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from gateway.context import GatewayInfo
from gateway.errors import bad_input

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str | None = strawberry.field(description="Set on a page's last edge.")
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def page_size(info: GatewayInfo, first: int) -> int:
    cap = info.context.settings.max_page_size
    if not 1 <= first <= cap:
        raise bad_input(f"first must be between 1 and {cap}", "first")
    return first


def cursor_argument(after: str | None) -> str | None:
    if after is not None and (not after or len(after) > 400):
        raise bad_input("after must be a cursor from pageInfo.endCursor", "after")
    return after


def connection(
    items: Sequence[Any], next_cursor: str | None, node: Callable[[Any], T]
) -> Connection[T]:
    nodes = [node(item) for item in items]
    edges = [
        Edge(cursor=next_cursor if i == len(nodes) - 1 else None, node=n)
        for i, n in enumerate(nodes)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=next_cursor is not None, end_cursor=next_cursor),
    )
