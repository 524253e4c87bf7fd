"""Progress's part of a person's erasure (GDPR article 17), when mentoring announces it: for each
participation named, the texts of its tracking go and so do the texts its person wrote as a
mentor in other trackings (``domain.erasure``), the place, link and cancel reason of the
sessions planned with them, the events parked about them, and the person's export parts. The
figures stay: confidence levels, dates, statuses, ratings, the report's read model (which holds
ids and marks, no text).

Every step leaves what is erased erased, so a redelivery or a second worker at the same time
does it again harmlessly; the done event goes out once, in the outbox of the erasure's record
(``ports.Erasures.record``). A request that arrives before the person's matches leaves nothing to
come back: progress learns texts only from the HTTP API, never from mentoring's events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import PersonalDataErasureRequested, ProgressErasureDone
from mentorship_runtime.concurrency import retrying
from mentorship_runtime.logging import get_logger
from mentorship_runtime.moments import as_stored
from progress.domain.erasure import erase_mentee, erase_mentor
from progress.domain.tracking import Tracking
from progress.service_layer.ports import Clock, Erasures, Trackings

log = get_logger("progress.erasures")
PRODUCER = "progress"
COUNTED = (
    "check_in_notes",
    "milestone_texts",
    "session_notes",
    "planned_sessions",
    "parked_events",
    "export_parts",
)


@dataclass
class ErasureContext:
    store: Trackings
    erasures: Erasures
    clock: Clock
    correlation_id: str | None = None


async def on_erasure_requested(event: Envelope[Any], ctx: ErasureContext) -> None:
    data: PersonalDataErasureRequested = event.data
    if await ctx.erasures.done(data.erasure_id):
        log.info("erasure_already_done", erasure_id=data.erasure_id, event_id=str(event.event_id))
        return
    counts: Counter[str] = Counter(dict.fromkeys(COUNTED, 0))
    for participant_id in dict.fromkeys(data.participant_ids):
        counts += await _erase_tracking(ctx, participant_id, erase_mentee)
        for mentee_id in await ctx.erasures.mentored_by(participant_id):
            counts += await _erase_tracking(
                ctx, mentee_id, partial(erase_mentor, mentor_id=participant_id)
            )
        counts["planned_sessions"] += await ctx.erasures.erase_planned(participant_id)
        counts["parked_events"] += await ctx.erasures.delete_parked(participant_id)
    counts["export_parts"] += await ctx.erasures.delete_parts(data.subject_user_id)
    done_at = as_stored(ctx.clock())
    totals = {name: counts[name] for name in COUNTED}
    done = new_envelope(
        ProgressErasureDone(
            erasure_id=data.erasure_id, service=PRODUCER, counts=totals, done_at=done_at
        ),
        producer=PRODUCER,
        cause=event,
        clock=ctx.clock,
    )
    recorded = await ctx.erasures.record(
        data.erasure_id, data.participant_ids, totals, done_at, [done]
    )
    log.info(
        "erasure_done",
        erasure_id=data.erasure_id,
        event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        recorded=recorded,
        **totals,
    )


async def _erase_tracking(
    ctx: ErasureContext,
    mentee_id: str,
    erase: Callable[[Tracking], tuple[Tracking, Counter[str]]],
) -> Counter[str]:
    async def attempt() -> Counter[str]:
        stored = await ctx.store.find(mentee_id)
        if stored is None:
            return Counter()
        erased, counts = erase(stored.tracking)
        if counts:
            await ctx.store.save(stored, erased, [])
        return counts

    return await retrying(attempt)
