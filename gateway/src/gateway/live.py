"""Live notifications: each gateway instance reads ``notify.notifications`` and pushes each new
notification to its recipient's open subscriptions on this instance.

Every instance has a consumer group of its own and starts at the latest offset, so every instance
sees every notification and serves its own sockets; nothing is committed (a restarted instance
has no sockets to catch up for). Each subscription has a bounded queue: a client too slow to keep
up is told so and closed, and never holds back the feed or the other subscribers.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition

from mentorship_contracts import decode_event
from mentorship_contracts.events import NotificationCreated
from mentorship_contracts.topics import TOPIC_SPECS, Topic, topic_name
from mentorship_runtime.kafka import ensure_topics
from mentorship_runtime.kafka_security import PLAINTEXT, KafkaSecurity
from mentorship_runtime.logging import get_logger

log = get_logger(__name__)


class SlowSubscriber(Exception):
    """The subscriber's queue overflowed: it missed notifications and must subscribe again."""


_OVERFLOW = object()


class Subscription:
    def __init__(self, user_id: str, size: int) -> None:
        self.user_id = user_id
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)
        self.dropped = False

    def offer(self, item: NotificationCreated) -> bool:
        """Queue without waiting; on overflow the subscription is dropped (False)."""
        if self.dropped:
            return False
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(_OVERFLOW)
            return False
        return True

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> NotificationCreated:
        item = await self._queue.get()
        if item is _OVERFLOW:
            raise SlowSubscriber
        notification: NotificationCreated = item
        return notification


class NotificationHub:
    """The open subscriptions of this instance, by recipient (account user id).

    Events reach the feed at least once (an outbox publishes again what it could not mark as
    published), so the hub remembers the last ``remembered`` notification ids and pushes each
    notification once."""

    def __init__(self, queue_size: int = 1000, remembered: int = 10_000) -> None:
        self._queue_size = queue_size
        self._by_user: dict[str, set[Subscription]] = defaultdict(set)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remembered = remembered
        self.delivered = 0
        self.dropped = 0
        self.repeated = 0

    @asynccontextmanager
    async def subscribe(self, user_id: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(user_id, self._queue_size)
        self._by_user[user_id].add(subscription)
        try:
            yield subscription
        finally:
            mine = self._by_user.get(user_id)
            if mine is not None:
                mine.discard(subscription)
                if not mine:
                    del self._by_user[user_id]

    def open_for(self, user_id: str) -> int:
        return len(self._by_user.get(user_id, ()))

    def publish(self, notification: NotificationCreated) -> int:
        """Hand a notification to its recipient's subscriptions (once); never waits."""
        if notification.notification_id in self._seen:
            self.repeated += 1
            return 0
        self._seen[notification.notification_id] = None
        if len(self._seen) > self._remembered:
            self._seen.popitem(last=False)
        reached = 0
        for subscription in list(self._by_user.get(notification.recipient_id, ())):
            if subscription.offer(notification):
                reached += 1
            else:
                self.dropped += 1
                log.warning("slow_subscriber_dropped", user_id=subscription.user_id)
        self.delivered += reached
        return reached


class _Assigned(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, feed: NotificationFeed) -> None:
        self._feed = feed

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._feed.ready.clear()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        consumer = self._feed.consumer
        if consumer is not None and assigned:
            await consumer.seek_to_end(*assigned)
            for partition in assigned:  # resolve "latest" now, before anyone waits on ready
                await consumer.position(partition)
        self._feed.ready.set()


class NotificationFeed:
    """Reads ``notify.notifications`` into the hub."""

    def __init__(
        self,
        hub: NotificationHub,
        *,
        bootstrap: str,
        topic_prefix: str,
        instance_id: str,
        security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        self.hub = hub
        self.bootstrap = bootstrap
        self.security = security
        self.client_options = security.client_options()  # reads the CA file: fails at start
        self.topic = topic_name(Topic.NOTIFY_NOTIFICATIONS, topic_prefix)
        self.group_id = f"gateway.{instance_id}"
        self.consumer: AIOKafkaConsumer | None = None
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect in the background: queries are served meanwhile, and ``ready`` (``/readyz``)
        says when live updates flow. Kafka being down at start-up is retried, not fatal."""
        self._task = asyncio.create_task(self._connect_and_run(), name="notification-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self.consumer is not None:
            await self.consumer.stop()

    async def _connect(self) -> AIOKafkaConsumer:
        partitions = next(
            s.partitions for s in TOPIC_SPECS if s.topic == Topic.NOTIFY_NOTIFICATIONS
        )
        await ensure_topics(self.bootstrap, [(self.topic, partitions)], security=self.security)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            **self.client_options,
            group_id=self.group_id,
            client_id=self.group_id,
            auto_offset_reset="latest",
            enable_auto_commit=False,
        )
        try:
            await consumer.start()
        except BaseException:
            await consumer.stop()
            raise
        return consumer

    async def _connect_and_run(self) -> None:
        delay = 0.5
        while self.consumer is None:
            try:
                consumer = await self._connect()
            except Exception as exc:
                log.warning("notification_feed_unavailable", error=str(exc)[:200], retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            self.consumer = consumer
            consumer.subscribe([self.topic], listener=_Assigned(self))
        await self._run()

    async def _run(self) -> None:
        assert self.consumer is not None
        while True:
            try:
                batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification_feed_read_failed")  # a broker hiccup: read on
                await asyncio.sleep(1)
                continue
            await self.pass_on([record.value for records in batches.values() for record in records])

    async def pass_on(self, values: Sequence[bytes | None]) -> None:
        """Hand a poll's records to the hub, letting the subscriptions send between records: a
        poll can hold a batch of hundreds for one person (notify writes them together), which
        would otherwise fill the queue of a subscriber that keeps up perfectly well."""
        for value in values:
            self.handle(value)
            await asyncio.sleep(0)

    def handle(self, value: bytes | None) -> None:
        if value is None:
            return
        try:
            event = decode_event(value)
        except Exception as exc:
            log.warning("notification_skipped", reason=str(exc)[:200])
            return
        if isinstance(event.data, NotificationCreated):
            self.hub.publish(event.data)
