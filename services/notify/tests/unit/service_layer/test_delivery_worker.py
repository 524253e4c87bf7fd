"""The delivery worker on fakes: sends due deliveries once, retries what failed for a while,
letters the dead, and never sends what another worker holds."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

from mentorship_contracts.events import ModuleCompleted
from notify.domain.delivery import DeliveryStatus, RetryPolicy
from notify.domain.preferences import Preferences
from notify.service_layer import handlers
from notify.service_layer.delivery import DeliveryWorker, WorkerConfig
from notify.service_layer.ports import Email, SendFailed
from services.notify.tests.unit.fakes import Fakes, FakeSenders

from .events import DROPPED, PAIR, T0, event, knowing

CONFIG = WorkerConfig(concurrency=2, policy=RetryPolicy(max_attempts=3))


async def one_email_queued() -> Fakes:
    world = await knowing()
    await handlers.on_occurrence(event(DROPPED), world.context())
    return world


def worker(world: Fakes, senders: FakeSenders, config: WorkerConfig = CONFIG) -> DeliveryWorker:
    return DeliveryWorker(
        world.deliveries,
        world.store,
        senders,
        senders,
        senders,
        world.clock,
        config,
        random.Random(7),
    )


def email_of(world: Fakes) -> DeliveryStatus:
    [email] = [d for d in world.deliveries.every() if d.channel == "email"]
    return email.status


async def test_a_due_email_is_sent_once_and_moved_to_the_log() -> None:
    world = await one_email_queued()
    senders = FakeSenders()
    sending = worker(world, senders)

    report = await sending.run_once()
    again = await sending.run_once()

    assert (report.sent, again.sent) == (1, 0)
    [email] = senders.emails
    assert email.to == "grace@example.org"
    assert email.message_id.endswith("@notify.mentorship>")
    assert email_of(world) is DeliveryStatus.SENT
    assert not world.deliveries.queue  # archived


async def test_a_transient_failure_is_retried_later_and_then_sent() -> None:
    world = await one_email_queued()
    senders = FakeSenders(failures=[SendFailed("server busy", transient=True)])
    sending = worker(world, senders)

    first = await sending.run_once()

    assert (first.sent, first.failed) == (0, 1)
    [queued] = [r.delivery for r in world.deliveries.queue.values()]
    assert queued.status is DeliveryStatus.FAILED
    assert queued.attempts == 1
    assert queued.last_error == "server busy"
    world.clock.advance(hours=2)
    while (await sending.run_once()).sent == 0:  # the full query finds it within a few rounds
        pass
    assert len(senders.emails) == 1


async def test_a_permanent_failure_makes_the_delivery_dead_and_publishes_it() -> None:
    world = await one_email_queued()
    senders = FakeSenders(failures=[SendFailed("no such mailbox", transient=False)])

    report = await worker(world, senders).run_once()

    assert report.dead == 1
    assert email_of(world) is DeliveryStatus.DEAD
    [dead] = senders.dead
    assert dead.last_error == "no such mailbox"
    assert not world.deliveries.queue  # published, then archived


async def test_the_last_allowed_attempt_makes_a_failing_delivery_dead() -> None:
    world = await one_email_queued()
    busy = [SendFailed("busy", transient=True)] * 3
    senders = FakeSenders(failures=list(busy))
    sending = worker(world, senders)

    for _ in range(3 * 10):
        world.clock.advance(hours=2)
        await sending.run_once()

    assert email_of(world) is DeliveryStatus.DEAD
    assert len(senders.dead) == 1


async def test_of_two_workers_reading_the_same_delivery_only_one_sends_it() -> None:
    world = await one_email_queued()
    [read] = await world.deliveries.due(T0, 10, thorough=True)
    later = T0 + timedelta(seconds=20)

    first = await world.deliveries.claim_due(read, "worker-1", T0, later)
    second = await world.deliveries.claim_due(read, "worker-2", T0, later)

    assert first is not None
    assert first.lease == "worker-1"
    assert second is None
    senders = FakeSenders()
    assert (await worker(world, senders).run_once()).sent == 0  # held by worker-1
    assert not senders.emails


async def test_a_worker_whose_store_does_not_answer_renewals_stops_and_settles_nothing() -> None:
    world = await one_email_queued()
    world.deliveries.unavailable = True

    class Slow(FakeSenders):
        async def send(self, email: Email) -> None:
            world.clock.advance(seconds=30)  # past the lease: no renewal could be made
            await asyncio.sleep(0.01)
            self.emails.append(email)

    senders = Slow()
    config = WorkerConfig(lease=timedelta(seconds=20), renew_every=timedelta(milliseconds=1))

    report = await worker(world, senders, config).run_once()

    assert (report.sent, report.failed, report.dead) == (0, 0, 0)
    assert not senders.emails  # cancelled
    assert email_of(world) is DeliveryStatus.PENDING


async def test_a_webhook_is_signed_with_the_persons_secret() -> None:
    world = await knowing()
    hooked = Preferences.parse("u-grace", webhook_url="https://hooks.example.org/grace")
    await world.store.save_preferences("u-grace", hooked, "grace-secret")
    await handlers.on_occurrence(event(DROPPED), world.context())
    senders = FakeSenders()

    await worker(world, senders).run_once()

    [call] = senders.calls
    assert (call.url, call.secret) == ("https://hooks.example.org/grace", "grace-secret")
    assert b"confidence" in call.body


async def test_a_persons_daily_digest_emails_go_out_as_one_message() -> None:
    world = await knowing()
    daily = Preferences.parse("u-grace", digest="daily", digest_hour=18)
    await world.store.save_preferences("u-grace", daily, "secret")
    for module in ("purpose", "team"):
        done = ModuleCompleted(**PAIR, module_id=module)
        await handlers.on_occurrence(event(done), world.context())
    senders = FakeSenders()
    world.clock.advance(days=1)

    report = await worker(world, senders).run_once()

    assert report.sent == 2
    [digest] = senders.emails
    assert digest.message_id.startswith("<digest.")
