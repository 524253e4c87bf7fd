"""The records of the audit trail of administrative actions, as the handlers write them.

A handler that performs an administrative action adds an ``AdminActionRecorded`` event to the
same outbox write as its change (``record`` and the helpers below build it), so a change is
never stored without its record, nor a record without its change (``audit_trail`` stores and
reads them). Records name people by user or participant id and status, never by name or e-mail
address.

Recording a new kind of action: add a member to ``AdminAction`` (contracts) and, in the handler,
add ``audit.record(ctx, actor_id, AdminAction.X, program_id, kind, object_id, before, after)`` to
the events of the write that performs it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from mentoring.domain.matches import Match
from mentoring.domain.participants import Participant, WeeklySlot
from mentoring.domain.programs import Program, ProgramStatus
from mentoring.service_layer.events import EventFactory
from mentoring.service_layer.ports import RunSummary, ScimToken
from mentorship_contracts import Envelope
from mentorship_contracts.events import AdminAction, AdminActionRecorded
from mentorship_contracts.events.audit import AuditedKind
from mentorship_runtime.principal import Principal

Values = dict[str, Any]
WITHHELD = frozenset({"display_name", "email", "manager_id", "department"})
"""A person's fields whose values no record holds (a name, an e-mail address and a manager link,
which an erasure removes while a record is kept for good; a department, free text): a change
names them, without their values."""


class Recording(Protocol):
    """What building a record needs of a handler's context: its event factory."""

    @property
    def events(self) -> EventFactory: ...


def record(
    ctx: Recording,
    actor_id: str,
    action: AdminAction,
    program_id: str,
    kind: AuditedKind,
    object_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> Envelope[Any]:
    """The event recording one action, to be written with the change it records."""
    return ctx.events.wrap(
        AdminActionRecorded(
            program_id=program_id,
            actor_id=actor_id,
            action=action,
            object_kind=kind,
            object_id=object_id,
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
        )
    )


def program_values(program: Program) -> Values:
    """A program's settings as the audit trail shows them (its admins are recorded apart)."""
    s = program.settings
    return {
        "name": program.name,
        "description": program.description,
        "status": program.status.value,
        "learning_path_id": program.learning_path_id,
        "weights": dict(s.weights),
        "department_preference": s.department_preference,
        "proposal_expiry_days": s.proposal_expiry_days,
        "default_mentor_capacity": s.default_mentor_capacity,
        "mutual_acceptance": s.mutual_acceptance,
        "stall_window_days": program.stall_window_days,
        "check_in_reminder_days": program.check_in_reminder_days,
        "self_erasure": program.self_erasure,
    }


def program_created(ctx: Recording, actor_id: str, program: Program) -> Envelope[Any]:
    return record(
        ctx,
        actor_id,
        AdminAction.PROGRAM_CREATED,
        program.id,
        "program",
        program.id,
        after={**program_values(program), "admin_ids": list(program.admin_ids)},
    )


def program_changed(ctx: Recording, actor_id: str, old: Program, new: Program) -> Envelope[Any]:
    """The settings that differ, old and new; opening or closing is its own kind of action."""
    was, now = program_values(old), program_values(new)
    changed = [name for name in now if was[name] != now[name]]
    action = AdminAction.PROGRAM_CHANGED
    if old.status is not new.status:
        action = (
            AdminAction.PROGRAM_OPENED
            if new.status is ProgramStatus.OPEN
            else AdminAction.PROGRAM_CLOSED
        )
    return record(
        ctx,
        actor_id,
        action,
        new.id,
        "program",
        new.id,
        before={name: was[name] for name in changed},
        after={name: now[name] for name in changed},
    )


def admins_changed(
    ctx: Recording, actor_id: str, old: Program, new: Program, user_id: str
) -> Envelope[Any]:
    added = new.is_admin(user_id)
    return record(
        ctx,
        actor_id,
        AdminAction.ADMIN_ADDED if added else AdminAction.ADMIN_REMOVED,
        new.id,
        "admin",
        user_id,
        before={"admin_ids": list(old.admin_ids)},
        after={"admin_ids": list(new.admin_ids)},
    )


def _sides(match: Match) -> Values:
    return {"mentee_id": match.mentee.participant_id, "mentor_id": match.mentor.participant_id}


def match_proposed(ctx: Recording, actor_id: str, match: Match) -> Envelope[Any]:
    """A proposal an admin made for a mentee: its sides' ids and its score."""
    return record(
        ctx,
        actor_id,
        AdminAction.MATCH_PROPOSED,
        match.program_id,
        "match",
        match.id,
        after={"status": match.status.value, **_sides(match), "score": match.score},
    )


def match_transition(
    ctx: Recording, actor_id: str, action: AdminAction, old: Match, new: Match
) -> Envelope[Any]:
    """A match's status changed by an admin (cancelled, ended), with its sides' ids; the
    reason, free text, stays on the match."""
    return record(
        ctx,
        actor_id,
        action,
        new.program_id,
        "match",
        new.id,
        before={"status": old.status.value, **_sides(old)},
        after={"status": new.status.value, **_sides(new)},
    )


def proposal_cancelled(ctx: Recording, actor_id: str, old: Match, new: Match) -> Envelope[Any]:
    return match_transition(ctx, actor_id, AdminAction.PROPOSAL_CANCELLED, old, new)


def match_ended(ctx: Recording, actor_id: str, old: Match, new: Match) -> Envelope[Any]:
    return match_transition(ctx, actor_id, AdminAction.MATCH_ENDED, old, new)


def participant_withdrawn(
    ctx: Recording, actor_id: str, old: Participant, new: Participant
) -> Envelope[Any]:
    return record(
        ctx,
        actor_id,
        AdminAction.PARTICIPANT_WITHDRAWN,
        new.program_id,
        "participant",
        new.id,
        before={"status": old.status.value, "user_id": old.user_id},
        after={"status": new.status.value, "user_id": new.user_id},
    )


def participant_registered(ctx: Recording, actor_id: str, new: Participant) -> Envelope[Any]:
    """A person an admin registered (not themself): their account, roles and status."""
    return record(
        ctx,
        actor_id,
        AdminAction.PARTICIPANT_REGISTERED,
        new.program_id,
        "participant",
        new.id,
        after={"status": new.status.value, "user_id": new.user_id, "roles": sorted(new.roles)},
    )


def _value(value: Any) -> Any:
    """A profile field's value as JSON: sets sorted, weekly slots as objects."""
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, WeeklySlot):
        return dataclasses.asdict(value)
    if isinstance(value, tuple | list):
        return [_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _value(v) for k, v in value.items()}
    return value


def participant_changed(
    ctx: Recording, actor_id: str, old: Participant, new: Participant, fields: Iterable[str]
) -> Envelope[Any]:
    """Another person's profile changed by an admin: the fields that changed (``changed``), and
    their old and new values, except those ``WITHHELD``, which are named only."""
    changed = sorted(fields)
    shown = [name for name in changed if name not in WITHHELD]
    return record(
        ctx,
        actor_id,
        AdminAction.PARTICIPANT_CHANGED,
        new.program_id,
        "participant",
        new.id,
        before={name: _value(getattr(old, name)) for name in shown},
        after={"changed": changed, **{name: _value(getattr(new, name)) for name in shown}},
    )


def scim_token_created(ctx: Recording, actor_id: str, token: ScimToken) -> Envelope[Any]:
    """A SCIM token created: its id (never its secret; its label, free text, stays on it)."""
    return record(
        ctx,
        actor_id,
        AdminAction.SCIM_TOKEN_CREATED,
        token.program_id,
        "scim_token",
        token.id,
        after={"status": "active", "created_by": token.created_by},
    )


def scim_token_revoked(ctx: Recording, actor_id: str, token: ScimToken) -> Envelope[Any]:
    return record(
        ctx,
        actor_id,
        AdminAction.SCIM_TOKEN_REVOKED,
        token.program_id,
        "scim_token",
        token.id,
        before={"status": "active", "created_by": token.created_by},
        after={"status": "revoked", "created_by": token.created_by},
    )


def participant_provisioned(
    ctx: Recording, actor: Principal, old: Participant | None, new: Participant
) -> Envelope[Any]:
    """A person created (no ``before``) or changed by the program's identity provider, acting as
    the admin who created its token: their status, and for a change the names of the fields
    that changed, not their values (a name, an e-mail address)."""
    if old is None:
        return record(
            ctx,
            actor.user_id,
            AdminAction.PARTICIPANT_PROVISIONED,
            new.program_id,
            "participant",
            new.id,
            after={"status": new.status.value, "user_id": new.user_id},
        )
    changed = sorted(
        f.name
        for f in dataclasses.fields(new)
        if f.name != "version" and getattr(old, f.name) != getattr(new, f.name)
    )
    return record(
        ctx,
        actor.user_id,
        AdminAction.PARTICIPANT_PROVISIONED,
        new.program_id,
        "participant",
        new.id,
        before={"status": old.status.value},
        after={"status": new.status.value, "changed": changed},
    )


def matching_reported(ctx: Recording, summary: RunSummary) -> Envelope[Any]:
    """A matching run's or preview's record, from its report's summary (what it did, in counts)."""
    return record(
        ctx,
        summary.by,
        AdminAction.MATCHING_PREVIEWED if summary.preview else AdminAction.MATCHING_RUN,
        summary.program_id,
        "matching_run",
        summary.id,
        after={
            "objective": summary.objective,
            "mentees": summary.mentees,
            "mentors": summary.mentors,
            "matched": summary.matched_count,
            "blocking_pairs": summary.blocking_pairs,
        },
    )
