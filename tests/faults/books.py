"""Bursts of check-ins with known ids, and the books that say whether each had its effects once.

A burst: every mentee records ``rounds`` pairs of check-ins on one module (confidence 5, then 1),
concurrently across mentees, in order for each mentee; each pair is one confidence drop. A request
that fails (connection refused, 5xx, timeout) is sent again with the same ``check_in_id``, as a
client would, until it is accepted.

The books, once the system has settled:
* progress: each check-in id is in its mentee's tracking exactly once;
* ``progress.events``: each check-in was announced by exactly one ``CheckInRecorded`` event (the
  same event may sit in the topic twice: at-least-once), and each pair's second check-in by
  exactly one new ``ConfidenceDropped`` event naming it (no other check-in of the burst by any);
* notify: each of those drops is exactly one notification, in the mentor's inbox.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from mentorship_contracts.topics import TOPIC_SPECS
from mentorship_localstack.dev import token_settings
from mentorship_runtime.auth import issue_token

MODULE = "knowing-the-limits"
PARTITIONS = {spec.topic.value: spec.partitions for spec in TOPIC_SPECS}
DROP_KIND = "progress.confidence_dropped"


@dataclass(frozen=True)
class Pair:
    mentee_id: str  # participant id
    mentee_user: str
    mentor_user: str


class Platform(Protocol):
    urls: dict[str, str]
    pairs: tuple[Pair, ...]

    @property
    def bootstrap(self) -> str: ...

    def database(self, service: str) -> Any: ...


def bearer(user_id: str, role: str) -> dict[str, str]:
    token = issue_token(
        token_settings(),
        user_id=user_id,
        roles=[role],
        name=user_id,
        email=f"{user_id}@faults.example.org",
        lifetime=timedelta(hours=2),
    )
    return {"Authorization": f"Bearer {token}"}


# ---- reading a topic --------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    event_id: str
    type: str
    key: str
    data: dict[str, Any]
    raw: bytes
    headers: tuple[tuple[str, bytes], ...]


async def read_all(bootstrap: str, topic: str) -> list[Record]:
    """Every record of ``topic`` up to its current end, in partition order."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=30_000
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(PARTITIONS[topic])]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, starts[tp])
        records: list[Record] = []
        pending = {tp for tp in partitions if ends[tp] > starts[tp]}
        deadline = time.monotonic() + 60
        while pending and time.monotonic() < deadline:
            batch = await consumer.getmany(*pending, timeout_ms=500)
            for tp, rows in batch.items():
                for row in rows:
                    if row.offset >= ends[tp] - 1:
                        pending.discard(tp)
                    if row.value is None:
                        continue
                    body = json.loads(row.value)
                    records.append(
                        Record(
                            str(body.get("event_id")),
                            str(body.get("type")),
                            (row.key or b"").decode(),
                            body.get("data") or {},
                            row.value,
                            tuple(row.headers or ()),
                        )
                    )
        assert not pending, f"could not read {topic} to its end"
        return records
    finally:
        await consumer.stop()


async def drop_events(bootstrap: str) -> set[str]:
    return {
        r.event_id
        for r in await read_all(bootstrap, "progress.events")
        if r.type == "progress.confidence.dropped"
    }


# ---- the burst --------------------------------------------------------------------------------


@dataclass
class Burst:
    run: str
    rounds: int
    pairs: tuple[Pair, ...]
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)  # what failed attempts got, by kind
    drops_before: set[str] = field(default_factory=set)
    # per check-in id: when it was first sent, when it was accepted, and how many attempts it took
    timeline: dict[str, tuple[float, float, int]] = field(default_factory=dict)

    def in_flight(self, start: float, end: float) -> list[str]:
        """The check-ins sent, or waiting for their answer, within ``[start, end]``."""
        return [i for i, (sent, done, _) in self.timeline.items() if sent <= end and done >= start]

    @property
    def total(self) -> int:
        return self.rounds * 2 * len(self.pairs)

    def drop_ids(self, pair: Pair) -> list[str]:
        """The check-ins that are drops: each pair's second, at 1 after 5."""
        return [i for i in self.check_in_ids(pair) if i.endswith("-1")]

    def check_in_ids(self, pair: Pair) -> list[str]:
        return [
            f"{self.run}-{pair.mentee_id}-{i}-{level}"
            for i in range(self.rounds)
            for level in (5, 1)
        ]


async def send_burst(
    platform: Platform,
    run: str,
    *,
    rounds: int,
    fault: Callable[[Burst], Awaitable[object]] | None = None,
    fault_after: float = 0.4,
    pairs: Sequence[Pair] | None = None,
    give_up_after: float = 240.0,
) -> Burst:
    """Send the burst; ``fault()`` runs once ``fault_after`` of it was accepted, while the rest
    is still being sent."""
    burst = Burst(run, rounds, tuple(pairs or platform.pairs))
    burst.drops_before = await drop_events(platform.bootstrap)
    reached = asyncio.Event()
    deadline = time.monotonic() + give_up_after

    async def one_mentee(http: httpx.AsyncClient, pair: Pair) -> None:
        url = f"{platform.urls['progress']}/mentees/{pair.mentee_id}/check-ins"
        headers = bearer(pair.mentee_user, "mentee")
        for check_in_id in burst.check_in_ids(pair):
            body = {
                "module_id": MODULE,
                "confidence": int(check_in_id.rsplit("-", 1)[1]),
                "check_in_id": check_in_id,
            }
            first_sent, attempts = time.monotonic(), 0
            while True:
                attempts += 1
                assert time.monotonic() < deadline, f"{check_in_id} never accepted: {burst}"
                try:
                    answer = await http.post(url, json=body, headers=headers)
                except httpx.TransportError as exc:
                    burst.refused[type(exc).__name__] += 1
                    await asyncio.sleep(0.3)
                    continue
                if answer.status_code >= 500:
                    burst.refused[f"HTTP {answer.status_code}"] += 1
                    await asyncio.sleep(0.3)
                    continue
                assert answer.status_code in (200, 201), (check_in_id, answer.text)
                break
            burst.timeline[check_in_id] = (first_sent, time.monotonic(), attempts)
            burst.accepted += 1
            if burst.accepted >= fault_after * burst.total:
                reached.set()
            await asyncio.sleep(0.02)

    async def inject() -> None:
        if fault is None:
            return
        await reached.wait()
        await fault(burst)

    async with httpx.AsyncClient(timeout=httpx.Timeout(90, connect=3)) as http:
        await asyncio.gather(inject(), *(one_mentee(http, pair) for pair in burst.pairs))
    return burst


# ---- the books --------------------------------------------------------------------------------


@dataclass
class Books:
    check_ins_expected: int = 0
    check_ins_once: int = 0
    check_ins_missing: list[str] = field(default_factory=list)
    check_ins_twice: list[str] = field(default_factory=list)
    recorded_events: int = 0
    recorded_copies: int = 0
    recorded_missing: list[str] = field(default_factory=list)
    recorded_duplicated: list[str] = field(default_factory=list)
    drops_expected: int = 0
    drops_found: int = 0
    drop_copies: int = 0
    drops_missing: list[str] = field(default_factory=list)
    drops_duplicated: list[str] = field(default_factory=list)
    drops_unexpected: list[str] = field(default_factory=list)
    notifications: int = 0
    notifications_missing: list[str] = field(default_factory=list)
    notifications_extra: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return (
            self.check_ins_once == self.check_ins_expected
            and not self.check_ins_missing
            and not self.check_ins_twice
            and not self.recorded_missing
            and not self.recorded_duplicated
            and self.drops_found == self.drops_expected
            and not self.drops_missing
            and not self.drops_duplicated
            and not self.drops_unexpected
            and self.notifications == self.drops_expected
            and not self.notifications_missing
            and not self.notifications_extra
        )

    def summary(self, burst: Burst) -> str:
        refused = ", ".join(f"{k}: {v}" for k, v in sorted(burst.refused.items())) or "none"
        return (
            f"[{burst.run}] {burst.total} check-ins accepted ({refused} refused on the way); "
            f"progress: {self.check_ins_once}/{self.check_ins_expected} exactly once; "
            f"CheckInRecorded: {self.recorded_events} events ({self.recorded_copies} records); "
            f"ConfidenceDropped: {self.drops_found}/{self.drops_expected} "
            f"({self.drop_copies} records); notifications: {self.notifications}/"
            f"{self.drops_expected} exactly once"
        )


async def count_books(platform: Platform, burst: Burst) -> Books:
    books = Books()
    mentees = {p.mentee_id: p for p in burst.pairs}
    expected_ids = {i for p in burst.pairs for i in burst.check_in_ids(p)}
    books.check_ins_expected = len(expected_ids)

    trackings = platform.database("progress")["trackings"]
    seen: Counter[str] = Counter()
    async for document in trackings.find({"_id": {"$in": list(mentees)}}, {"check_ins": 1}):
        seen.update(c["id"] for c in document.get("check_ins", []) if c["id"] in expected_ids)
    books.check_ins_once = sum(1 for i in expected_ids if seen[i] == 1)
    books.check_ins_missing = sorted(i for i in expected_ids if seen[i] == 0)
    books.check_ins_twice = sorted(i for i in expected_ids if seen[i] > 1)

    records = await read_all(platform.bootstrap, "progress.events")
    recorded: dict[str, set[str]] = defaultdict(set)
    expected_drops = {i for p in burst.pairs for i in burst.drop_ids(p)}
    drops_of: dict[str, set[str]] = defaultdict(set)  # check-in id: its drop events' ids
    drops: dict[str, str] = {}  # drop event id: mentee
    for record in records:
        if record.type == "progress.check_in.recorded":
            check_in_id = record.data.get("check_in_id")
            if check_in_id in expected_ids:
                recorded[check_in_id].add(record.event_id)
                books.recorded_copies += 1
        if (
            record.type == "progress.confidence.dropped"
            and record.key in mentees
            and record.event_id not in burst.drops_before
        ):
            books.drop_copies += 1
            dropped = str(record.data.get("check_in_id"))
            if dropped in expected_drops:
                drops_of[dropped].add(record.event_id)
                drops[record.event_id] = record.key
            else:
                books.drops_unexpected.append(f"{record.event_id} names {dropped}")
    books.recorded_events = sum(len(ids) for ids in recorded.values())
    books.recorded_missing = sorted(i for i in expected_ids if not recorded[i])
    books.recorded_duplicated = sorted(i for i in expected_ids if len(recorded[i]) > 1)
    books.drops_expected = len(expected_drops)
    books.drops_found = sum(1 for i in expected_drops if len(drops_of[i]) == 1)
    books.drops_missing = sorted(i for i in expected_drops if not drops_of[i])
    books.drops_duplicated = sorted(i for i in expected_drops if len(drops_of[i]) > 1)

    notifications = platform.database("notify")["notifications"]
    found: Counter[str] = Counter()
    async for document in notifications.find(
        {"event_id": {"$in": list(drops)}}, {"event_id": 1, "user_id": 1, "kind": 1}
    ):
        mentor = mentees[drops[document["event_id"]]].mentor_user
        if document.get("user_id") == mentor and document.get("kind") == DROP_KIND:
            found[document["event_id"]] += 1
        else:
            books.notifications_extra.append(f"{document['_id']} for {document.get('user_id')}")
    books.notifications = sum(1 for e in drops if found[e] == 1)
    books.notifications_missing = sorted(e for e in drops if found[e] == 0)
    books.notifications_extra += sorted(e for e in drops if found[e] > 1)
    return books


async def settled_books(platform: Platform, burst: Burst, *, timeout: float = 150) -> Books:
    """Wait until the books balance (or time out), then count once more after redeliveries had
    time to show up: what is returned is what the assertions check."""
    deadline = time.monotonic() + timeout
    books = await count_books(platform, burst)
    while not books.balanced and time.monotonic() < deadline:
        await asyncio.sleep(1)
        books = await count_books(platform, burst)
    await asyncio.sleep(2)
    books = await count_books(platform, burst)
    print(books.summary(burst))  # the books, for the record (pytest -s shows them)
    return books


def assert_balanced(books: Books, burst: Burst) -> None:
    assert not books.check_ins_missing, f"check-ins lost: {books.check_ins_missing}"
    assert not books.check_ins_twice, f"check-ins recorded twice: {books.check_ins_twice}"
    assert not books.recorded_missing, f"CheckInRecorded never published: {books.recorded_missing}"
    assert not books.recorded_duplicated, f"CheckInRecorded twice: {books.recorded_duplicated}"
    assert not books.drops_missing, f"drops never announced: {books.drops_missing}"
    assert not books.drops_duplicated, f"drops announced twice: {books.drops_duplicated}"
    assert not books.drops_unexpected, f"drops of no dropping check-in: {books.drops_unexpected}"
    assert books.drops_found == books.drops_expected, books.summary(burst)
    assert not books.notifications_missing, f"drops never notified: {books.notifications_missing}"
    assert not books.notifications_extra, f"unexpected notifications: {books.notifications_extra}"
    assert books.balanced, books.summary(burst)
