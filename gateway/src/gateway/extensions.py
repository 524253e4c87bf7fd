"""Schema extensions: what every response says about itself, and what production hides."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors, SchemaExtension

from gateway.errors import (
    BAD_USER_INPUT,
    INTERNAL,
    PARSE_FAILED,
    SAFE_CODES,
    VALIDATION_FAILED,
)


def _context_of(extension: SchemaExtension) -> Any:
    return extension.execution_context.context


class RequestReport(SchemaExtension):
    """``extensions.correlationId`` on every response (the id to quote when reporting a problem,
    also in the gateway's and the services' logs), and outside production the internal calls the
    request cost, per service."""

    def __init__(self, *, with_calls: bool) -> None:
        self.with_calls = with_calls

    def get_results(self) -> dict[str, Any]:
        context = _context_of(self)
        if context is None or not hasattr(context, "correlation_id"):
            return {}
        report: dict[str, Any] = {"correlationId": context.correlation_id}
        if self.with_calls:
            report["internalCalls"] = context.calls.as_dict()
        return report


def error_code(error: GraphQLError) -> str | None:
    """The code an error carries, or the one its kind implies: the document did not parse, did
    not validate, or its variables did not fit their types (graphql-core words those
    ``Variable '$name' ...``, and wraps the scalar's own exception, e.g. an invalid date). None for
    an error that is nobody's but the gateway's."""
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if error.path is None and error.message.startswith("Variable '$"):
        return BAD_USER_INPUT
    original = error.original_error
    if isinstance(original, GraphQLError) and original is not error:
        return error_code(original)
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED
    if error.path is None and original is None:
        return VALIDATION_FAILED
    return None


def is_client_error(error: GraphQLError) -> bool:
    """Syntax, validation and variable errors, and the field errors written for clients."""
    code = error_code(error)
    if code is None:
        return error.original_error is None
    return code in SAFE_CODES


class MaskInternalErrors(MaskErrors):
    """Production: an unexpected error shows a generic message with the correlation id to quote;
    the details went to the log under that id (``GatewaySchema.process_errors``)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_client_error(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        correlation = getattr(_context_of(self), "correlation_id", None)
        return GraphQLError(
            f"Internal error. Quote this id if you report it: {correlation}",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": INTERNAL, "correlationId": correlation},
        )
