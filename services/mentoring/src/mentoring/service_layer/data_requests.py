"""What the requests for a person's data (exports and erasures) share: who may read one, and the
records of a request in the audit trail of each program it covers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import JsonValue

from mentoring.domain.data_exports import DataSubject, Scope
from mentoring.service_layer.ports import PeopleAndPrograms
from mentorship_contracts import Envelope
from mentorship_contracts.envelope import EventPayload
from mentorship_contracts.events import AdminAction, AdminActionRecorded
from mentorship_contracts.events.audit import AuditedKind
from mentorship_contracts.personal_data import may_read
from mentorship_runtime.principal import Principal


async def readable(
    store: PeopleAndPrograms,
    actor: Principal,
    subject_user_id: str,
    program_ids: tuple[str, ...],
) -> bool:
    """The person may read a request about them; an admin when they run every program it
    covers (``may_read``)."""
    administered: set[str] = set()
    if actor.is_admin and program_ids:
        programs = await store.programs_by_ids(program_ids)
        administered = {p.id for p in programs if p.is_admin(actor.user_id)}
    return may_read(
        user_id=actor.user_id,
        is_admin=actor.is_admin,
        subject_user_id=subject_user_id,
        program_ids=program_ids,
        administered=administered,
    )


def recorded(
    wrap: Callable[[EventPayload], Envelope[Any]],
    subject: DataSubject,
    *,
    action: AdminAction,
    kind: AuditedKind,
    request_id: str,
    requested_by: str,
) -> list[Envelope[Any]]:
    """The request in the audit trail of each program it covers (written with it): who asked,
    whose data (their user id; the participation when an admin asked for one)."""
    whose: dict[str, JsonValue] = {"scope": subject.scope.value, "user_id": subject.user_id}
    if subject.scope is Scope.PARTICIPATION:
        whose["participant_id"] = subject.participant_ids[0]
    return [
        wrap(
            AdminActionRecorded(
                program_id=program_id,
                actor_id=requested_by,
                action=action,
                object_kind=kind,
                object_id=request_id,
                after=whose,
            )
        )
        for program_id in subject.program_ids
    ]
