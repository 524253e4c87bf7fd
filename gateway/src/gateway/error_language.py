"""The errors written for people, in the caller's language.

After a request ran, each error with a code meant for clients (``SAFE_CODES``) whose message a
catalog (``gateway.i18n``) knows gets it in the caller's language (asked for only then): their
profile's when signed in, else the one their ``Accept-Language`` prefers; its code, path and
extensions stay as they were.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.errors import SAFE_CODES
from gateway.features.reader_language import caller_language
from gateway.i18n import known, translate


class ErrorsInReaderLanguage(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        if not any(_for_people(error) for error in result.errors):
            return
        language = await caller_language(context)
        if language is None:
            return
        result.errors = [
            _translated(error, language) if _for_people(error) else error for error in result.errors
        ]


def _for_people(error: GraphQLError) -> bool:
    return (error.extensions or {}).get("code") in SAFE_CODES and known(error.message)


def _translated(error: GraphQLError, language: str) -> GraphQLError:
    message = translate(error.message, language)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )
