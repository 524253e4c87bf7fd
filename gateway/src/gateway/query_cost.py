"""What a GraphQL document asks for, measured before anything else looks at it.

Fragments can multiply a small document: nine fragments each spreading the next ten times name
10^9 fields in 700 bytes. Walking the expanded tree (as depth and alias limiters do) takes as long
as the expansion is large, so the walk here measures each fragment once and reuses the figures
wherever it is spread: the time is linear in the document's size whatever it expands to, and the
figures are exact (Python's integers do not overflow). A fragment that spreads itself is reported
at once (it would expand forever).

For each operation it gives:
- ``fields``: fields selected once every fragment is expanded (``__typename`` included);
- ``depth``: the deepest nesting of fields (introspection's ``__schema``/``__type`` subtrees are
  not counted, as GraphiQL's own query is deep by nature and production turns introspection off);
- ``aliases``: aliased fields, once expanded;
- ``cost``: the points the operation may cost, the way public GraphQL APIs price a query: every
  object field costs 1, scalars nothing, and a field taking a page size (``first``) multiplies
  what is under it by that size (its default when not given), so a page of 100 mentees with their
  progress costs about a hundred times one mentee. A mutation's root field costs 10 more (it
  writes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MUTATION_ROOT_COST = 10
PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class Measure:
    fields: int = 0
    depth: int = 0
    aliases: int = 0
    cost: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.fields + other.fields,
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.cost + other.cost,
        )


class FragmentCycle(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"fragment {name!r} spreads itself")
        self.name = name


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        max_page: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.max_page = max_page
        self.done: dict[str, Measure] = {}
        self.open: set[str] = set()

    def selection_set(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> Measure:
        total = Measure()
        if selections is None:
            return total
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self._type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> Measure:
        if name in self.done:
            return self.done[name]
        definition = self.fragments.get(name)
        if definition is None:
            return Measure()  # validation names the unknown fragment
        if name in self.open:
            raise FragmentCycle(name)
        self.open.add(name)
        measure = self.selection_set(
            definition.selection_set, self._type(definition.type_condition.name.value)
        )
        self.open.discard(name)
        self.done[name] = measure
        return measure

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        name = node.name.value
        definition = _field_of(parent, name)
        field_type = get_named_type(definition.type) if definition else None
        below = self.selection_set(node.selection_set, field_type)
        introspection = name in ("__schema", "__type")
        leaf = node.selection_set is None or (field_type is not None and is_leaf_type(field_type))
        own = 0 if leaf else 1
        if parent is not None and parent is self.schema.mutation_type:
            own += MUTATION_ROOT_COST
        return Measure(
            fields=1 + below.fields,
            depth=0 if introspection else 1 + below.depth,
            aliases=(1 if node.alias else 0) + below.aliases,
            cost=own + self._page(node, definition) * below.cost,
        )

    def _page(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """How many items the field may return: its page size, else its list argument's length."""
        if definition is None:
            return 1
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            value: Any = definition.args[name].default_value
            if name in given:
                value = self._value(given[name])
            return max(1, min(value, self.max_page)) if isinstance(value, int) else 1
        lengths = [
            len(value)
            for argument in given.values()
            if isinstance(value := self._value(argument), list)
        ]
        return max([1, *lengths])

    def _value(self, node: Any) -> Any:
        if isinstance(node, IntValueNode):
            try:
                return int(node.value)
            except ValueError:
                return None
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, ListValueNode):
            return list(node.values)
        return None

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)


def _field_of(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


def measure_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    max_page: int,
) -> Measure:
    """The figures of the operation that would run (all of them when the choice is ambiguous:
    the request then fails validation anyway, after this bound its work). Raises
    ``FragmentCycle``."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _Walker(schema, fragments, variables or {}, max_page)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name is not None and o.name.value == operation_name)
    ]
    total = Measure()
    for operation in chosen or operations:
        root = schema.get_root_type(operation.operation)
        total += walker.selection_set(operation.selection_set, root)
    # fragments no operation spreads are still checked for cycles and counted into nothing
    for name in fragments:
        walker.fragment(name)
    return total
