# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""``node(id)`` and ``nodes(ids)``: any object by its id, through the same loaders (and the same
visibility) as every other field."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import NOT_FOUND, bad_input, field_error
from gateway.features.matches import Match
from gateway.features.participants import Participant
from gateway.features.programs import Program
from gateway.node import Node
from gateway.services import segment

MAX_NODES = 100


async def _node(info: GatewayInfo, identifier: str) -> Node:
    loaders = info.context.loaders
    key = segment(identifier)
    kind, _, rest = key.partition("_")
    if not rest:
        raise bad_input(f"{identifier!r} is not a node id", "id")
    loaded: Any
    if kind == "pg":
        loaded = Program.of(await loaders.program.load(key))
    elif kind == "pt":
        loaded = Participant.of(await loaders.participant.load(key))
    elif kind == "m":
        loaded = Match.of(await loaders.match.load(key))
    else:
        raise field_error(NOT_FOUND, f"no kind of object has ids like {identifier!r}")
    node: Node = loaded
    return node


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its id, if you may see it.")
    async def node(self, info: GatewayInfo, id: strawberry.ID) -> Node | None:
        principal_of(info)
        return await _node(info, str(id))

    @strawberry.field(
        description="Objects by their ids (at most 100); each one you may not see is null, "
        "with its own error."
    )
    def nodes(self, info: GatewayInfo, ids: list[strawberry.ID]) -> list[Node | None]:
        principal_of(info)
        if len(ids) > MAX_NODES:
            raise bad_input(f"at most {MAX_NODES} ids", "ids")
        # one awaitable per item: GraphQL puts each failure on its own item; the loaders batch
        pending: list[Any] = [_node(info, str(i)) for i in ids]
        return pending
