"""What notify's use cases need from the outside world, as small protocols: the stores (the
directory, the inbox, preferences, parked events, the delivery queue, the reminders, the weekly
digests, erasures, personal data) and the senders. The adapters implement them against MongoDB,
SMTP, HTTP and Kafka; unit tests use in-memory fakes (``tests/unit/fakes.py``).

The values they exchange are the dataclasses below or the domain's: no storage document and no
query syntax crosses a port.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

from mentorship_contracts import Envelope
from mentorship_runtime.event_order import EventOrder
from mentorship_runtime.export_part import ExportPart
from notify.domain.check_ins import Watch
from notify.domain.delivery import DeliveryStatus
from notify.domain.directory import ProgramAdmins, Recipient
from notify.domain.dispatch import PlannedDelivery
from notify.domain.erasure import Texts
from notify.domain.notifications import CalendarInvite, Notification
from notify.domain.preferences import Preferences
from notify.domain.subjects import About
from notify.domain.weekly_digest import Entry, Match, Week

Clock = Callable[[], datetime]


class StoreUnavailable(Exception):
    """The store could not be reached or did not answer: the outcome is unknown, try later."""


# ---- the directory --------------------------------------------------------------------------


class Unsaid(Enum):
    UNSAID = "unsaid"


UNSAID = Unsaid.UNSAID
"""A field a directory event does not speak of: left as it is."""


@dataclass(frozen=True)
class PersonFacts:
    """What one directory event says of a person: the fields it sets (``UNSAID`` for the
    others), each kept only if no newer event set it."""

    program_id: str | Unsaid = UNSAID
    user_id: str | Unsaid | None = UNSAID
    display_name: str | Unsaid = UNSAID
    email: str | Unsaid = UNSAID
    language: str | Unsaid = UNSAID
    timezone: str | Unsaid = UNSAID
    roles: tuple[str, ...] | Unsaid = UNSAID
    department: str | Unsaid = UNSAID
    withdrawn: bool | Unsaid = UNSAID

    def said(self) -> dict[str, object]:
        """The fields it sets, by name."""
        named = {
            "user_id": self.user_id,
            "display_name": self.display_name,
            "email": self.email,
            "language": self.language,
            "timezone": self.timezone,
            "roles": list(self.roles) if isinstance(self.roles, tuple) else self.roles,
            "program_id": self.program_id,
            "department": self.department,
            "withdrawn": self.withdrawn,
        }
        return {name: value for name, value in named.items() if value is not UNSAID}


@dataclass(frozen=True)
class AdminFacts:
    """A program's admin as ProgramPublished names them."""

    user_id: str
    display_name: str | None = None
    email: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class ProgramFacts:
    """What ProgramPublished says of a program that notify keeps."""

    program_id: str
    name: str
    admins: tuple[AdminFacts, ...]
    check_in_reminder_days: int | None = None


@dataclass(frozen=True)
class ParkedEvent:
    """An event waiting for someone the directory does not know yet (or for their name)."""

    event_id: str
    raw: str
    """The event as received (JSON), decoded again when it is planned."""
    mark: str | None
    """Changes with every parking: letting go of it lets go of this parking only."""
    names_due: datetime | None = None
    trace: Mapping[str, str] = field(default_factory=dict)


# ---- the inbox ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Announced:
    """A notification to store for its recipient's account, with the events announcing it."""

    notification: Notification
    user_id: str | None
    events: Sequence[Envelope[Any]]
    scope: Callable[[], AbstractContextManager[None]] = nullcontext
    """The scope (the trace) the announcements are made in, which they carry on."""


@dataclass(frozen=True)
class InboxEntry:
    """A stored notification as its reader sees it."""

    notification_id: str
    kind: str
    priority: str
    title: str
    body: str
    html_body: str
    subject_id: str | None
    created_at: datetime
    read_at: datetime | None
    about: About


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxEntry]
    next_cursor: str | None
    unread: int


# ---- preferences ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredPreferences:
    """A person's preferences as stored, not validated again yet (an edit by hand may have
    broken them), with the webhook signing secret made with their first save."""

    channels: Mapping[str, Sequence[str]] = field(default_factory=dict)
    quiet_hours: tuple[str, str] | None = None
    digest: str = "immediate"
    digest_hour: int = 8
    webhook_url: str | None = None
    timezone: str | None = None
    email: str | None = None
    webhook_secret: str | None = None


class Store(Protocol):
    """The directory, the inbox, the preferences and the parked events."""

    async def remember_person(self, person_id: str, facts: PersonFacts, order: EventOrder) -> bool:
        """Keep what an event says of a person, field by field, unless a newer event said
        otherwise; an erased person's entry takes nothing. Whether anything was kept."""

    async def remember_program(self, program: ProgramFacts, order: EventOrder) -> bool:
        """Keep a program's name, admins and settings unless a newer state was kept."""

    async def recipients(self, person_ids: Sequence[str]) -> list[Recipient]: ...

    async def program_admins(self, program_id: str) -> ProgramAdmins | None: ...

    async def add_all(self, items: Sequence[Announced]) -> set[str]:
        """Store each notification once, announcing it once; the ids of those this call
        stored (the others were stored before)."""

    async def inbox(
        self, user_id: str, *, unread_only: bool, first: int, after: str | None
    ) -> tuple[list[InboxEntry], str | None]:
        """Newest first, ``first`` at most after the cursor ``after``; and the next cursor."""

    async def notification_of(self, user_id: str, notification_id: str) -> InboxEntry | None: ...

    async def unread_count(self, user_id: str) -> int: ...

    async def unread_by_subject(
        self, user_id: str, subject_ids: Sequence[str]
    ) -> dict[str, int]: ...

    async def mark_read(
        self, user_id: str, notification_id: str, events: Sequence[Envelope[Any]]
    ) -> bool:
        """Mark it read with its events, unless it is read already or not theirs."""

    async def notifications_by_id(self, ids: Sequence[str]) -> dict[str, Notification]: ...

    async def preferences_of(self, user_ids: Sequence[str]) -> dict[str, StoredPreferences]: ...

    async def save_preferences(
        self, user_id: str, preferences: Preferences, new_secret: str
    ) -> StoredPreferences:
        """Replace them; the secret is made with the first save and kept afterwards."""

    async def park(
        self,
        event_id: str,
        raw: str,
        waiting_for: list[str],
        occurred_at: datetime,
        names_due: datetime | None = None,
        trace: Mapping[str, str] | None = None,
    ) -> None:
        """Park (again) an event for whom it waits, with a new mark; the earliest ``names_due``
        it was ever given is kept."""

    async def parked_for(self, key: str) -> list[ParkedEvent]:
        """The events waiting for ``key``, oldest first."""

    async def overdue(self, now: datetime, limit: int) -> list[ParkedEvent]:
        """The events whose wait for a name is over by ``now``, the longest waiting first."""

    async def unpark(self, event_id: str, mark: str | None) -> None:
        """Let go of the parking, unless the event was parked again since (``mark``)."""


# ---- the delivery queue ---------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """The deliveries one planner wrote: the lease they hold, the ids of those it queued (the
    others were queued before it), and of all it meant to queue (not the in-app ones, done)."""

    lease: str
    queued: set[str]
    for_queue: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class QueuedDelivery:
    """A delivery in the queue as a worker read it (its lease and attempts guard a claim)."""

    delivery_id: str
    notification_id: str
    recipient_id: str
    user_id: str | None
    channel: str
    target: str | None
    digest: bool
    display_name: str
    language: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    lease: str | None
    lease_until: datetime
    notification: Notification | None = None
    """The notification, copied when the delivery was planned (None for older ones)."""


@dataclass(frozen=True)
class Outcome:
    """What an attempt made of a delivery."""

    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None = None
    """When it was sent (only for a delivery sent)."""


class Deliveries(Protocol):
    """The delivery queue, step by step: a planner *holds* its deliveries before it stores their
    notifications, then *releases* those of the notifications it stored and *drops* those of the
    notifications stored before; a worker looks for *due* deliveries, *claims* one under a lease,
    *renews* the lease while it sends, and *settles* it; dead deliveries are published once;
    settled ones are *archived*."""

    async def hold_all(
        self,
        planned: Sequence[tuple[str | None, Sequence[PlannedDelivery]]],
        now: datetime,
        until: datetime,
        notifications: Mapping[str, Notification] | None = None,
    ) -> Held:
        """Write each planned delivery once (the in-app ones, done, straight to the log), the
        others held until ``until`` with a copy of their notification."""

    async def release(self, held: Held, delivery_ids: Sequence[str]) -> None:
        """Let workers take these now: their notifications are stored."""

    async def drop_held(self, held: Held, delivery_ids: Sequence[str]) -> None:
        """Settle those this planner queued for notifications stored before it: removed if made
        already, released otherwise (the only copies)."""

    async def due(self, now: datetime, limit: int, *, thorough: bool) -> list[QueuedDelivery]:
        """Deliveries due and not held. Not ``thorough``: those ready when planned alone (quick);
        ``thorough``: every due one, the longest waiting first."""

    async def claim_due(
        self, delivery: QueuedDelivery, token: str, now: datetime, lease_until: datetime
    ) -> QueuedDelivery | None:
        """Take it under this lease if it is still as read; None if another worker took it (or
        it changed) meanwhile, or its lease has not run out."""

    async def renew_lease(self, token: str, count: int, lease_until: datetime) -> bool:
        """Push the deadline of the ``count`` deliveries held under ``token``; False if they are
        no longer all held under it. Raises ``StoreUnavailable`` when the outcome is unknown."""

    async def settle_with(self, delivery_id: str, token: str, outcome: Outcome) -> bool:
        """Record the outcome and free the lease; False if the lease was lost meanwhile. A
        delivery settled dead waits to be published."""

    async def dead_unpublished(self, limit: int) -> list[QueuedDelivery]: ...

    async def mark_published(self, delivery_id: str) -> None: ...

    async def archive_settled(self, limit: int = 1000) -> int:
        """Move the deliveries done (sent, or dead and published) out of the queue."""


class DeadLetters(Protocol):
    async def publish(self, delivery: QueuedDelivery) -> None: ...


# ---- reminders ------------------------------------------------------------------------------


class Scheduled(Protocol):
    """What every stored reminder names: itself, when it is due, and whom it is about."""

    @property
    def reminder_id(self) -> str: ...

    @property
    def due_at(self) -> datetime: ...

    @property
    def program_id(self) -> str: ...

    @property
    def mentee_id(self) -> str: ...

    @property
    def mentor_id(self) -> str | None: ...


@dataclass(frozen=True)
class RatingReminder:
    reminder_id: str
    session_id: str
    side: str
    mentee_id: str
    mentor_id: str | None
    program_id: str
    held_on: str
    due_at: datetime
    event_id: str


class RatingReminders(Protocol):
    async def expect_rating(self, reminder: RatingReminder) -> None:
        """Schedule it unless it exists (waiting, cancelled by a rating, or sent)."""

    async def rated(self, reminder_id: str, session_id: str, side: str) -> None:
        """Cancel it, even before it is scheduled; one sent stays sent."""

    async def due_ratings(self, now: datetime, limit: int) -> list[RatingReminder]: ...

    async def reminder_sent(self, reminder_id: str) -> None: ...


@dataclass(frozen=True)
class ProposalReminder:
    reminder_id: str
    match_id: str
    program_id: str
    mentee_id: str
    mentor_id: str
    expires_at: datetime
    due_at: datetime


@dataclass(frozen=True)
class ConfirmationReminder:
    """A planned session as its reminder to confirm it took place needs it."""

    reminder_id: str
    planned_session_id: str
    program_id: str
    mentee_id: str
    mentor_id: str
    starts_at: datetime
    duration_minutes: int
    time_zone: str
    planned_by: str
    sequence: int
    due_at: datetime


class Nudges(Protocol):
    async def expect_answer(self, reminder: ProposalReminder) -> None:
        """Schedule it unless it exists (waiting, cancelled by an answer, or done)."""

    async def answered(self, reminder_id: str, match_id: str) -> None:
        """Cancel it, even before it is scheduled; one sent stays sent."""

    async def left(self, participant_id: str) -> None:
        """Cancel the waiting reminders of the proposals and the planned sessions naming them,
        on either side."""

    async def due_answers(self, now: datetime, limit: int) -> list[ProposalReminder]: ...

    async def proposal_done(self, reminder_id: str, status: str) -> None:
        """Mark a waiting reminder ``sent`` or ``lapsed``."""

    async def expect_confirmation(self, reminder: ConfirmationReminder) -> None:
        """Schedule it, or move it to this plan, unless it was dropped or sent, or a plan of a
        higher ``sequence`` is known."""

    async def confirmation_dropped(
        self,
        reminder_id: str,
        planned_session_id: str,
        mentee_id: str,
        mentor_id: str | None,
        status: str,
    ) -> None:
        """Drop it as ``cancelled`` or ``confirmed``, even before it is scheduled (so that a
        later plan schedules nothing); one sent stays sent."""

    async def pair_ended(self, mentee_id: str, mentor_id: str) -> None:
        """Drop the waiting reminders of the pair's planned sessions."""

    async def due_confirmations(self, now: datetime, limit: int) -> list[ConfirmationReminder]: ...

    async def confirmation_done(self, reminder_id: str, status: str) -> None:
        """Mark a waiting reminder ``sent`` or ``lapsed``."""

    async def change_watch(
        self, mentee_id: str, decide: Callable[[Watch | None], Watch | None]
    ) -> Watch | None:
        """Apply ``decide`` to the mentee's check-in watch as one guarded write."""

    async def reminder_days(self) -> dict[str, int | None]:
        """Every program known, with its check-in reminder days (None: not told yet)."""

    async def silent_since(self, program_id: str, before: datetime, limit: int) -> list[Watch]: ...

    async def reminded(self, watch: Watch) -> bool:
        """Mark the stretch reminded, unless it changed meanwhile."""


# ---- weekly digests -------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedChange:
    """A change kept for a mentor's digest of a week."""

    mentor_id: str
    program_id: str
    week: Week
    timezone: str
    due_at: datetime
    entry: Entry


@dataclass(frozen=True)
class WaitingWeek:
    week: str
    touched: str | None
    """Changes with every change recorded: a week is forgotten only if untouched since read."""


class WeeklyDigests(Protocol):
    async def record(
        self,
        mentor_id: str,
        program_id: str,
        week: Week,
        timezone: str,
        due_at: datetime,
        entry: Entry,
    ) -> bool:
        """Keep the change once; False if it was kept before."""

    async def accepted(
        self, match_id: str, mentor_id: str, mentee_id: str, at: datetime
    ) -> None: ...

    async def ended(self, match_id: str, mentor_id: str, mentee_id: str, at: datetime) -> None: ...

    async def weeks_waiting(self) -> list[WaitingWeek]: ...

    async def due_digests(self, week: str, now: datetime, limit: int) -> list[str]: ...

    async def changes_in(self, digest: str) -> list[RecordedChange]: ...

    async def sent(self, digest: str) -> None: ...

    async def forget_week(self, week: WaitingWeek) -> bool:
        """Forget the week if no change is left in it and none was recorded since it was read."""

    async def matches_of(self, mentor_id: str) -> list[Match]: ...

    async def program_name(self, program_id: str) -> str | None: ...


# ---- erasures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryEntry:
    """Who a directory entry names, and the language they read."""

    person_id: str
    display_name: str | None
    email: str | None
    language: str | None


@dataclass(frozen=True)
class KeptNotification:
    """A stored notification whose texts may name someone being erased."""

    notification_id: str
    recipient_id: str | None
    texts: Texts


@dataclass(frozen=True)
class KeptCopy:
    """A delivery's copy of its notification's texts; ``place``: where the delivery is kept
    (queued or settled), as the store names it."""

    place: str
    delivery_id: str
    texts: Texts


class Erasures(Protocol):
    """What an erasure reads and changes: the directory, the notifications and their delivery
    copies, the records about a person, their preferences and export parts, and the record of
    each erasure done (kept with its event)."""

    async def done(self, erasure_id: str) -> bool: ...

    async def mark_erasing(self, person_id: str) -> None:
        """Planners see the entry as naming and reaching no one from now on; its name stays."""

    async def entries(self, person_ids: Sequence[str]) -> list[DirectoryEntry]: ...

    async def partners_of(self, person_id: str) -> tuple[set[str], set[str]]:
        """The mentees and the mentors the participant has been matched with."""

    async def admins_of(self, program_ids: Sequence[str]) -> dict[str, str]:
        """The programs' admins (account ids), with the language each reads."""

    async def notifications_about(self, person_id: str) -> list[KeptNotification]: ...

    async def notifications_to(self, person_id: str) -> list[KeptNotification]:
        """Those addressed to the participant."""

    async def notifications_of_account(self, user_id: str) -> list[KeptNotification]: ...

    async def rewrite_texts(self, notification_id: str, texts: Texts) -> None: ...

    async def copies_of(self, notification_id: str) -> list[KeptCopy]: ...

    async def rewrite_copy(self, copy: KeptCopy, texts: Texts) -> None: ...

    async def notifications_of(self, user_id: str | None, person_ids: Sequence[str]) -> list[str]:
        """The ids of the account's notifications and of those addressed to the participants."""

    async def delete_notification(self, notification_id: str) -> int:
        """The notification and every delivery of it; how many deliveries."""

    async def delete_about(self, person_id: str) -> int:
        """Reminders, watches, digest records and parked events about the participant."""

    async def delete_deliveries_of(self, user_id: str) -> int: ...

    async def delete_preferences(self, user_id: str) -> int: ...

    async def delete_parts(self, subject_user_id: str) -> int: ...

    async def forget_admin(self, program_ids: Sequence[str], user_id: str) -> int:
        """The person's entry among each program's admins keeps their account id alone."""

    async def pseudonymise(self, person_id: str) -> None:
        """The entry keeps the participant id, program and roles, marked erased and withdrawn."""

    async def record(
        self,
        erasure_id: str,
        participant_ids: Sequence[str],
        counts: dict[str, int],
        done_at: datetime,
        events: Sequence[Envelope[Any]],
    ) -> bool:
        """Keep the erasure's record with its event; False when it was kept before."""


# ---- personal data --------------------------------------------------------------------------


Records = Mapping[str, Sequence[Mapping[str, object]]]
"""The records of an export part, by section (``mentorship_contracts.personal_data``): what is
handed over to the person, as it is kept."""


class PersonalData(Protocol):
    async def sections(
        self, user_id: str, participant_ids: Collection[str], *, whole_account: bool
    ) -> Records:
        """What notify holds about ``user_id``: everything with ``whole_account``, else what
        concerns the participations named."""


class ExportParts(Protocol):
    async def add(self, part: ExportPart, events: Sequence[Envelope[Any]]) -> bool:
        """Keep the part with its events; False when it was kept before."""

    async def get(self, export_id: str) -> ExportPart | None: ...

    async def delete_expired(self, now: datetime) -> int: ...


# ---- the senders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    """Stable for a delivery: a resend after a crash carries the same Message-ID, which mail
    systems and clients use to drop duplicates."""
    language: str = "en"
    calendar: CalendarInvite | None = None
    """A calendar invitation sent with the message (``text/calendar`` with its method)."""


@dataclass(frozen=True)
class WebhookCall:
    url: str
    body: bytes
    secret: str
    delivery_id: str


class SendFailed(Exception):
    """A channel refused or could not take a message. ``transient``: worth trying again later
    (a server down, a timeout, a 4xx SMTP reply, HTTP 429 or 5xx)."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        self.reason = reason
        self.transient = transient
        super().__init__(reason)


class EmailSender(Protocol):
    async def send(self, email: Email) -> None:
        """Return once the server accepted the message; raise ``SendFailed`` otherwise."""


class WebhookSender(Protocol):
    async def post(self, call: WebhookCall) -> None:
        """Return once the receiver answered 2xx; raise ``SendFailed`` otherwise."""
