# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Errors, the two kinds a front end meets.

Field errors (``GraphQLError`` with ``extensions.code``): a query cannot give a field's value, e.g.
``UNAUTHENTICATED``, ``FORBIDDEN`` (that field only), ``SERVICE_UNAVAILABLE`` (partial result),
``BAD_USER_INPUT``; their messages, written here in English, are rewritten in the reader's
language after the request ran (``gateway.error_language``), codes and extensions unchanged, so
each one the gateway writes has a catalog entry. Mutation errors are data: each mutation
returns a union of its success type and ``ValidationError | NotFound | Forbidden | Conflict``,
whose messages (as the services or the gateway wrote them, in English) are answered in the
reader's language (``gateway.i18n``), codes, kinds, states and paths unchanged.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

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


async def answers_of(kind: str, identifier: str, *calls: Awaitable[Any]) -> list[Any]:
    """The answers of ``calls``, made at the same time; the first that failed (in their order)
    is raised as the field's error."""
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise as_field_error(outcome, kind, identifier) from None
        if isinstance(outcome, BaseException):
            raise outcome
    return list(outcomes)


# ---- mutation errors, as data ------------------------------------------------------------------


async def _in_reader_language(info: Info[Any, Any], texts: list[str]) -> list[str]:
    from gateway.features.reader_language import in_reader_language  # noqa: PLC0415 (a cycle)

    return await in_reader_language(info, texts)


@strawberry.interface(description="Something a mutation could not do, and why.")
class MutationError:
    written_message: strawberry.Private[str]
    """As the service (or the gateway) wrote it, in English."""

    @strawberry.field(description="Why, in your language (English when no catalog knows it).")
    async def message(self, info: Info[Any, Any]) -> str:
        (message,) = await _in_reader_language(info, [self.written_message])
        return message


@strawberry.type(description="One invalid input value.")
class FieldProblem:
    path: list[str] = strawberry.field(
        description="Where, in the schema's spelling: an argument and the fields under it, e.g. "
        "['input', 'email'] or ['confidence']. A list index or a map's key (a skill, a "
        "notification kind) is one element."
    )
    written_message: strawberry.Private[str]

    @strawberry.field(description="What is wrong with it, in your language.")
    async def message(self, info: Info[Any, Any]) -> str:
        (message,) = await _in_reader_language(info, [self.written_message])
        return message


@strawberry.type(description="The input was refused; each problem names its field.")
class ValidationError(MutationError):
    problems: list[FieldProblem]

    @strawberry.field(description="Every problem with its path, in your language.")
    async def message(self, info: Info[Any, Any]) -> str:
        said = await _in_reader_language(
            info, [INVALID_INPUT, *(p.written_message for p in self.problems)]
        )
        return _summary(said[0], [p.path for p in self.problems], said[1:])


@strawberry.enum(description="What kind of thing a mutation did not find.")
class NotFoundKind(Enum):
    PROGRAM = "program"
    PARTICIPANT = "participant"
    MATCH = "match"
    MENTEE = "mentee"
    LEARNING_PATH = "learning path"
    MODULE = "module"
    MILESTONE = "milestone"
    SESSION = "session"
    PLANNED_SESSION = "planned session"
    DATA_EXPORT = "data export"
    DATA_ERASURE = "data erasure"


@strawberry.enum(
    description="The state a mutation found something in: a match's, a program's, a "
    "participant's, a mentee's tracking, or a planned session's."
)
class ObjectState(Enum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"
    CANCELLED = "cancelled"
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    PAUSED = "paused"
    STOPPED = "stopped"
    SCHEDULED = "scheduled"
    HELD = "held"


@strawberry.type(description="Something the mutation needs does not exist (or is not yours).")
class NotFound(MutationError):
    kind: NotFoundKind | None = strawberry.field(
        default=None, description="Null for a kind this gateway does not know yet."
    )
    id: strawberry.ID = strawberry.field(
        default=strawberry.ID(""),
        description="The id looked for (empty if the service did not say).",
    )


@strawberry.type(description="You may not do this.")
class Forbidden(MutationError):
    pass


@strawberry.type(description="This does not fit the current state, e.g. a match already ended.")
class Conflict(MutationError):
    current_state: ObjectState | None = strawberry.field(
        default=None, description="Null when the service did not name a state."
    )
    existing_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="What stands in the way, when the service names it: e.g. the participant "
        "registered before in the same program.",
    )


MutationFailure = ValidationError | NotFound | Forbidden | Conflict

_PLACES = {"body", "query", "path", "header"}
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def _camel(name: str) -> str:
    """A service's field name as the schema spells it; anything else (an index) as it is."""
    if not _SNAKE.fullmatch(name):
        return name
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Arguments:
    """Where the fields a service names are among a mutation's arguments, so that each problem's
    path is in the schema's spelling.

    A field in ``fields`` has a path of its own (``mentee_id`` → ``["menteeId"]``, an argument);
    any other is camel-cased under ``prefix`` (``held_on`` → ``["input", "heldOn"]``). A field in
    ``keyed`` is a map: the element after it is one of its keys, kept whole as one element (a
    notification kind has dots, at which the services split a field's name), in the schema's
    spelling when an enum lists the keys (``["input", "channels", "PROGRESS_CONFIDENCE_DROPPED"]``).
    """

    prefix: tuple[str, ...] = ()
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    keyed: Mapping[str, type[Enum] | None] = field(default_factory=dict)

    def path(self, loc: Sequence[object]) -> list[str]:
        """The schema's path to what a service's ``loc`` names."""
        parts = _named(loc)
        if not parts:
            return list(self.prefix)
        head, rest = parts[0], parts[1:]
        path = list(
            _EVERY_MUTATION.get(head) or self.fields.get(head) or (*self.prefix, _camel(head))
        )
        if head in self.keyed and rest:
            key, rest = _key(rest, self.keyed[head])
            path.append(key)
        return [*path, *(_camel(part) for part in rest)]


_EVERY_MUTATION: dict[str, tuple[str, ...]] = {
    "idempotencyKey": ("idempotencyKey",),
    "Idempotency-Key": ("idempotencyKey",),
}

INPUT = Arguments(prefix=("input",))
"""A mutation whose service fields are those of its ``input`` argument."""


def _named(loc: Sequence[object]) -> list[str]:
    """A service's ``loc`` without the place it starts with (body, query, path, header)."""
    parts = [str(part) for part in loc]
    return parts[1:] if parts and parts[0] in _PLACES else parts


def _key(parts: list[str], keys: type[Enum] | None) -> tuple[str, list[str]]:
    """The map key that ``parts`` start with, and what follows it. A key the enum lists is found
    again even when split at its dots, and named as the enum names it; any other first element
    (a free key, a list index) is taken as it is."""
    if keys is None:
        return parts[0], parts[1:]
    for end in range(len(parts), 0, -1):
        wire = ".".join(parts[:end])
        for member in keys:
            if member.value == wire:
                return member.name, parts[end:]
    return parts[0], parts[1:]


INVALID_INPUT = "invalid input"
"""What a ValidationError's message starts with, before its problems."""


def _summary(head: str, paths: list[list[str]], messages: list[str]) -> str:
    each = (
        f"{'.'.join(path)}: {said}" if path else said
        for path, said in zip(paths, messages, strict=True)
    )
    return f"{head}: {'; '.join(each)}"


def validation_error(problems: list[tuple[list[str], str]]) -> ValidationError:
    items = [FieldProblem(path=path, written_message=message) for path, message in problems]
    return ValidationError(
        written_message=_summary(INVALID_INPUT, [p[0] for p in problems], [p[1] for p in problems]),
        problems=items,
    )


def invalid(path: Sequence[str], message: str) -> ValidationError:
    """A problem the gateway finds itself, before any service is called: ``path`` in the
    schema's spelling, e.g. ``["input", "goals"]``."""
    return validation_error([(list(path), message)])


E = TypeVar("E", bound=Enum)


def _member(enum: type[E], value: Any) -> E | None:
    """The member with that wire value; None for a value this gateway does not know."""
    try:
        return enum(value)
    except (ValueError, TypeError):
        return None


def mutation_failure(exc: ServiceRejected, where: Arguments) -> MutationFailure:
    """A service's 4xx answer as a typed mutation error, each problem's path in the schema's
    spelling (``where`` says how the mutation's arguments reached the service)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    message = detail_of(exc.body)
    if exc.status == 422:
        problems: list[tuple[list[str], str]] = []
        detail = body.get("detail")
        for item in detail if isinstance(detail, list) else []:
            if not isinstance(item, dict):
                continue
            loc = item.get("loc")
            loc = loc if isinstance(loc, list) else []
            said = str(item.get("msg", "invalid"))
            # a domain rule's message starts with the field's name, already in the path
            named = ".".join(_named(loc))
            problems.append((where.path(loc), said.removeprefix(f"{named}: ")))
        return validation_error(problems or [(list(where.prefix), message)])
    if exc.status == 404:
        kind, identifier = body.get("kind"), body.get("id")
        return NotFound(
            written_message=message,
            kind=_member(NotFoundKind, kind),
            id=strawberry.ID(identifier if isinstance(identifier, str) else ""),
        )
    if exc.status in (401, 403):
        return Forbidden(written_message=message)
    if exc.status == 409:
        existing = body.get("participant_id")
        return Conflict(
            written_message=message,
            current_state=_member(ObjectState, body.get("current_state")),
            existing_id=strawberry.ID(existing) if isinstance(existing, str) else None,
        )
    return validation_error([(list(where.prefix), message)])
