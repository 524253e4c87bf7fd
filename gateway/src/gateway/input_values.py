"""What an argument may hold beyond its GraphQL type, checked before anything runs.

- ``ID``: printable ASCII without spaces or commas, at most 128 characters. The services' ids are
  shorter (``pt_…``, ``m_…``); ids travel in URL paths and in comma-separated lists to the
  services, and a megabyte of id made the HTTP client refuse the URL.
- ``String``: no NUL character and no lone surrogate, which neither the JSON sent to a service nor
  MongoDB can carry.

Literals in the document are checked by a validation rule (``InputValuesRule``, which knows each
value's input type); variables by ``id_problems`` (every string of a request's variables is
already checked for NUL and surrogates by ``gateway.request_body``). Both answer
``BAD_USER_INPUT``. (The built-in scalars cannot be replaced: graphql-core reserves their names.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
    get_named_type,
    type_from_ast,
)

from gateway.errors import BAD_USER_INPUT
from mentorship_contracts.text import why_unstorable

MAX_ID_LENGTH = 128
_ID_TEXT = re.compile(rf"[\x21-\x2b\x2d-\x7e]{{1,{MAX_ID_LENGTH}}}")


def id_problem(value: str) -> str | None:
    if _ID_TEXT.fullmatch(value):
        return None
    shown = value[:40] + ("…" if len(value) > 40 else "")
    return (
        f"{shown!r} is not an id (printable ASCII without spaces or commas, "
        f"at most {MAX_ID_LENGTH} characters)"
    )


def text_problem(value: str) -> str | None:
    why = why_unstorable(value)
    return None if why is None else f"a string may not contain {why}"


class InputValuesRule(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        named = get_named_type(self.context.get_input_type())
        if named is GraphQLID:
            problem = id_problem(node.value)
        elif named is GraphQLString:
            problem = text_problem(node.value)
        else:
            return
        if problem is not None:
            self.report_error(GraphQLError(problem, node, extensions={"code": BAD_USER_INPUT}))


def _ids_in(kind: GraphQLInputType, value: Any, path: str) -> list[str]:
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if value is None:
        return []
    if isinstance(kind, GraphQLList):
        items = value if isinstance(value, list) else [value]
        found: list[str] = []
        for index, item in enumerate(items):
            found += _ids_in(kind.of_type, item, f"{path}.{index}")
        return found
    if isinstance(kind, GraphQLInputObjectType):
        if not isinstance(value, Mapping):
            return []
        found = []
        for name, field in kind.fields.items():
            if name in value:
                found += _ids_in(field.type, value[name], f"{path}.{name}")
        return found
    if kind is GraphQLID and isinstance(value, str):
        problem = id_problem(value)
        return [f"Variable '{path}': {problem}"] if problem else []
    return []


def id_problems(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> list[str]:
    """Each id among the variables of the operations that may run that breaks the id rule."""
    if not variables:
        return []
    problems: list[str] = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is not None and (
            definition.name is None or definition.name.value != operation_name
        ):
            continue
        for variable in definition.variable_definitions or ():
            name = variable.variable.name.value
            kind = type_from_ast(schema, variable.type)
            if kind is not None and name in variables:
                problems += _ids_in(kind, variables[name], f"${name}")  # type: ignore[arg-type]
    return problems
