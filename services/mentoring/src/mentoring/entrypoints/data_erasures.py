"""Erasures of a person's data: the internal HTTP routes (request, status) and the handlers that
erase mentoring's records and count every service's erasure in (subscribed with the data
exports' consumer group, which reads the same topics)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, status
from pydantic import BaseModel

from mentoring.domain.data_erasures import DataErasure
from mentoring.domain.data_exports import Scope
from mentoring.entrypoints.http import Caller
from mentoring.entrypoints.schemas import Id, Strict
from mentoring.service_layer import commands as cmd
from mentoring.service_layer import data_erasures
from mentoring.service_layer.data_erasures import ErasureContext
from mentorship_contracts import Envelope
from mentorship_contracts.topics import Topic
from mentorship_runtime.consumer import with_context
from mentorship_runtime.idempotency import IdempotencyKey

ErasureId = Annotated[str, Path(min_length=1, max_length=64)]
router = APIRouter()


def _context(request: Request) -> ErasureContext:
    factory: Callable[[str | None], ErasureContext] = request.app.state.data_erasures
    return factory(request.headers.get("x-correlation-id"))


Ctx = Annotated[ErasureContext, Depends(_context)]


class ErasureIn(Strict):
    participant_id: Id | None = None
    confirm: Id


class DoneOut(BaseModel):
    service: str
    counts: dict[str, int]
    done_at: datetime


class ErasureOut(BaseModel):
    id: str
    status: str
    scope: str
    subject_user_id: str
    participant_id: str | None
    participant_ids: list[str]
    program_ids: list[str]
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None
    done: list[DoneOut]

    @classmethod
    def of(cls, erasure: DataErasure) -> ErasureOut:
        subject = erasure.subject
        return cls(
            id=erasure.id,
            status=erasure.status.value,
            scope=subject.scope.value,
            subject_user_id=subject.user_id,
            participant_id=(
                subject.participant_ids[0] if subject.scope is Scope.PARTICIPATION else None
            ),
            participant_ids=list(subject.participant_ids),
            program_ids=list(subject.program_ids),
            requested_by=erasure.requested_by,
            requested_at=erasure.requested_at,
            completed_at=erasure.completed_at,
            done=[
                DoneOut(service=d.service, counts=dict(d.counts), done_at=d.done_at)
                for d in sorted(erasure.done.values(), key=lambda d: d.service)
            ],
        )


@router.post("/data-erasures", status_code=status.HTTP_201_CREATED)
async def request_erasure(
    body: ErasureIn, caller: Caller, ctx: Ctx, idempotency_key: IdempotencyKey
) -> ErasureOut:
    """Ask for a person's data to be erased: one participation's (an admin of its program;
    ``confirm`` repeats its id), or the caller's own (no ``participant_id``; ``confirm``
    repeats their user id; every program they are in must allow it)."""
    erasure = await data_erasures.request_erasure(
        cmd.RequestDataErasure(caller, body.participant_id, body.confirm, idempotency_key), ctx
    )
    return ErasureOut.of(erasure)


@router.get("/data-erasures/{erasure_id}")
async def erasure_status(erasure_id: ErasureId, caller: Caller, ctx: Ctx) -> ErasureOut:
    """An erasure's status and the services done, for the person and their program's admins."""
    return ErasureOut.of(await data_erasures.erasure_of(ctx, caller, erasure_id))


def handlers(
    context: Callable[[str | None], ErasureContext],
) -> dict[Topic, dict[str, Callable[[Envelope[Any]], Awaitable[None]]]]:
    """The erasure's handlers by topic, for the consumer group of the data requests
    (``data_exports.subscribe``): mentoring erases its records on the request, and counts every
    service's report in."""

    def route(
        handler: Callable[[Envelope[Any], ErasureContext], Awaitable[object]],
    ) -> Callable[[Envelope[Any]], Awaitable[None]]:
        return with_context(context, handler)

    return {
        Topic.MENTORING_DATA_REQUESTS: {
            "mentoring.personal_data.erasure_requested": route(data_erasures.on_erasure_requested),
            "mentoring.personal_data.erasure_done": route(data_erasures.on_erasure_done),
        },
        Topic.PROGRESS_DATA_REQUESTS: {
            "progress.personal_data.erasure_done": route(data_erasures.on_erasure_done)
        },
        Topic.NOTIFY_DATA_REQUESTS: {
            "notify.personal_data.erasure_done": route(data_erasures.on_erasure_done)
        },
    }
