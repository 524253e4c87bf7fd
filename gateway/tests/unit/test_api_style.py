"""One style across the API: closed sets are enums holding the services' wire values, ids are
``ID``, union members agree on the fields they share, timestamps are to the millisecond, and the
GraphiQL examples run against the schema as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any, get_args

import httpx
import pytest
from graphql import (
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
    parse,
    validate,
)

import mentoring.domain.matches as mentoring_matches
import mentoring.domain.matching.model as matching
import mentoring.domain.participants as mentoring_participants
import mentoring.domain.programs as mentoring_programs
import notify.domain.events as notify_events
import notify.domain.notifications as notify_notifications
import notify.domain.preferences as notify_preferences
import progress.domain.planned_sessions as progress_planned
import progress.domain.status as progress_status
import progress.domain.tracking as progress_tracking
import progress.domain.views as progress_views
from gateway.errors import ObjectState
from gateway.examples import EXAMPLE_OPERATIONS
from gateway.features import audit, enums
from gateway.features.notifications import Notification
from gateway.features.progress_types import Trend
from gateway.schema import build_schema
from mentorship_contracts import new_envelope
from mentorship_contracts.events import AdminAction, NotificationCreatedV1
from mentorship_contracts.events.audit import AuditedKind
from mentorship_contracts.events.common import Language, Role
from mentorship_runtime.auth import ROLES

from .conftest import Gateway, settings
from .samples import match

SCHEMA = build_schema(settings())._schema


def _values(source: Any) -> set[str]:
    if isinstance(source, type) and issubclass(source, Enum):
        return {str(member.value) for member in source}
    return set(get_args(source)) or {str(value) for value in source}


SERVICES_VALUES: list[tuple[type[Enum], Any]] = [
    (enums.ProgramStatus, mentoring_programs.ProgramStatus),
    (enums.DepartmentPreference, mentoring_programs.DepartmentPreference),
    (enums.Criterion, matching.Criterion),
    (enums.MatchingObjective, matching.Objective),
    (enums.ParticipantRole, Role),
    (enums.ParticipantStatus, mentoring_participants.ParticipantStatus),
    (enums.Language, Language),
    (enums.AccountRole, ROLES),
    (enums.MatchStatus, mentoring_matches.MatchStatus),
    (enums.MatchOutcome, mentoring_matches.Outcome),
    (enums.ProposedBy, mentoring_matches.ProposedBy),
    (enums.ProgressStatus, progress_status.ProgressStatus),
    (enums.TrackingState, progress_tracking.TrackingState),
    (Trend, progress_views.Trend),
    (enums.NotificationKind, notify_events.EventKind),
    (enums.NotificationPriority, notify_notifications.Priority),
    (enums.NotificationChannel, notify_preferences.Channel),
    (enums.DigestMode, notify_preferences.DigestMode),
    (audit.AuditAction, AdminAction),
    (audit.AuditedObjectKind, AuditedKind),
]


@pytest.mark.parametrize(
    ("ours", "theirs"), SERVICES_VALUES, ids=[ours.__name__ for ours, _ in SERVICES_VALUES]
)
def test_each_enum_holds_exactly_the_services_wire_values(ours: type[Enum], theirs: Any) -> None:
    assert {str(member.value) for member in ours} == _values(theirs)


def test_a_conflicts_state_is_any_state_a_service_guards() -> None:
    states = (
        mentoring_matches.MatchStatus,
        mentoring_programs.ProgramStatus,
        mentoring_participants.ParticipantStatus,
        progress_tracking.TrackingState,
        progress_planned.PlannedStatus,
    )
    assert {member.value for member in ObjectState} == set().union(*map(_values, states))


def _named_fields() -> list[tuple[str, str, Any]]:
    """(owner, name, type) of every field, input field and argument of the schema."""
    found: list[tuple[str, str, Any]] = []
    for kind in SCHEMA.type_map.values():
        if kind.name.startswith("__"):
            continue
        if isinstance(kind, GraphQLObjectType | GraphQLInputObjectType):
            for name, field in kind.fields.items():
                found.append((kind.name, name, field.type))
                for argument, definition in getattr(field, "args", {}).items():
                    found.append((f"{kind.name}.{name}", argument, definition.type))
    return found


def test_every_id_is_an_id() -> None:
    named = [
        (owner, name, kind)
        for owner, name, kind in _named_fields()
        if name == "id" or name.endswith(("Id", "Ids"))
    ]
    assert len(named) > 40
    assert [(o, n) for o, n, kind in named if get_named_type(kind) is not GraphQLID] == []


def test_the_fields_that_name_a_closed_set_are_enums() -> None:
    """The names that held closed sets as strings (statuses, kinds, roles...) are enums now."""
    closed = {"status", "state", "kind", "channels", "criterion", "objective", "roles"}
    closed |= {"digest", "priority", "proposedBy", "ratedBy", "language", "departmentPreference"}
    strings = [
        (owner, name)
        for owner, name, kind in _named_fields()
        if name in closed and get_named_type(kind).name == "String"
    ]
    assert strings == []


def test_members_of_a_result_union_agree_on_every_field_they_share() -> None:
    """So that a client can select ``id`` (or any field) on several members at once."""
    clashes = []
    for union in SCHEMA.type_map.values():
        if not isinstance(union, GraphQLUnionType):
            continue
        seen: dict[str, tuple[str, str]] = {}
        for member in union.types:
            for name, field in member.fields.items():
                owner, kind = seen.setdefault(name, (member.name, str(field.type)))
                if kind != str(field.type):
                    clashes.append((union.name, name, owner, kind, member.name, str(field.type)))
    assert clashes == []


async def test_a_union_selection_of_id_on_the_match_and_not_found_is_valid(
    gateway: Gateway,
) -> None:
    gateway.services["mentoring"].route(
        "POST",
        "/matches/m-9/decline",
        lambda _: httpx.Response(
            404, json={"detail": "match 'm-9' not found", "kind": "match", "id": "m-9"}
        ),
    )
    body = await gateway.query(
        """mutation { declineMatch(matchId: "m-9") {
             __typename ... on Match { id } ... on NotFound { id kind } } }"""
    )
    assert body["data"]["declineMatch"] == {"__typename": "NotFound", "id": "m-9", "kind": "MATCH"}


async def test_a_mutations_timestamp_reads_as_every_later_read_of_it(gateway: Gateway) -> None:
    """The service answers a write from memory (microseconds); MongoDB keeps milliseconds."""
    written = {**match("m-1", "active"), "decided_at": "2026-11-28T10:00:30.362422+00:00"}
    stored = {**match("m-1", "active"), "decided_at": "2026-11-28T10:00:30.362Z"}
    gateway.services["mentoring"].route("POST", "/matches/m-1/decline", written)
    gateway.services["mentoring"].route("GET", "/matches", {"items": [stored]})

    declined = await gateway.query(
        'mutation { declineMatch(matchId: "m-1") { ... on Match { decidedAt } } }'
    )
    read = await gateway.query('{ match(id: "m-1") { decidedAt } }')

    assert declined["data"]["declineMatch"]["decidedAt"] == read["data"]["match"]["decidedAt"]
    assert read["data"]["match"]["decidedAt"] == "2026-11-28T10:00:30.362Z"


def test_a_live_notification_is_to_the_millisecond_and_speaks_enums() -> None:
    event = new_envelope(
        NotificationCreatedV1(
            notification_id="n-1",
            recipient_id="u-grace",
            kind="progress.confidence_dropped",
            priority="high",
            title="Ada's confidence dropped",
            body="4 to 2",
            subject_id="pt-ada",
            created_at=datetime(2026, 11, 28, 10, 0, 30, 362422, tzinfo=UTC),
        ),
        producer="notify",
    )
    created = Notification.created(event.data)
    assert created.created_at == datetime(2026, 11, 28, 10, 0, 30, 362000, tzinfo=UTC)
    assert created.kind is enums.NotificationKind.PROGRESS_CONFIDENCE_DROPPED
    assert created.priority is enums.NotificationPriority.HIGH


def test_the_graphiql_examples_are_valid_operations() -> None:
    document = parse(EXAMPLE_OPERATIONS)
    assert len(document.definitions) >= 8
    assert [error.message for error in validate(SCHEMA, document)] == []
