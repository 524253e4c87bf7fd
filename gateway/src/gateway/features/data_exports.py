# mypy: disable-error-code="untyped-decorator"
# (strawberry.field(description=...) is typed as returning Any)
"""Exports of a person's data (GDPR articles 15 and 20): ``exportMyData`` (the person, every
participation), ``exportParticipantData`` (an admin of the participant's program, that
participation only), ``dataExport(id)`` for the status. Mentoring records the request and
each service builds its part; once the three are in, ``downloadPath`` names the ZIP archive
(``gateway.data_export_zip``)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any
from urllib.parse import quote

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
from gateway.features.mutations import IdempotencyKey, mutate
from gateway.services import ServiceRejected, ServiceUnavailable, segment

ARGUMENTS = Arguments(fields={"participant_id": ("participantId",), "export_id": ("id",)})
DOWNLOAD_ROUTE = "/data-exports/{export_id}.zip"


@strawberry.enum(description="Where a data export stands.")
class DataExportStatus(Enum):
    PENDING = "pending"
    COMPLETE = "complete"
    EXPIRED = "expired"


@strawberry.enum(description="What a data export covers.")
class DataExportScope(Enum):
    PERSON = "person"
    PARTICIPATION = "participation"


@strawberry.enum(description="A service that holds part of a person's data.")
class DataService(Enum):
    MENTORING = "mentoring"
    PROGRESS = "progress"
    NOTIFY = "notify"


@strawberry.type(description="How many records of one kind a part holds.")
class DataExportCount:
    section: str = strawberry.field(description="The section's name in the part's JSON file.")
    records: int


@strawberry.type(description="A service's part of an export, built and kept by that service.")
class DataExportPart:
    service: DataService
    ready_at: datetime
    counts: list[DataExportCount]


@strawberry.type(
    description="A copy of a person's data, assembled from the three services: PENDING until "
    "each has built its part, then COMPLETE and downloadable as a ZIP archive (a README and "
    "one JSON file per service) until it EXPIREs, a day after the request. Seen by the person "
    "and by whoever administers every program it covers."
)
class DataExport:
    id: strawberry.ID
    status: DataExportStatus
    scope: DataExportScope
    participant_id: strawberry.ID | None = strawberry.field(
        description="The participation exported (an admin's request); null for a person's own."
    )
    program_ids: list[strawberry.ID] = strawberry.field(
        description="The programs of the participations covered."
    )
    requested_at: datetime
    completed_at: datetime | None
    expires_at: datetime = strawberry.field(
        description="When the services delete their parts and the archive can no longer be had."
    )
    parts: list[DataExportPart] = strawberry.field(description="The parts built so far.")
    download_path: str | None = strawberry.field(
        description="The gateway's path (GET, with the same bearer token) of the ZIP archive; "
        "null until the export is COMPLETE, and after it expired."
    )

    @classmethod
    def of(cls, body: dict[str, Any]) -> DataExport:
        status = DataExportStatus(body["status"])
        complete = status is DataExportStatus.COMPLETE
        return cls(
            id=strawberry.ID(body["id"]),
            status=status,
            scope=DataExportScope(body["scope"]),
            participant_id=strawberry.ID(body["participant_id"])
            if body.get("participant_id")
            else None,
            program_ids=[strawberry.ID(p) for p in body["program_ids"]],
            requested_at=datetime.fromisoformat(body["requested_at"]),
            completed_at=datetime.fromisoformat(body["completed_at"])
            if body.get("completed_at")
            else None,
            expires_at=datetime.fromisoformat(body["expires_at"]),
            parts=[
                DataExportPart(
                    service=DataService(p["service"]),
                    ready_at=datetime.fromisoformat(p["ready_at"]),
                    counts=[DataExportCount(section=k, records=v) for k, v in p["counts"].items()],
                )
                for p in body["parts"]
            ],
            download_path=download_path(body["id"]) if complete else None,
        )


DataExportResult = Annotated[
    DataExport | ValidationError | NotFound | Forbidden | Conflict,
    strawberry.union("DataExportResult"),
]


def download_path(export_id: str) -> str:
    return DOWNLOAD_ROUTE.format(export_id=quote(export_id, safe=""))


async def _request(info: GatewayInfo, participant_id: str | None, key: str | None) -> Any:
    principal_of(info)
    if participant_id is not None:
        segment(participant_id, "participantId")
    return await mutate(
        info.context.services.post(
            "mentoring", "/data-exports", {"participant_id": participant_id}, idempotency_key=key
        ),
        DataExport.of,
        ARGUMENTS,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Ask for a copy of everything the platform holds about you, in every "
        "program: answered at once as PENDING; poll dataExport(id) until it is COMPLETE, then "
        "download it from downloadPath."
    )
    async def export_my_data(
        self, info: GatewayInfo, idempotency_key: IdempotencyKey = None
    ) -> DataExportResult | None:
        result: DataExportResult = await _request(info, None, idempotency_key)
        return result

    @strawberry.mutation(
        description="Ask for a copy of one participant's data in their program (the program's "
        "admins; Forbidden for anyone else): their profile, matches, progress and "
        "notifications there. Answered as PENDING, like exportMyData."
    )
    async def export_participant_data(
        self,
        info: GatewayInfo,
        participant_id: strawberry.ID,
        idempotency_key: IdempotencyKey = None,
    ) -> DataExportResult | None:
        result: DataExportResult = await _request(info, str(participant_id), idempotency_key)
        return result


@strawberry.type
class Query:
    @strawberry.field(
        description="A data export's status, for the person and the admins of every program it "
        "covers (NotFound for anyone else, as for an id that names nothing)."
    )
    async def data_export(self, info: GatewayInfo, id: strawberry.ID) -> DataExportResult | None:
        principal_of(info)
        path = segment(str(id), "id")
        try:
            body = await info.context.services.get("mentoring", f"/data-exports/{path}")
        except ServiceRejected as exc:
            if exc.status == 401:
                raise unauthenticated("the service refused the token") from None
            return mutation_failure(exc, ARGUMENTS)
        except ServiceUnavailable as exc:
            raise unavailable(exc) from None
        return DataExport.of(body)
