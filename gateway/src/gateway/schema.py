"""The one schema, merged from the features, with the limits every request is held to."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types

from gateway.config import Settings
from gateway.errors import Conflict, Forbidden, NotFound, ValidationError
from gateway.extensions import MaskInternalErrors, RequestReport
from gateway.features import matches, me, notifications, participants, programs, progress

Query = merge_types(
    "Query",
    (
        me.Query,
        programs.Query,
        participants.Query,
        matches.Query,
        progress.Query,
        notifications.Query,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        programs.Mutation,
        participants.Mutation,
        matches.Mutation,
        progress.Mutation,
        notifications.Mutation,
    ),
)
Subscription = notifications.Subscription


def build_schema(settings: Settings) -> strawberry.Schema:
    """Extensions are factories: each request gets instances of its own."""
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        partial(RequestReport, with_calls=not settings.is_production),
    ]
    if settings.is_production:
        extensions += [DisableIntrospection, MaskInternalErrors]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ValidationError, NotFound, Forbidden, Conflict],
        extensions=extensions,
    )
