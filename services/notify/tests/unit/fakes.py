"""In-memory implementations of notify's ports (``notify.service_layer.ports``), for the use
cases' tests: dicts and lists with the stores' semantics (each notification stored once, a
claim only on the state read, a settlement only under the lease held, a parking let go only by
its mark), and senders that record what they were given or fail as told."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mentorship_contracts import Envelope
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.export_part import ExportPart
from mentorship_runtime.pagination import decode_cursor, encode_cursor
from notify.domain.check_ins import Watch, WatchState
from notify.domain.delivery import DeliveryStatus
from notify.domain.directory import Language, ProgramAdmins, Recipient, Role
from notify.domain.dispatch import PlannedDelivery
from notify.domain.erasure import Texts
from notify.domain.notifications import Notification
from notify.domain.preferences import Preferences
from notify.domain.weekly_digest import Entry, Match, Week
from notify.service_layer.context import Context
from notify.service_layer.data_exports import ExportContext
from notify.service_layer.erasures import ErasureContext
from notify.service_layer.ports import (
    Announced,
    ConfirmationReminder,
    DirectoryEntry,
    Email,
    Held,
    InboxEntry,
    KeptCopy,
    KeptNotification,
    Outcome,
    ParkedEvent,
    PersonFacts,
    ProgramFacts,
    ProposalReminder,
    QueuedDelivery,
    RatingReminder,
    RecordedChange,
    Records,
    SendFailed,
    StoredPreferences,
    StoreUnavailable,
    WaitingWeek,
    WebhookCall,
)

FREE = datetime(1970, 1, 1, tzinfo=UTC)
HELD = "held:"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# ---- the store ------------------------------------------------------------------------------


@dataclass
class StoredNotification:
    notification: Notification
    user_id: str | None
    read_at: datetime | None = None


@dataclass
class Parking:
    event: ParkedEvent
    waiting_for: list[str]
    occurred_at: datetime
    awaits_names: bool


@dataclass
class FakeStore:
    clock: Callable[[], datetime]
    people: dict[str, dict[str, object]] = field(default_factory=dict)
    set_by: dict[str, dict[str, EventOrder]] = field(default_factory=dict)
    programs: dict[str, tuple[ProgramFacts, EventOrder]] = field(default_factory=dict)
    notifications: dict[str, StoredNotification] = field(default_factory=dict)
    published: list[Envelope[Any]] = field(default_factory=list)
    """The events announced (the outbox published)."""
    preferences: dict[str, StoredPreferences] = field(default_factory=dict)
    parked: dict[str, Parking] = field(default_factory=dict)

    async def remember_person(self, person_id: str, facts: PersonFacts, order: EventOrder) -> bool:
        entry = self.people.setdefault(person_id, {})
        if entry.get("erased") or entry.get("erasing"):
            return False
        stamps = self.set_by.setdefault(person_id, {})
        newer = {k: v for k, v in facts.said().items() if order.supersedes(stamps.get(k))}
        entry.update(newer)
        stamps.update(dict.fromkeys(newer, order))
        return bool(newer)

    async def remember_program(self, program: ProgramFacts, order: EventOrder) -> bool:
        kept = self.programs.get(program.program_id)
        if kept is not None:
            last = kept[1]
            if last.micros > order.micros or (
                last.micros == order.micros and last.event_id == order.event_id
            ):
                return False
        self.programs[program.program_id] = (program, order)
        return True

    async def recipients(self, person_ids: Sequence[str]) -> list[Recipient]:
        found = []
        for person_id in dict.fromkeys(person_ids):
            entry = self.people.get(person_id)
            if entry is None or "display_name" not in entry or "program_id" not in entry:
                continue
            erasing = bool(entry.get("erasing"))
            found.append(
                Recipient(
                    person_id=person_id,
                    user_id=_text(entry.get("user_id")),
                    display_name="" if erasing else str(entry["display_name"]),
                    email=None if erasing else _text(entry.get("email")),
                    language=Language(str(entry.get("language", "en"))),
                    timezone=str(entry.get("timezone", "UTC")),
                    roles=frozenset(Role(str(r)) for r in _list(entry.get("roles"))),
                    program_id=str(entry["program_id"]),
                    withdrawn=erasing or bool(entry.get("withdrawn", False)),
                )
            )
        return found

    async def program_admins(self, program_id: str) -> ProgramAdmins | None:
        kept = self.programs.get(program_id)
        if kept is None:
            return None
        return ProgramAdmins(
            program_id,
            tuple(
                Recipient(
                    person_id=a.user_id,
                    user_id=a.user_id,
                    display_name=a.display_name or a.user_id,
                    email=a.email,
                    language=Language(a.language),
                    timezone="UTC",
                    roles=frozenset({Role.ADMIN}),
                    program_id=program_id,
                )
                for a in kept[0].admins
            ),
        )

    async def add_all(self, items: Sequence[Announced]) -> set[str]:
        new: set[str] = set()
        for item in items:
            notification_id = item.notification.notification_id
            if notification_id in self.notifications:
                continue
            self.notifications[notification_id] = StoredNotification(
                item.notification, item.user_id
            )
            self.published.extend(item.events)
            new.add(notification_id)
        return new

    async def inbox(
        self, user_id: str, *, unread_only: bool, first: int, after: str | None
    ) -> tuple[list[InboxEntry], str | None]:
        mine = sorted(
            (
                s
                for s in self.notifications.values()
                if s.user_id == user_id and not (unread_only and s.read_at)
            ),
            key=lambda s: (s.notification.created_at, s.notification.notification_id),
            reverse=True,
        )
        if after:
            moment, identifier = decode_cursor(after)
            mine = [
                s
                for s in mine
                if (s.notification.created_at, s.notification.notification_id)
                < (moment, identifier)
            ]
        page = mine[:first]
        last = page[-1].notification if len(mine) > first else None
        cursor = encode_cursor(last.created_at, last.notification_id) if last else None
        return [_entry(s) for s in page], cursor

    async def notification_of(self, user_id: str, notification_id: str) -> InboxEntry | None:
        found = self.notifications.get(notification_id)
        return _entry(found) if found is not None and found.user_id == user_id else None

    async def unread_count(self, user_id: str) -> int:
        return sum(
            1 for s in self.notifications.values() if s.user_id == user_id and s.read_at is None
        )

    async def unread_by_subject(self, user_id: str, subject_ids: Sequence[str]) -> dict[str, int]:
        counts = dict.fromkeys(subject_ids, 0)
        for s in self.notifications.values():
            subject = s.notification.subject_id
            if s.user_id == user_id and s.read_at is None and subject in counts:
                counts[subject] += 1
        return counts

    async def mark_read(
        self, user_id: str, notification_id: str, events: Sequence[Envelope[Any]]
    ) -> bool:
        found = self.notifications.get(notification_id)
        if found is None or found.user_id != user_id or found.read_at is not None:
            return False
        found.read_at = self.clock()
        self.published.extend(events)
        return True

    async def notifications_by_id(self, ids: Sequence[str]) -> dict[str, Notification]:
        return {i: self.notifications[i].notification for i in ids if i in self.notifications}

    async def preferences_of(self, user_ids: Sequence[str]) -> dict[str, StoredPreferences]:
        return {u: self.preferences[u] for u in user_ids if u in self.preferences}

    async def save_preferences(
        self, user_id: str, preferences: Preferences, new_secret: str
    ) -> StoredPreferences:
        before = self.preferences.get(user_id)
        quiet = preferences.quiet_hours
        saved = StoredPreferences(
            channels={
                kind.value: sorted(c.value for c in chosen)
                for kind, chosen in preferences.channels.items()
            },
            quiet_hours=(
                (quiet.start.strftime("%H:%M"), quiet.end.strftime("%H:%M")) if quiet else None
            ),
            digest=preferences.digest.value,
            digest_hour=preferences.digest_hour,
            webhook_url=preferences.webhook_url,
            timezone=preferences.timezone,
            email=preferences.email,
            webhook_secret=before.webhook_secret if before else new_secret,
        )
        self.preferences[user_id] = saved
        return saved

    async def park(
        self,
        event_id: str,
        raw: str,
        waiting_for: list[str],
        occurred_at: datetime,
        names_due: datetime | None = None,
        trace: Mapping[str, str] | None = None,
    ) -> None:
        before = self.parked.get(event_id)
        due = before.event.names_due if before else None
        if names_due is not None:
            due = names_due if due is None else min(due, names_due)
        event = ParkedEvent(event_id, raw, uuid.uuid4().hex, due, dict(trace or {}))
        self.parked[event_id] = Parking(event, waiting_for, occurred_at, names_due is not None)

    async def parked_for(self, key: str) -> list[ParkedEvent]:
        waiting = [p for p in self.parked.values() if key in p.waiting_for]
        return [p.event for p in sorted(waiting, key=lambda p: p.occurred_at)]

    async def overdue(self, now: datetime, limit: int) -> list[ParkedEvent]:
        due = [
            p.event
            for p in self.parked.values()
            if p.awaits_names and p.event.names_due is not None and p.event.names_due <= now
        ]
        return sorted(due, key=lambda e: e.names_due or now)[:limit]

    async def unpark(self, event_id: str, mark: str | None) -> None:
        found = self.parked.get(event_id)
        if found is not None and (mark is None or found.event.mark == mark):
            del self.parked[event_id]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def _entry(stored: StoredNotification) -> InboxEntry:
    n = stored.notification
    return InboxEntry(
        notification_id=n.notification_id,
        kind=n.kind.value,
        priority=n.priority.value,
        title=n.title,
        body=n.body,
        html_body=n.html_body,
        subject_id=n.subject_id,
        created_at=n.created_at,
        read_at=stored.read_at,
        about=n.about,
    )


# ---- the delivery queue ---------------------------------------------------------------------


@dataclass
class Row:
    delivery: QueuedDelivery
    ready: bool = False
    sent_at: datetime | None = None
    dead_lettered: bool | None = None


@dataclass
class FakeDeliveries:
    queue: dict[str, Row] = field(default_factory=dict)
    log: dict[str, Row] = field(default_factory=dict)
    unavailable: bool = False
    """Renewals raise ``StoreUnavailable`` (the store does not answer)."""

    def every(self) -> list[QueuedDelivery]:
        return [r.delivery for r in (*self.queue.values(), *self.log.values())]

    async def hold_all(
        self,
        planned: Sequence[tuple[str | None, Sequence[PlannedDelivery]]],
        now: datetime,
        until: datetime,
        notifications: Mapping[str, Notification] | None = None,
    ) -> Held:
        held = Held(f"{HELD}{uuid.uuid4().hex}", set())
        for user_id, each in planned:
            for p in each:
                sent = p.status is DeliveryStatus.SENT
                delivery = QueuedDelivery(
                    delivery_id=p.delivery_id,
                    notification_id=p.notification_id,
                    recipient_id=p.recipient_id,
                    user_id=user_id,
                    channel=p.channel.value,
                    target=p.target,
                    digest=p.digest,
                    display_name=p.display_name,
                    language=p.language.value,
                    status=p.status,
                    attempts=0,
                    last_error=None,
                    next_attempt_at=None if sent else p.due_at,
                    lease=None if sent else held.lease,
                    lease_until=FREE if sent else until,
                    notification=(notifications or {}).get(p.notification_id),
                )
                if sent:
                    self.log.setdefault(p.delivery_id, Row(delivery, sent_at=p.due_at))
                    continue
                held.for_queue.add(p.delivery_id)
                if p.delivery_id not in self.queue:
                    self.queue[p.delivery_id] = Row(delivery, ready=p.due_at <= now)
                    held.queued.add(p.delivery_id)
        return held

    def _free(self, delivery_id: str) -> None:
        row = self.queue[delivery_id]
        row.delivery = replace(row.delivery, lease=None, lease_until=FREE)

    async def release(self, held: Held, delivery_ids: Sequence[str]) -> None:
        for delivery_id in delivery_ids:
            row = self.queue.get(delivery_id)
            if row is None:
                continue
            lease = row.delivery.lease or ""
            if lease == held.lease or (delivery_id in held.for_queue and lease.startswith(HELD)):
                self._free(delivery_id)

    async def drop_held(self, held: Held, delivery_ids: Sequence[str]) -> None:
        for delivery_id in delivery_ids:
            row = self.queue.get(delivery_id)
            if delivery_id not in held.queued or row is None or row.delivery.lease != held.lease:
                continue
            if delivery_id in self.log:
                del self.queue[delivery_id]
            else:
                self._free(delivery_id)

    async def due(self, now: datetime, limit: int, *, thorough: bool) -> list[QueuedDelivery]:
        def takeable(d: QueuedDelivery) -> bool:
            return (
                not d.status.is_settled
                and d.next_attempt_at is not None
                and d.next_attempt_at <= now
                and d.lease_until <= now
            )

        if not thorough:
            return [r.delivery for r in self.queue.values() if r.ready and takeable(r.delivery)][
                :limit
            ]
        due = [r.delivery for r in self.queue.values() if takeable(r.delivery)]
        return sorted(due, key=lambda d: d.next_attempt_at or now)[:limit]

    async def claim_due(
        self, delivery: QueuedDelivery, token: str, now: datetime, lease_until: datetime
    ) -> QueuedDelivery | None:
        row = self.queue.get(delivery.delivery_id)
        if delivery.lease_until > now or row is None:
            return None
        stored = row.delivery
        if (stored.attempts, stored.lease, stored.lease_until) != (
            delivery.attempts,
            delivery.lease,
            delivery.lease_until,
        ):
            return None
        row.delivery = replace(stored, lease=token, lease_until=lease_until)
        return replace(delivery, lease=token, lease_until=lease_until)

    async def renew_lease(self, token: str, count: int, lease_until: datetime) -> bool:
        if self.unavailable:
            raise StoreUnavailable("the store does not answer")
        mine = [r for r in self.queue.values() if r.delivery.lease == token]
        for row in mine:
            row.delivery = replace(row.delivery, lease_until=lease_until)
        return len(mine) == count

    async def settle_with(self, delivery_id: str, token: str, outcome: Outcome) -> bool:
        row = self.queue.get(delivery_id)
        if row is None or row.delivery.lease != token:
            return False
        row.delivery = replace(
            row.delivery,
            status=outcome.status,
            attempts=outcome.attempts,
            last_error=outcome.last_error,
            next_attempt_at=outcome.next_attempt_at,
            lease=None,
            lease_until=FREE,
        )
        row.ready = False
        if outcome.status is DeliveryStatus.SENT:
            row.sent_at = outcome.sent_at
        elif outcome.status is DeliveryStatus.DEAD:
            row.dead_lettered = False
        return True

    async def dead_unpublished(self, limit: int) -> list[QueuedDelivery]:
        return [
            r.delivery
            for r in self.queue.values()
            if r.delivery.status is DeliveryStatus.DEAD and r.dead_lettered is False
        ][:limit]

    async def mark_published(self, delivery_id: str) -> None:
        self.queue[delivery_id].dead_lettered = True

    async def archive_settled(self, limit: int = 1000) -> int:
        done = [
            i
            for i, r in self.queue.items()
            if r.delivery.status is DeliveryStatus.SENT
            or (r.delivery.status is DeliveryStatus.DEAD and r.dead_lettered)
        ][:limit]
        for delivery_id in done:
            self.log.setdefault(delivery_id, self.queue[delivery_id])
            del self.queue[delivery_id]
        return len(done)


# ---- reminders ------------------------------------------------------------------------------


@dataclass
class FakeRatings:
    reminders: dict[str, tuple[RatingReminder | None, str]] = field(default_factory=dict)

    async def expect_rating(self, reminder: RatingReminder) -> None:
        self.reminders.setdefault(reminder.reminder_id, (reminder, "waiting"))

    async def rated(self, reminder_id: str, session_id: str, side: str) -> None:
        reminder, status = self.reminders.get(reminder_id, (None, "waiting"))
        if status != "sent":
            self.reminders[reminder_id] = (reminder, "cancelled")

    async def due_ratings(self, now: datetime, limit: int) -> list[RatingReminder]:
        due = [
            r
            for r, status in self.reminders.values()
            if r is not None and status == "waiting" and r.due_at <= now
        ]
        return sorted(due, key=lambda r: r.due_at)[:limit]

    async def reminder_sent(self, reminder_id: str) -> None:
        reminder, status = self.reminders[reminder_id]
        if status == "waiting":
            self.reminders[reminder_id] = (reminder, "sent")


@dataclass
class FakeNudges:
    store: FakeStore
    """Whose programs are read for their check-in reminder days."""
    proposals: dict[str, tuple[ProposalReminder | None, str]] = field(default_factory=dict)
    watches: dict[str, Watch] = field(default_factory=dict)
    confirmations: dict[str, tuple[ConfirmationReminder | None, str]] = field(default_factory=dict)
    """By id: the reminder (None for a drop recorded before its plan) and its status."""

    async def expect_answer(self, reminder: ProposalReminder) -> None:
        self.proposals.setdefault(reminder.reminder_id, (reminder, "waiting"))

    async def answered(self, reminder_id: str, match_id: str) -> None:
        reminder, status = self.proposals.get(reminder_id, (None, "waiting"))
        if status == "waiting":
            self.proposals[reminder_id] = (reminder, "cancelled")

    async def left(self, participant_id: str) -> None:
        for reminder_id, (reminder, status) in self.proposals.items():
            named = reminder is not None and participant_id in (
                reminder.mentee_id,
                reminder.mentor_id,
            )
            if named and status == "waiting":
                self.proposals[reminder_id] = (reminder, "cancelled")
        for reminder_id, (confirmation, status) in self.confirmations.items():
            named = confirmation is not None and participant_id in (
                confirmation.mentee_id,
                confirmation.mentor_id,
            )
            if named and status == "waiting":
                self.confirmations[reminder_id] = (confirmation, "cancelled")

    async def due_answers(self, now: datetime, limit: int) -> list[ProposalReminder]:
        due = [
            r
            for r, status in self.proposals.values()
            if r is not None and status == "waiting" and r.due_at <= now
        ]
        return sorted(due, key=lambda r: r.due_at)[:limit]

    async def proposal_done(self, reminder_id: str, status: str) -> None:
        reminder, current = self.proposals[reminder_id]
        if current == "waiting":
            self.proposals[reminder_id] = (reminder, status)

    async def expect_confirmation(self, reminder: ConfirmationReminder) -> None:
        current = self.confirmations.get(reminder.reminder_id)
        if current is None:
            self.confirmations[reminder.reminder_id] = (reminder, "waiting")
            return
        known, status = current
        if status == "waiting" and known is not None and known.sequence < reminder.sequence:
            self.confirmations[reminder.reminder_id] = (reminder, "waiting")

    async def confirmation_dropped(
        self,
        reminder_id: str,
        planned_session_id: str,
        mentee_id: str,
        mentor_id: str | None,
        status: str,
    ) -> None:
        reminder, current = self.confirmations.get(reminder_id, (None, "waiting"))
        if current == "waiting":
            self.confirmations[reminder_id] = (reminder, status)

    async def pair_ended(self, mentee_id: str, mentor_id: str) -> None:
        for reminder_id, (reminder, status) in self.confirmations.items():
            pair = reminder is not None and (reminder.mentee_id, reminder.mentor_id) == (
                mentee_id,
                mentor_id,
            )
            if pair and status == "waiting":
                self.confirmations[reminder_id] = (reminder, "cancelled")

    async def due_confirmations(self, now: datetime, limit: int) -> list[ConfirmationReminder]:
        due = [
            r
            for r, status in self.confirmations.values()
            if r is not None and status == "waiting" and r.due_at <= now
        ]
        return sorted(due, key=lambda r: r.due_at)[:limit]

    async def confirmation_done(self, reminder_id: str, status: str) -> None:
        reminder, current = self.confirmations[reminder_id]
        if current == "waiting":
            self.confirmations[reminder_id] = (reminder, status)

    async def change_watch(
        self, mentee_id: str, decide: Callable[[Watch | None], Watch | None]
    ) -> Watch | None:
        current = self.watches.get(mentee_id)
        changed = decide(current)
        if changed is None:
            return current
        self.watches[mentee_id] = changed
        return changed

    async def reminder_days(self) -> dict[str, int | None]:
        return {i: p.check_in_reminder_days for i, (p, _) in self.store.programs.items()}

    async def silent_since(self, program_id: str, before: datetime, limit: int) -> list[Watch]:
        silent = [
            w
            for w in self.watches.values()
            if w.state is WatchState.WAITING and w.program_id == program_id and w.since <= before
        ]
        return sorted(silent, key=lambda w: w.since)[:limit]

    async def reminded(self, watch: Watch) -> bool:
        current = self.watches.get(watch.mentee_id)
        if current is None or current.state is not WatchState.WAITING:
            return False
        if current.since != watch.since:
            return False
        self.watches[watch.mentee_id] = replace(current, state=WatchState.REMINDED)
        return True


# ---- weekly digests -------------------------------------------------------------------------


@dataclass
class FakeDigests:
    store: FakeStore
    """Whose programs' names the digests read."""
    changes: dict[str, tuple[str, RecordedChange]] = field(default_factory=dict)
    """By id, with the digest each belongs to."""
    weeks: dict[str, str] = field(default_factory=dict)
    matches: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def record(
        self,
        mentor_id: str,
        program_id: str,
        week: Week,
        timezone: str,
        due_at: datetime,
        entry: Entry,
    ) -> bool:
        change_id = f"{mentor_id}:{entry.event_id}"
        stored = change_id not in self.changes
        if stored:
            change = RecordedChange(mentor_id, program_id, week, timezone, due_at, entry)
            self.changes[change_id] = (f"{mentor_id}:{week.key}", change)
        self.weeks[week.key] = uuid.uuid4().hex
        return stored

    async def accepted(self, match_id: str, mentor_id: str, mentee_id: str, at: datetime) -> None:
        match = self.matches.setdefault(match_id, {})
        match.update(mentor_id=mentor_id, mentee_id=mentee_id, accepted_at=at)

    async def ended(self, match_id: str, mentor_id: str, mentee_id: str, at: datetime) -> None:
        match = self.matches.setdefault(match_id, {})
        match.update(mentor_id=mentor_id, mentee_id=mentee_id, ended_at=at)

    async def weeks_waiting(self) -> list[WaitingWeek]:
        return [WaitingWeek(week, touched) for week, touched in sorted(self.weeks.items())]

    async def due_digests(self, week: str, now: datetime, limit: int) -> list[str]:
        due = sorted(
            (c.due_at, digest)
            for digest, c in self.changes.values()
            if c.week.key == week and c.due_at <= now
        )
        return list(dict.fromkeys(digest for _, digest in due))[:limit]

    async def changes_in(self, digest: str) -> list[RecordedChange]:
        return [c for d, c in self.changes.values() if d == digest]

    async def sent(self, digest: str) -> None:
        self.changes = {i: (d, c) for i, (d, c) in self.changes.items() if d != digest}

    async def forget_week(self, week: WaitingWeek) -> bool:
        if any(c.week.key == week.week for _, c in self.changes.values()):
            return False
        if self.weeks.get(week.week) != week.touched:
            return False
        del self.weeks[week.week]
        return True

    async def matches_of(self, mentor_id: str) -> list[Match]:
        return [
            Match(m["mentee_id"], m.get("accepted_at"), m.get("ended_at"))
            for m in self.matches.values()
            if m.get("mentor_id") == mentor_id
        ]

    async def program_name(self, program_id: str) -> str | None:
        kept = self.store.programs.get(program_id)
        return kept[0].name if kept else None


# ---- erasures -------------------------------------------------------------------------------


@dataclass
class KeptFor:
    """A notification as the erasure sees it, with whom it is about and for."""

    kept: KeptNotification
    subject_id: str | None
    user_id: str | None


@dataclass
class FakeErasures:
    entries_by_id: dict[str, DirectoryEntry] = field(default_factory=dict)
    erasing: set[str] = field(default_factory=set)
    erased: set[str] = field(default_factory=set)
    partners: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    admins: dict[str, dict[str, str]] = field(default_factory=dict)
    """By program: account id -> language."""
    notifications: dict[str, KeptFor] = field(default_factory=dict)
    copies: dict[str, list[KeptCopy]] = field(default_factory=dict)
    """By notification id."""
    deliveries_by_notification: dict[str, int] = field(default_factory=dict)
    deliveries_of_account: dict[str, int] = field(default_factory=dict)
    about: dict[str, int] = field(default_factory=dict)
    preferences: set[str] = field(default_factory=set)
    parts: dict[str, int] = field(default_factory=dict)
    records: dict[str, tuple[dict[str, int], list[Envelope[Any]]]] = field(default_factory=dict)

    async def done(self, erasure_id: str) -> bool:
        return erasure_id in self.records

    async def mark_erasing(self, person_id: str) -> None:
        self.erasing.add(person_id)

    async def entries(self, person_ids: Sequence[str]) -> list[DirectoryEntry]:
        return [self.entries_by_id[i] for i in person_ids if i in self.entries_by_id]

    async def partners_of(self, person_id: str) -> tuple[set[str], set[str]]:
        return self.partners.get(person_id, (set(), set()))

    async def admins_of(self, program_ids: Sequence[str]) -> dict[str, str]:
        return {a: lang for p in program_ids for a, lang in self.admins.get(p, {}).items()}

    async def notifications_about(self, person_id: str) -> list[KeptNotification]:
        return [n.kept for n in self.notifications.values() if n.subject_id == person_id]

    async def notifications_to(self, person_id: str) -> list[KeptNotification]:
        return [n.kept for n in self.notifications.values() if n.kept.recipient_id == person_id]

    async def notifications_of_account(self, user_id: str) -> list[KeptNotification]:
        return [n.kept for n in self.notifications.values() if n.user_id == user_id]

    async def rewrite_texts(self, notification_id: str, texts: Texts) -> None:
        found = self.notifications[notification_id]
        found.kept = replace(found.kept, texts=texts)

    async def copies_of(self, notification_id: str) -> list[KeptCopy]:
        return list(self.copies.get(notification_id, []))

    async def rewrite_copy(self, copy: KeptCopy, texts: Texts) -> None:
        for notification_id, copies in self.copies.items():
            self.copies[notification_id] = [
                replace(c, texts=texts) if c.delivery_id == copy.delivery_id else c for c in copies
            ]

    async def notifications_of(self, user_id: str | None, person_ids: Sequence[str]) -> list[str]:
        return sorted(
            i
            for i, n in self.notifications.items()
            if (user_id and n.user_id == user_id) or n.kept.recipient_id in person_ids
        )

    async def delete_notification(self, notification_id: str) -> int:
        self.notifications.pop(notification_id, None)
        self.copies.pop(notification_id, None)
        return self.deliveries_by_notification.pop(notification_id, 0)

    async def delete_about(self, person_id: str) -> int:
        return self.about.pop(person_id, 0)

    async def delete_deliveries_of(self, user_id: str) -> int:
        return self.deliveries_of_account.pop(user_id, 0)

    async def delete_preferences(self, user_id: str) -> int:
        if user_id in self.preferences:
            self.preferences.remove(user_id)
            return 1
        return 0

    async def delete_parts(self, subject_user_id: str) -> int:
        return self.parts.pop(subject_user_id, 0)

    async def forget_admin(self, program_ids: Sequence[str], user_id: str) -> int:
        return sum(1 for p in program_ids if user_id in self.admins.get(p, {}))

    async def pseudonymise(self, person_id: str) -> None:
        self.erasing.discard(person_id)
        self.erased.add(person_id)
        entry = self.entries_by_id.get(person_id)
        if entry is not None:
            self.entries_by_id[person_id] = DirectoryEntry(person_id, None, None, None)

    async def record(
        self,
        erasure_id: str,
        participant_ids: Sequence[str],
        counts: dict[str, int],
        done_at: datetime,
        events: Sequence[Envelope[Any]],
    ) -> bool:
        if erasure_id in self.records:
            return False
        self.records[erasure_id] = (counts, list(events))
        return True


# ---- personal data and export parts ---------------------------------------------------------


@dataclass
class FakePersonalData:
    held: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    asked: list[tuple[str, frozenset[str], bool]] = field(default_factory=list)

    async def sections(
        self, user_id: str, participant_ids: Collection[str], *, whole_account: bool
    ) -> Records:
        self.asked.append((user_id, frozenset(participant_ids), whole_account))
        return self.held


@dataclass
class FakeExportParts:
    parts: dict[str, tuple[ExportPart, list[Envelope[Any]]]] = field(default_factory=dict)

    async def add(self, part: ExportPart, events: Sequence[Envelope[Any]]) -> bool:
        if part.export_id in self.parts:
            return False
        self.parts[part.export_id] = (part, list(events))
        return True

    async def get(self, export_id: str) -> ExportPart | None:
        found = self.parts.get(export_id)
        return found[0] if found else None

    async def delete_expired(self, now: datetime) -> int:
        expired = [i for i, (p, _) in self.parts.items() if p.expires_at <= now]
        for export_id in expired:
            del self.parts[export_id]
        return len(expired)


# ---- senders --------------------------------------------------------------------------------


@dataclass
class FakeSenders:
    """The e-mail and webhook senders and the dead-letter topic in one: what they were given,
    and the failures to raise, one per call, in order (None: accepted)."""

    emails: list[Email] = field(default_factory=list)
    calls: list[WebhookCall] = field(default_factory=list)
    dead: list[QueuedDelivery] = field(default_factory=list)
    failures: list[SendFailed | None] = field(default_factory=list)

    def _outcome(self) -> None:
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            raise failure

    async def send(self, email: Email) -> None:
        self._outcome()
        self.emails.append(email)

    async def post(self, call: WebhookCall) -> None:
        self._outcome()
        self.calls.append(call)

    async def publish(self, delivery: QueuedDelivery) -> None:
        self.dead.append(delivery)


# ---- the contexts ---------------------------------------------------------------------------


@dataclass
class Fakes:
    clock: FakeClock
    store: FakeStore
    deliveries: FakeDeliveries
    ratings: FakeRatings
    nudges: FakeNudges
    digests: FakeDigests

    def context(self, correlation_id: str | None = None) -> Context:
        return Context(
            store=self.store,
            deliveries=self.deliveries,
            ratings=self.ratings,
            nudges=self.nudges,
            digests=self.digests,
            clock=self.clock,
            correlation_id=correlation_id,
        )


def fakes(now: datetime) -> Fakes:
    clock = FakeClock(now)
    store = FakeStore(clock)
    return Fakes(
        clock,
        store,
        FakeDeliveries(),
        FakeRatings(),
        FakeNudges(store),
        FakeDigests(store),
    )


def export_context(
    store: FakeStore, parts: FakeExportParts, personal: FakePersonalData, clock: FakeClock
) -> ExportContext:
    return ExportContext(store, parts, personal, clock)


def erasure_context(erasures: FakeErasures, clock: FakeClock) -> ErasureContext:
    return ErasureContext(erasures, clock, settle_seconds=0)
