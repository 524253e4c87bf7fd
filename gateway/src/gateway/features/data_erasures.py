# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Erasures of a person's data (GDPR article 17): ``eraseParticipant`` (an admin of the
participant's program, that participation), ``eraseMyData`` (the person, every participation,
where each of their programs allows it, and their entries as an admin), ``dataErasure(id)``
for the status. Mentoring records the request and each service erases what it holds; the
erasure is COMPLETE once the three said so. ``confirm`` repeats whose data goes, so that a
slip erases no one."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from gateway.context import GatewayInfo, principal_of
from gateway.errors import (
    Arguments,
    Conflict,
    Forbidden,
    NotFound,
    ValidationError,
    mutation_failure,
    unauthenticated,
    unavailable,
)
from gateway.features.data_exports import DataExportCount, DataExportScope, DataService
from gateway.features.mutations import IdempotencyKey, mutate
from gateway.services import ServiceRejected, ServiceUnavailable, segment

ARGUMENTS = Arguments(
    fields={"participant_id": ("participantId",), "confirm": ("confirm",), "erasure_id": ("id",)}
)


@strawberry.enum(description="Where a data erasure stands.")
class DataErasureStatus(Enum):
    PENDING = "pending"
    COMPLETE = "complete"


@strawberry.type(description="A service that erased what it held about the person.")
class DataErasureDone:
    service: DataService
    done_at: datetime
    counts: list[DataExportCount] = strawberry.field(
        description="How many records of each kind it deleted or pseudonymised."
    )


@strawberry.type(
    description="The erasure of a person's data by the three services: PENDING until each "
    "has erased what it holds (deleting it, or keeping a record under a pseudonym where others "
    "need it: a match in a mentor's history, a count in a report), then COMPLETE. Seen by the "
    "person and by whoever administers every program it covers."
)
class DataErasure:
    id: strawberry.ID
    status: DataErasureStatus
    scope: DataExportScope
    participant_id: strawberry.ID | None = strawberry.field(
        description="The participation erased (an admin's request); null for a person's own."
    )
    program_ids: list[strawberry.ID] = strawberry.field(
        description="The programs of the participations covered."
    )
    requested_by: strawberry.ID = strawberry.field(description="The user id of who asked.")
    requested_at: datetime
    completed_at: datetime | None
    done: list[DataErasureDone] = strawberry.field(description="The services done so far.")

    @classmethod
    def of(cls, body: dict[str, Any]) -> DataErasure:
        return cls(
            id=strawberry.ID(body["id"]),
            status=DataErasureStatus(body["status"]),
            scope=DataExportScope(body["scope"]),
            participant_id=strawberry.ID(body["participant_id"])
            if body.get("participant_id")
            else None,
            program_ids=[strawberry.ID(p) for p in body["program_ids"]],
            requested_by=strawberry.ID(body["requested_by"]),
            requested_at=datetime.fromisoformat(body["requested_at"]),
            completed_at=datetime.fromisoformat(body["completed_at"])
            if body.get("completed_at")
            else None,
            done=[
                DataErasureDone(
                    service=DataService(d["service"]),
                    done_at=datetime.fromisoformat(d["done_at"]),
                    counts=[DataExportCount(section=k, records=v) for k, v in d["counts"].items()],
                )
                for d in body["done"]
            ],
        )


DataErasureResult = Annotated[
    DataErasure | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("DataErasureResult"),
]


async def _request(
    info: GatewayInfo, participant_id: str | None, confirm: str, key: str | None
) -> Any:
    principal_of(info)
    if participant_id is not None:
        segment(participant_id, "participantId")
    return await mutate(
        info.context.services.post(
            "mentoring",
            "/data-erasures",
            {"participant_id": participant_id, "confirm": confirm},
            idempotency_key=key,
        ),
        DataErasure.of,
        ARGUMENTS,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Erase one participant's data in their program (the program's admins; "
        "Forbidden for anyone else): withdrawn if still active, then their profile, matches, "
        "progress and notifications there deleted or kept under a pseudonym. confirm repeats "
        "participantId (else a ValidationError, and nothing is erased). Answered at once as "
        "PENDING; dataErasure(id) says when every service is done. Cannot be undone."
    )
    async def erase_participant(
        self,
        info: GatewayInfo,
        participant_id: strawberry.ID,
        confirm: strawberry.ID,
        idempotency_key: IdempotencyKey = None,
    ) -> DataErasureResult | None:
        result: DataErasureResult = await _request(
            info, str(participant_id), str(confirm), idempotency_key
        )
        return result

    @strawberry.mutation(
        description="Erase everything the platform holds about you, in every program: only "
        "where each of your programs allows it (selfErasure; Forbidden otherwise: ask its "
        "admins). Your name and e-mail also leave the admin entries of the programs you run "
        "(you keep running them); someone who takes part in no program erases those alone "
        "(NotFound if they run none either). confirm repeats your user id (else a "
        "ValidationError). Answered as PENDING, like eraseParticipant. Cannot be undone."
    )
    async def erase_my_data(
        self, info: GatewayInfo, confirm: strawberry.ID, idempotency_key: IdempotencyKey = None
    ) -> DataErasureResult | None:
        result: DataErasureResult = await _request(info, None, str(confirm), idempotency_key)
        return result


@strawberry.type
class Query:
    @strawberry.field(
        description="A data erasure's status, for the person and the admins of every program "
        "it covers (NotFound for anyone else, as for an id that names nothing)."
    )
    async def data_erasure(self, info: GatewayInfo, id: strawberry.ID) -> DataErasureResult | None:
        principal_of(info)
        path = segment(str(id), "id")
        try:
            body = await info.context.services.get("mentoring", f"/data-erasures/{path}")
        except ServiceRejected as exc:
            if exc.status == 401:
                raise unauthenticated("the service refused the token") from None
            return mutation_failure(exc, ARGUMENTS)
        except ServiceUnavailable as exc:
            raise unavailable(exc) from None
        return DataErasure.of(body)
