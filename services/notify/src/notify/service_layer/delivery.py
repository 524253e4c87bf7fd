"""The delivery protocol's use cases: planning a notification's deliveries as it is stored, and
the worker that sends due e-mails and webhooks, each once, retrying what failed.

Planning (``store_all``): the deliveries are written first, *held* (``HOLD``), then the
notifications are stored with their announcements, then the deliveries of the notifications
this call stored are *released* and those of notifications stored before are *dropped*
(``notify.domain.delivery.released_and_dropped``). Three writes, not one: a crash between them
leaves deliveries held, which are taken when their hold runs out, and a redelivery repairs the
rest (derived ids: planning twice inserts nothing twice).

Each round of the worker takes due deliveries (those ready when planned, by an index; every
``THOROUGH_EVERY`` rounds all that are due, oldest first), and ``concurrency`` lanes each claim
one (a guarded write that takes a lease only if the delivery is as the worker read it: of the
workers racing for it exactly one wins, so two workers never hold the same one), send it, and
settle it: sent; failed with its next attempt after an exponential backoff with full jitter; or
dead after a permanent error or the last attempt, and then published to the dead-letter topic.
A slow or failing receiver holds one lane for at most its timeout and never blocks other
people's deliveries.

A daily-digest e-mail gathers the due digest deliveries of the same person and address found in
the round into one message, and settles them together.

Leases are short (``DELIVERY_LEASE_SECONDS``, 20 s) and renewed while a send runs (every third
of the lease), so the deliveries a dead worker held are taken again by another (or by itself,
restarted) once its lease has run out: at the next round for a delivery ready when planned,
within ``THOROUGH_EVERY`` rounds for the others. A worker that cannot renew (its lease was taken,
or no renewal succeeded before the last sixth of the lease) cancels its send and settles nothing:
it only sends what it holds, so two workers never send the same delivery at once (as long as their
clocks agree within that sixth).

Exactly once, as far as it goes: a delivery marked sent is never claimed again, and a lease is
held by one worker at a time. What remains is at least once: if a worker dies after the SMTP
server or the webhook accepted a message but before the delivery is marked sent, the lease runs
out and another worker sends it again. The resend carries the same Message-ID (e-mail) and the
same ``X-Notify-Delivery`` header and ``notification.id`` (webhook), so receivers can drop it.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from mentorship_contracts import Envelope, new_envelope
from mentorship_contracts.events import NotificationAbout, NotificationCreated
from mentorship_runtime.logging import get_logger
from notify.domain.delivery import (
    HOLD,
    ChannelDelivery,
    DeliveryStatus,
    RetryPolicy,
    is_thorough,
    record_failure,
    record_success,
    released_and_dropped,
    work_key,
)
from notify.domain.digest import build_digest
from notify.domain.directory import Language, Recipient
from notify.domain.dispatch import PlannedDelivery, plan_deliveries
from notify.domain.notifications import Notification
from notify.domain.preferences import Channel
from notify.domain.webhooks import webhook_payload
from notify.service_layer.context import Context
from notify.service_layer.ports import (
    Announced,
    DeadLetters,
    Deliveries,
    Email,
    EmailSender,
    Outcome,
    QueuedDelivery,
    SendFailed,
    Store,
    StoreUnavailable,
    WebhookCall,
    WebhookSender,
)
from notify.service_layer.preferences import preferences_for

log = get_logger("notify.delivery")
PRODUCER = "notify"
ANNOUNCEMENTS = uuid.UUID("5b0e3c1e-6f1d-4d2a-9a57-2f0c8d6b1e41")
"""The namespace of the ids of ``NotificationCreated`` events (derived from the notification's)."""
MESSAGE_ID_DOMAIN = "notify.mentorship"
DEAD_LETTER_SWEEP_EVERY = 30


# ---- planning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Addressed:
    """A notification ready to store, for its recipient, with what caused it (None for one
    notify composed itself) and the scope its announcement is made in."""

    notification: Notification
    recipient: Recipient
    cause: Envelope[Any] | None
    correlation_id: str
    scope: Callable[[], AbstractContextManager[None]] = nullcontext


async def store_all(addressed: Sequence[Addressed], ctx: Context) -> set[str]:
    """Store each notification once, with its announcement, and its deliveries planned over
    the recipient's preferences; returns the ids of the notifications this call stored (the
    others were stored before: their deliveries queued now are dropped)."""
    users = sorted({a.recipient.user_id for a in addressed if a.recipient.user_id})
    preferences = await ctx.store.preferences_of(users) if users else {}
    announced: list[Announced] = []
    deliveries: list[tuple[str | None, Sequence[PlannedDelivery]]] = []
    for item in addressed:
        with item.scope():  # the announcement carries on the trace of the event that caused it
            notification, recipient = item.notification, item.recipient
            announcement = _announcement(item, ctx)
            announced.append(Announced(notification, recipient.user_id, [announcement], item.scope))
            chosen = preferences_for(recipient.user_id, preferences.get(recipient.user_id or ""))
            deliveries.append(
                (recipient.user_id, plan_deliveries(notification, recipient, chosen, ctx.clock()))
            )
    by_id = {item.notification.notification_id: item.notification for item in announced}
    now = ctx.clock()
    held = await ctx.deliveries.hold_all(deliveries, now, now + HOLD, by_id)
    new = await ctx.store.add_all(announced)
    written = [(p.delivery_id, p.notification_id) for _, each in deliveries for p in each]
    release, drop = released_and_dropped(written, new)
    await ctx.deliveries.release(held, release)
    await ctx.deliveries.drop_held(held, drop)
    return new


def _announcement(item: Addressed, ctx: Context) -> Envelope[Any]:
    notification = item.notification
    return new_envelope(
        NotificationCreated(
            notification_id=notification.notification_id,
            recipient_id=item.recipient.user_id or notification.recipient_id,
            kind=notification.kind.value,
            priority=notification.priority.value,
            subject_id=notification.subject_id,
            created_at=notification.created_at,
            about=NotificationAbout(**notification.about.document()),
        ),
        producer=PRODUCER,
        cause=item.cause,
        correlation_id=item.correlation_id,
        # derived: the same notification is announced by the same event, however often planned
        event_id=uuid.uuid5(ANNOUNCEMENTS, notification.notification_id),
        clock=ctx.clock,
    )


# ---- the worker -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerConfig:
    concurrency: int = 16
    batch: int = 500
    lease: timedelta = timedelta(seconds=20)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    renew_every: timedelta | None = None
    """How often a claim is renewed while its send runs; by default a third of the lease."""


class LeaseLost(Exception):
    """The worker can no longer say it holds its claim: another worker may take it now."""


@dataclass
class RoundReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    full: bool = False  # it found as many due deliveries as a round takes: more may be waiting


class DeliveryWorker:
    def __init__(
        self,
        deliveries: Deliveries,
        store: Store,
        email: EmailSender,
        webhook: WebhookSender,
        dead_letters: DeadLetters,
        clock: Callable[[], datetime],
        config: WorkerConfig | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._deliveries = deliveries
        self._store = store
        self._email = email
        self._webhook = webhook
        self._dead_letters = dead_letters
        self._clock = clock
        self._config = config or WorkerConfig()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._rounds = 0

    async def run_once(self) -> RoundReport:
        """One round: at most ``batch`` due deliveries, ``concurrency`` at a time. A person's
        due digest e-mails are one piece of work, sent as one message."""
        report = RoundReport()
        candidates = await self._deliveries.due(
            self._clock(), self._config.batch, thorough=is_thorough(self._rounds)
        )
        report.full = len(candidates) >= self._config.batch
        work: dict[tuple[str, ...], list[QueuedDelivery]] = {}
        for candidate in candidates:
            key = work_key(
                candidate.delivery_id,
                Channel(candidate.channel),
                candidate.digest,
                candidate.recipient_id,
                candidate.target,
            )
            work.setdefault(key, []).append(candidate)
        queue = list(reversed(work.values()))

        async def lane() -> None:
            while queue:
                group = queue.pop()
                token = uuid.uuid4().hex
                now = self._clock()
                lease_until = now + self._config.lease
                claimed = [
                    taken
                    for candidate in group
                    if (
                        taken := await self._deliveries.claim_due(
                            candidate, token, now, lease_until
                        )
                    )
                ]
                if claimed:
                    await self._deliver(claimed, token, report)

        await asyncio.gather(*(lane() for _ in range(self._config.concurrency)))
        self._rounds += 1
        if report.dead or self._rounds % DEAD_LETTER_SWEEP_EVERY == 1:
            await self.letter_the_dead()  # also what a crash left unpublished, now and then
        if report.sent or report.dead or self._rounds % DEAD_LETTER_SWEEP_EVERY == 1:
            await self._deliveries.archive_settled()  # keeps the queue small
        if report.sent or report.failed or report.dead:
            log.info("deliveries_round", sent=report.sent, failed=report.failed, dead=report.dead)
        return report

    async def letter_the_dead(self) -> None:
        """Publish dead deliveries not published yet (also those a crash left behind)."""
        for delivery in await self._deliveries.dead_unpublished(limit=200):
            await self._dead_letters.publish(delivery)
            await self._deliveries.mark_published(delivery.delivery_id)

    async def _deliver(self, group: list[QueuedDelivery], token: str, report: RoundReport) -> None:
        try:
            await self._holding(group, token, self._attempt(group))
        except LeaseLost:
            log.warning(
                "delivery_lease_lost", delivery_id=group[0].delivery_id, deliveries=len(group)
            )
            return  # not ours any more: whoever holds it now settles it
        except SendFailed as failure:
            outcome: SendFailed | None = failure
        except Exception as unexpected:  # a bug must not lose the delivery: retried, then dead
            log.exception("delivery_error", delivery_id=group[0].delivery_id)
            outcome = SendFailed(f"unexpected error: {unexpected!r}", transient=True)
        else:
            outcome = None
        for delivery in group:
            await self._settle(delivery, token, outcome, report)

    async def _attempt(self, group: list[QueuedDelivery]) -> None:
        notifications = {  # copied into the delivery when planned; read if planned before
            d.notification_id: d.notification for d in group if d.notification is not None
        }
        missing = [d.notification_id for d in group if d.notification is None]
        if missing:
            notifications.update(await self._store.notifications_by_id(missing))
        await self._send(group, notifications)

    async def _holding(
        self, group: list[QueuedDelivery], token: str, attempt: Coroutine[Any, Any, None]
    ) -> None:
        """Run ``attempt`` while renewing the group's lease. If a renewal finds the lease no
        longer this worker's, or the lease comes within a sixth of its length of running out
        without a renewal that succeeded, the attempt is cancelled and ``LeaseLost`` raised."""
        lease = self._config.lease
        every = (self._config.renew_every or lease / 3).total_seconds()
        margin = lease / 6
        held_until = group[0].lease_until
        work = asyncio.ensure_future(attempt)
        try:
            while True:
                left = (held_until - margin - self._clock()).total_seconds()
                await asyncio.wait({work}, timeout=max(0.0, min(every, left)))
                if work.done():
                    return work.result()  # or raises what the attempt raised
                now = self._clock()
                if now >= held_until - margin:
                    raise LeaseLost
                try:
                    renewed = await asyncio.wait_for(
                        self._deliveries.renew_lease(token, len(group), now + lease),
                        timeout=(held_until - margin - now).total_seconds(),
                    )
                except (StoreUnavailable, TimeoutError) as exc:  # not known: tried again in time
                    log.warning("delivery_lease_renewal_failed", error=repr(exc))
                    continue
                if not renewed:
                    raise LeaseLost
                held_until = now + lease
        finally:
            if not work.done():
                work.cancel()
                with suppress(asyncio.CancelledError):
                    await work

    async def _send(
        self, group: list[QueuedDelivery], notifications: dict[str, Notification]
    ) -> None:
        missing = [d.notification_id for d in group if d.notification_id not in notifications]
        if missing:
            raise SendFailed(f"notification not found: {missing[0]}", transient=False)
        first = group[0]
        if first.channel == Channel.WEBHOOK.value:
            await self._post(first, notifications[first.notification_id])
            return
        if len(group) > 1 or first.digest:
            recipient = _recipient_of(first)
            title, text, markup = build_digest(
                recipient, [notifications[d.notification_id] for d in group]
            )
            message_id = f"<digest.{_atom(first.delivery_id)}@{MESSAGE_ID_DOMAIN}>"
            calendar = None
        else:
            note = notifications[first.notification_id]
            title, text, markup = note.title, note.body, note.html_body
            message_id = f"<{_atom(first.delivery_id)}@{MESSAGE_ID_DOMAIN}>"
            calendar = note.calendar
        await self._email.send(
            Email(
                to=str(first.target),
                subject=title,
                text=text,
                html=markup,
                message_id=message_id,
                language=first.language,
                calendar=calendar,
            )
        )

    async def _post(self, delivery: QueuedDelivery, notification: Notification) -> None:
        user_id = delivery.user_id or ""
        stored = (await self._store.preferences_of([user_id])).get(user_id)
        secret = stored.webhook_secret if stored else None
        if not secret:
            raise SendFailed("no webhook signing secret for this person", transient=False)
        await self._webhook.post(
            WebhookCall(
                url=str(delivery.target),
                body=webhook_body(webhook_payload(notification)),
                secret=secret,
                delivery_id=delivery.delivery_id,
            )
        )

    async def _settle(
        self,
        delivery: QueuedDelivery,
        token: str,
        outcome: SendFailed | None,
        report: RoundReport,
    ) -> None:
        now = self._clock()
        current = ChannelDelivery(
            channel=Channel(delivery.channel),
            status=delivery.status,
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
        )
        if outcome is None:
            after = record_success(current)
        else:
            after = record_failure(
                current, outcome.reason, now, self._rng, outcome.transient, self._config.policy
            )
        settled = Outcome(after.status, after.attempts, after.last_error, after.next_attempt_at)
        if after.status is DeliveryStatus.SENT:
            settled = replace(settled, sent_at=now)
            report.sent += 1
        elif after.status is DeliveryStatus.DEAD:
            report.dead += 1
            log.warning("delivery_dead", delivery_id=delivery.delivery_id, error=after.last_error)
        else:
            report.failed += 1
        if not await self._deliveries.settle_with(delivery.delivery_id, token, settled):
            log.warning("delivery_lease_lost", delivery_id=delivery.delivery_id)


def webhook_body(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _recipient_of(delivery: QueuedDelivery) -> Recipient:
    return Recipient(
        person_id=delivery.recipient_id,
        user_id=delivery.user_id,
        display_name=delivery.display_name,
        email=delivery.target,
        language=Language(delivery.language),
        timezone="UTC",
        roles=frozenset(),
        program_id="-",
    )


def _atom(text: str) -> str:
    """A Message-ID's left part is a dot-atom: keep letters, digits, dots and dashes."""
    return "".join(c if c.isalnum() or c in ".-" else "." for c in text)
