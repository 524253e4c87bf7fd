"""Reading one part of a mentee's history: the tracking document by its id, without the arrays
the read does not need (a mentee's check-ins, milestones and sessions grow for as long as they
are followed)."""

from __future__ import annotations

from pymongo.asynchronous.collection import AsyncCollection

from mentorship_runtime.outbox import without_outbox
from progress.adapters.documents import Document, tracking_from
from progress.domain.errors import NotFound
from progress.service_layer.ports import HistoryPart, Stored

PARTS: tuple[HistoryPart, ...] = ("check_ins", "milestones", "sessions")


async def read_part(
    trackings: AsyncCollection[Document], mentee_id: str, part: HistoryPart | None
) -> Stored:
    """The tracking (found by ``_id``) with ``part`` of its history (None: none of it) and the
    others left empty; only for reading, never saved."""
    left_out = {name: 0 for name in PARTS if name != part}
    document = await trackings.find_one(
        {"_id": mentee_id}, {**without_outbox("seen_events"), **left_out}
    )
    if document is None:
        raise NotFound("mentee", mentee_id)
    for name in left_out:
        document[name] = []
    return Stored(
        tracking_from(document),
        document.get("version", 0),
        document.get("mentee_user_id"),
        document.get("mentor_user_id"),
    )
