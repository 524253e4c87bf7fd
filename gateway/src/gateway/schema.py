"""The one schema, merged from the features, with the limits every request is held to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gateway.config import Settings
from gateway.error_language import ErrorsInReaderLanguage
from gateway.errors import Conflict, Forbidden, NotFound, ValidationError
from gateway.extensions import MaskInternalErrors, RequestReport, error_code, is_client_error
from gateway.features import (
    audit,
    data_erasures,
    data_exports,
    governance,
    imports,
    matches,
    matching_runs,
    me,
    nodes,
    notifications,
    participants,
    planned_sessions,
    programs,
    progress,
    progress_detail,
    report,
    scim_tokens,
)
from gateway.input_values import InputValuesRule
from gateway.limits import CostBudgets, Limits, QueryLimits
from gateway.timestamps import DATETIME
from mentorship_runtime.logging import get_logger

log = get_logger(__name__)

Query = merge_types(
    "Query",
    (
        me.Query,
        nodes.Query,
        programs.Query,
        participants.Query,
        matches.Query,
        matching_runs.Query,
        progress.Query,
        progress_detail.Query,
        planned_sessions.Query,
        report.Query,
        audit.Query,
        notifications.Query,
        scim_tokens.Query,
        data_exports.Query,
        data_erasures.Query,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        programs.Mutation,
        governance.Mutation,
        participants.Mutation,
        matches.Mutation,
        matching_runs.Mutation,
        progress.Mutation,
        planned_sessions.Mutation,
        notifications.Mutation,
        imports.Mutation,
        scim_tokens.Mutation,
        data_exports.Mutation,
        data_erasures.Mutation,
    ),
)
Subscription = notifications.Subscription


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Client errors (bad queries, refused tokens, forbidden fields, services down) are the
        normal life of an API: one line each. Anything else is a bug: logged with its traceback
        and the correlation id the client was given."""
        context = execution_context.context if execution_context else None
        correlation = getattr(context, "correlation_id", None)
        for error in errors:
            code = error_code(error)
            if code is not None and not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": code}
            if is_client_error(error):
                log.info(
                    "graphql_client_error",
                    code=code,
                    message=error.message[:300],
                    path=error.path,
                    correlation_id=correlation,
                )
            else:
                log.error(
                    "graphql_internal_error",
                    path=error.path,
                    correlation_id=correlation,
                    exc_info=error.original_error,
                )


def build_schema(settings: Settings) -> strawberry.Schema:
    """Extensions are factories: each request gets instances of its own (the budgets are the
    process's). The token limit bounds parsing; ``QueryLimits`` bounds everything after it."""
    limits = Limits(
        max_depth=settings.max_query_depth,
        max_fields=settings.max_query_fields,
        max_aliases=settings.max_aliases,
        max_cost=settings.max_query_cost,
        max_page=settings.max_page_size,
    )
    budgets = CostBudgets(settings.cost_points_per_minute)
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        partial(QueryLimits, limits=limits, budgets=budgets),
        partial(AddValidationRules, [InputValuesRule]),
        partial(RequestReport, with_calls=not settings.is_production),
        ErrorsInReaderLanguage,
    ]
    if settings.is_production:
        extensions += [DisableIntrospection, MaskInternalErrors]
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ValidationError, NotFound, Forbidden, Conflict],
        extensions=extensions,
        scalar_overrides={datetime: DATETIME},
    )
