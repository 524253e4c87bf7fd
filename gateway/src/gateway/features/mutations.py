"""How every mutation calls its service: typed errors for what the caller can fix, field errors
for what they cannot (a service down)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry

from gateway.errors import (
    Arguments,
    MutationFailure,
    mutation_failure,
    unauthenticated,
    unavailable,
)
from gateway.services import ServiceRejected, ServiceUnavailable

S = TypeVar("S")

IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="Your key for this request, 1 to 200 printable ASCII characters: a retry "
        "with the same key and the same input returns what the first one created, without "
        "doing it twice; the same key with another input is a Conflict."
    ),
]
"""The argument every creating mutation takes (docs/architecture.md, "Creating requests")."""


async def mutate(
    call: Awaitable[Any], success: Callable[[Any], S], where: Arguments
) -> S | MutationFailure:
    """``where`` says where the fields the service may name are among the mutation's arguments
    (each refused field's path is in the schema's spelling)."""
    try:
        body = await call
    except ServiceRejected as exc:
        if exc.status == 401:
            raise unauthenticated("the service refused the token") from None
        return mutation_failure(exc, where)
    except ServiceUnavailable as exc:
        raise unavailable(exc) from None
    return success(body)
