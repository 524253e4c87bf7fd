"""MongoDB persistence of the reminders notify schedules itself from the events it reads (beside
the session-rating reminders of ``DeliveryStore``): a mentor's reminder before a proposal
expires, each mentee's check-in watch, and the reminder to confirm a planned session.

``proposal_reminders``: one document per proposal (id derived from the match), waiting until its
time, then sent, cancelled by an answer (recorded even before the proposal is), or lapsed (the
proposal expired before the reminder could go). ``check_in_watches``: one document per mentee,
written under its ``version`` (read again and decided again when another write came first).
``confirmation_reminders``: one document per planned session (id derived from it), waiting under
the plan's ``sequence`` (a reschedule moves it, an older plan arriving late does not), then sent,
or dropped: ``cancelled`` (the session, the pair's match or a side's participation) or
``confirmed``; a drop is recorded even before the plan, so that the plan then schedules nothing.

The worker's queries are served by indexes: ``(status, due_at)`` for the proposals and
``(state, program_id, since)`` for the watches, one query per program; a withdrawal's by
``(mentee_id, status)`` and ``(mentor_id, status)``; the confirmations like the proposals.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from mentorship_runtime.errors import ConcurrentUpdate
from notify.domain.check_ins import Watch, WatchState
from notify.service_layer.ports import ConfirmationReminder, ProposalReminder

Document = dict[str, Any]
TRIES = 4
"""Attempts of a watch's write that another write of the same watch keeps overtaking."""


class NudgeStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.proposals: AsyncCollection[Document] = db["proposal_reminders"]
        self.watches: AsyncCollection[Document] = db["check_in_watches"]
        self.confirmations: AsyncCollection[Document] = db["confirmation_reminders"]
        self.programs: AsyncCollection[Document] = db["programs"]  # NotifyStore's: read only

    async def ensure_indexes(self) -> None:
        for reminders in (self.proposals, self.confirmations):
            await reminders.create_index([("status", ASCENDING), ("due_at", ASCENDING)])
            for side in ("mentee_id", "mentor_id"):
                await reminders.create_index([(side, ASCENDING), ("status", ASCENDING)])
        await self.watches.create_index(
            [("state", ASCENDING), ("program_id", ASCENDING), ("since", ASCENDING)]
        )

    # ---- before a proposal expires ----------------------------------------------------------

    async def expect_answer(self, reminder: ProposalReminder) -> None:
        """Schedule the reminder unless it exists (waiting, cancelled by an answer, or done)."""
        fields = asdict(reminder)
        reminder_id = fields.pop("reminder_id")
        with suppress(DuplicateKeyError):  # two first deliveries at once: either one will do
            await self.proposals.update_one(
                {"_id": reminder_id},
                {"$setOnInsert": {**fields, "status": "waiting"}},
                upsert=True,
            )

    async def answered(self, reminder_id: str, match_id: str) -> None:
        """The proposal was answered (or lapsed, or ended): no reminder, even if its proposal's
        event has not arrived yet. One already sent stays sent."""
        with suppress(DuplicateKeyError):  # sent or cancelled already
            await self.proposals.update_one(
                {"_id": reminder_id, "status": "waiting"},
                {"$set": {"status": "cancelled", "match_id": match_id}},
                upsert=True,
            )

    async def left(self, participant_id: str) -> None:
        """Someone left their program: the proposals and planned sessions naming them, on
        either side, remind nobody (mentoring declines the proposals too, in events of their
        own; a planned session can no longer be confirmed without its pair's match)."""
        for reminders in (self.proposals, self.confirmations):
            for side in ("mentee_id", "mentor_id"):
                await reminders.update_many(
                    {side: participant_id, "status": "waiting"}, {"$set": {"status": "cancelled"}}
                )

    async def due_answers(self, now: datetime, limit: int) -> list[ProposalReminder]:
        return [_proposal(d) for d in await _due(self.proposals, now, limit)]

    async def proposal_done(self, reminder_id: str, status: str) -> None:
        await _done(self.proposals, reminder_id, status)

    # ---- after a planned session ------------------------------------------------------------

    async def expect_confirmation(self, reminder: ConfirmationReminder) -> None:
        """Schedule it, or move a waiting one planned under a lower sequence; a reminder
        dropped, sent or moved by a newer plan stays as it is (the upsert then meets its id)."""
        fields = asdict(reminder)
        reminder_id = fields.pop("reminder_id")
        with suppress(DuplicateKeyError):
            await self.confirmations.update_one(
                {"_id": reminder_id, "status": "waiting", "sequence": {"$lt": reminder.sequence}},
                {"$set": fields},
                upsert=True,
            )

    async def confirmation_dropped(
        self,
        reminder_id: str,
        planned_session_id: str,
        mentee_id: str,
        mentor_id: str | None,
        status: str,
    ) -> None:
        """Drop it, or record the drop before its plan arrives (with the pair, so that an
        erasure finds it); one already sent or dropped stays as it is."""
        with suppress(DuplicateKeyError):
            await self.confirmations.update_one(
                {"_id": reminder_id, "status": "waiting"},
                {
                    "$set": {"status": status},
                    "$setOnInsert": {
                        "planned_session_id": planned_session_id,
                        "mentee_id": mentee_id,
                        "mentor_id": mentor_id,
                    },
                },
                upsert=True,
            )

    async def pair_ended(self, mentee_id: str, mentor_id: str) -> None:
        await self.confirmations.update_many(
            {"mentee_id": mentee_id, "mentor_id": mentor_id, "status": "waiting"},
            {"$set": {"status": "cancelled"}},
        )

    async def due_confirmations(self, now: datetime, limit: int) -> list[ConfirmationReminder]:
        return [_confirmation(d) for d in await _due(self.confirmations, now, limit)]

    async def confirmation_done(self, reminder_id: str, status: str) -> None:
        await _done(self.confirmations, reminder_id, status)

    # ---- check-in watches -------------------------------------------------------------------

    async def watch(self, mentee_id: str) -> tuple[Watch | None, int]:
        """The mentee's watch and its version (0: none stored)."""
        document = await self.watches.find_one({"_id": mentee_id})
        if document is None:
            return None, 0
        return _watch(document), int(document.get("version", 1))

    async def change_watch(
        self, mentee_id: str, decide: Callable[[Watch | None], Watch | None]
    ) -> Watch | None:
        """Apply ``decide(watch or None) -> new watch or None (no change)`` to the stored watch,
        as one guarded write: when another write came first, read it again and decide again."""
        for _ in range(TRIES):
            current, version = await self.watch(mentee_id)
            changed = decide(current)
            if changed is None:
                return current
            document = {**_document(changed), "version": version + 1}
            if version == 0:
                try:
                    await self.watches.insert_one(document)
                except DuplicateKeyError:
                    continue
                return changed
            guard = {"_id": mentee_id, "version": version}
            fields = {k: v for k, v in document.items() if k != "_id"}
            result = await self.watches.update_one(guard, {"$set": fields})
            if result.matched_count:
                return changed
        raise ConcurrentUpdate("check-in watch", mentee_id)

    async def reminder_days(self) -> dict[str, int | None]:
        """Every program notify knows, with its check-in reminder days (None: not told yet)."""
        cursor = self.programs.find({}, {"check_in_reminder_days": 1})
        return {d["_id"]: d.get("check_in_reminder_days") async for d in cursor}

    async def silent_since(self, program_id: str, before: datetime, limit: int) -> list[Watch]:
        """The program's waiting watches whose silence began at ``before`` or earlier."""
        cursor = self.watches.find(
            {"state": WatchState.WAITING.value, "program_id": program_id, "since": {"$lte": before}}
        )
        return [_watch(d) async for d in cursor.sort("since", ASCENDING).limit(limit)]

    async def reminded(self, watch: Watch) -> bool:
        """Mark the stretch reminded, unless a newer check-in (or a stop) changed it meanwhile."""
        result = await self.watches.update_one(
            {"_id": watch.mentee_id, "state": WatchState.WAITING.value, "since": watch.since},
            {"$set": {"state": WatchState.REMINDED.value}, "$inc": {"version": 1}},
        )
        return bool(result.modified_count)


def _document(watch: Watch) -> Document:
    return {
        "_id": watch.mentee_id,
        "program_id": watch.program_id,
        "mentor_id": watch.mentor_id,
        "since": watch.since,
        "state": watch.state.value,
        "changed_at": watch.changed_at,
    }


def _watch(document: Document) -> Watch:
    return Watch(
        mentee_id=document["_id"],
        program_id=document["program_id"],
        mentor_id=document.get("mentor_id"),
        since=document["since"],
        state=WatchState(document["state"]),
        changed_at=document.get("changed_at"),
    )


async def _due(reminders: AsyncCollection[Document], now: datetime, limit: int) -> list[Document]:
    """The waiting reminders due by ``now``, earliest first (the ``(status, due_at)`` index)."""
    cursor = reminders.find({"status": "waiting", "due_at": {"$lte": now}})
    return [d async for d in cursor.sort("due_at", ASCENDING).limit(limit)]


async def _done(reminders: AsyncCollection[Document], reminder_id: str, status: str) -> None:
    """Mark a waiting reminder ``status``; one already sent or dropped stays as it is."""
    await reminders.update_one(
        {"_id": reminder_id, "status": "waiting"}, {"$set": {"status": status}}
    )


def _proposal(document: Document) -> ProposalReminder:
    return ProposalReminder(
        reminder_id=document["_id"],
        match_id=document["match_id"],
        program_id=document["program_id"],
        mentee_id=document["mentee_id"],
        mentor_id=document["mentor_id"],
        expires_at=document["expires_at"],
        due_at=document["due_at"],
    )


def _confirmation(document: Document) -> ConfirmationReminder:
    return ConfirmationReminder(
        reminder_id=document["_id"],
        planned_session_id=document["planned_session_id"],
        program_id=document["program_id"],
        mentee_id=document["mentee_id"],
        mentor_id=document["mentor_id"],
        starts_at=document["starts_at"],
        duration_minutes=int(document["duration_minutes"]),
        time_zone=document["time_zone"],
        planned_by=document["planned_by"],
        sequence=int(document["sequence"]),
        due_at=document["due_at"],
    )
