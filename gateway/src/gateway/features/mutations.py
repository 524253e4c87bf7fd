"""How every mutation calls its service: typed errors for what the caller can fix, field errors
for what they cannot (a service down)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from gateway.errors import (
    Arguments,
    MutationFailure,
    mutation_failure,
    unauthenticated,
    unavailable,
)
from gateway.services import ServiceRejected, ServiceUnavailable

S = TypeVar("S")


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
