"""Errors, the two kinds a front end meets.

Field errors (``GraphQLError`` with ``extensions.code``): a query cannot give a field's value, e.g.
``UNAUTHENTICATED``, ``FORBIDDEN`` (that field only), ``SERVICE_UNAVAILABLE`` (partial result),
``BAD_USER_INPUT``. Mutation errors are data: each mutation returns a union of its success type
and ``ValidationError | NotFound | Forbidden | Conflict``.
"""

from __future__ import annotations

import re
from typing import Any

import strawberry
from graphql import GraphQLError

from gateway.services import ServiceRejected, ServiceUnavailable, detail_of

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"
BAD_USER_INPUT = "BAD_USER_INPUT"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
TIMEOUT = "TIMEOUT"
SLOW_SUBSCRIBER = "SLOW_SUBSCRIBER"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
RATE_LIMITED = "RATE_LIMITED"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_REQUEST = "BAD_REQUEST"
INTERNAL = "INTERNAL_SERVER_ERROR"

SAFE_CODES = frozenset(
    {
        UNAUTHENTICATED,
        FORBIDDEN,
        NOT_FOUND,
        BAD_USER_INPUT,
        SERVICE_UNAVAILABLE,
        TIMEOUT,
        SLOW_SUBSCRIBER,
        QUERY_TOO_COMPLEX,
        RATE_LIMITED,
        PARSE_FAILED,
        VALIDATION_FAILED,
        BAD_REQUEST,
    }
)
"""Codes whose messages are written for the client: never masked."""


def field_error(code: str, message: str, **extra: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extra})


def unauthenticated(reason: str) -> GraphQLError:
    return field_error(UNAUTHENTICATED, reason)


def forbidden(message: str) -> GraphQLError:
    return field_error(FORBIDDEN, message)


def not_visible(kind: str, identifier: str) -> GraphQLError:
    """What the services say about something that does not exist or is not the caller's to see
    (they do not tell which, so that ids cannot be probed): FORBIDDEN on that field."""
    return field_error(FORBIDDEN, f"{kind} {identifier!r} does not exist or is not visible to you")


def bad_input(message: str, field: str | None = None) -> GraphQLError:
    return field_error(BAD_USER_INPUT, message, **({"field": field} if field else {}))


def unavailable(exc: ServiceUnavailable) -> GraphQLError:
    return field_error(SERVICE_UNAVAILABLE, str(exc), service=exc.service)


def rejected(exc: ServiceRejected, kind: str, identifier: str = "") -> GraphQLError:
    """A 4xx from a service, when a query (not a mutation) gets one."""
    if exc.status == 401:
        return unauthenticated("the service refused the token")
    if exc.status == 403:
        return forbidden(detail_of(exc.body))
    if exc.status == 404:
        return not_visible(kind, identifier)
    return bad_input(detail_of(exc.body))


def as_field_error(exc: Exception, kind: str, identifier: str = "") -> GraphQLError:
    if isinstance(exc, ServiceUnavailable):
        return unavailable(exc)
    if isinstance(exc, ServiceRejected):
        return rejected(exc, kind, identifier)
    if isinstance(exc, GraphQLError):
        return exc
    raise exc


# ---- mutation errors, as data ------------------------------------------------------------------


@strawberry.interface(description="Something a mutation could not do, and why.")
class MutationError:
    message: str


@strawberry.type(description="One invalid input value.")
class FieldProblem:
    path: list[str] = strawberry.field(description="Where in the input, e.g. ['input', 'email'].")
    message: str


@strawberry.type(description="The input was refused; each problem names its field.")
class ValidationError(MutationError):
    problems: list[FieldProblem]


@strawberry.type(description="Something the mutation needs does not exist (or is not yours).")
class NotFound(MutationError):
    kind: str | None = None
    id: str | None = None


@strawberry.type(description="You may not do this.")
class Forbidden(MutationError):
    pass


@strawberry.type(description="This does not fit the current state, e.g. a match already ended.")
class Conflict(MutationError):
    current_state: str | None = None


MutationFailure = ValidationError | NotFound | Forbidden | Conflict

_PLACES = {"body", "query", "path", "header"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def validation_error(problems: list[tuple[list[str], str]]) -> ValidationError:
    items = [FieldProblem(path=path, message=message) for path, message in problems]
    summary = "; ".join(f"{'.'.join(p.path)}: {p.message}" for p in items)
    return ValidationError(message=f"invalid input: {summary}", problems=items)


def invalid(field: str, message: str) -> ValidationError:
    """A problem the gateway finds itself, before any service is called."""
    return validation_error([(["input", field], message)])


def mutation_failure(exc: ServiceRejected) -> MutationFailure:
    """A service's 4xx answer as a typed mutation error (field names in the schema's spelling)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    message = detail_of(exc.body)
    if exc.status == 422:
        problems: list[tuple[list[str], str]] = []
        detail = body.get("detail")
        for item in detail if isinstance(detail, list) else []:
            if not isinstance(item, dict):
                continue
            loc = [str(part) for part in item.get("loc", [])]
            if loc and loc[0] in _PLACES:
                loc = loc[1:]
            path = [
                "input",
                *(_camel(part) if re.fullmatch(r"[a-z_]+", part) else part for part in loc),
            ]
            problems.append((path, str(item.get("msg", "invalid"))))
        return validation_error(problems or [(["input"], message)])
    if exc.status == 404:
        kind, identifier = body.get("kind"), body.get("id")
        return NotFound(
            message=message,
            kind=kind if isinstance(kind, str) else None,
            id=identifier if isinstance(identifier, str) else None,
        )
    if exc.status in (401, 403):
        return Forbidden(message=message)
    if exc.status == 409:
        current = body.get("current_state")
        return Conflict(
            message=message, current_state=current if isinstance(current, str) else None
        )
    return validation_error([(["input"], message)])
