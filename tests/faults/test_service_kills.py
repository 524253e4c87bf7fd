"""Scenario 1: ``kill -9`` of a service in the middle of a burst; the supervisor restarts it.

Progress dies while it answers check-ins and publishes their events (some requests are refused
and sent again; events written to the outbox but not published yet are published by the restarted
worker's sweep). Notify dies while it turns drops into notifications (its uncommitted offsets are
read again). Mentoring dies while people register (its outbox, then notify's directory)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest

from mentorship_testing.kafka import eventually

from .books import Burst, assert_balanced, bearer, read_all, send_burst, settled_books
from .conftest import FaultPlatform

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("service", ["progress", "notify"])
async def test_a_service_killed_mid_burst_loses_nothing_and_does_nothing_twice(
    fault_platform: FaultPlatform, service: str
) -> None:
    killed: list[int] = []

    async def kill(_: Burst) -> None:
        killed.append(fault_platform.kill(service))

    burst = await send_burst(fault_platform, f"kill-{service}", rounds=5, fault=kill)
    assert killed, "the fault was never injected"
    await fault_platform.wait_restarted(service, killed[0])
    books = await settled_books(fault_platform, burst)
    assert_balanced(books, burst)


async def test_mentoring_killed_while_people_register_loses_no_registration(
    fault_platform: FaultPlatform,
) -> None:
    """Each registration is one participant, announced by one ``ParticipantRegistered`` event that
    reaches notify's directory; a registration whose answer was lost in the crash is sent again
    with the same idempotency key and answered as the first time (201, the same participant),
    never registered twice."""
    people = [f"fault-reg-{uuid.uuid4().hex[:8]}-{i:02d}" for i in range(30)]
    url = f"{fault_platform.urls['mentoring']}/programs/{fault_platform.program_id}/participants"
    queue: asyncio.Queue[str] = asyncio.Queue()
    for user in people:
        queue.put_nowait(user)
    done: list[str] = []
    refused: Counter[str] = Counter()
    killed: list[int] = []

    async def register(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            user = queue.get_nowait()
            body = {
                "roles": ["mentee"],
                "display_name": f"Fault {user}",
                "email": f"{user}@faults.example.org",
                "goals": {"purpose": 3},
            }
            failed_before = False
            headers = {**bearer(user, "mentee"), "Idempotency-Key": f"register-{user}"}
            while True:
                try:
                    answer = await http.post(url, json=body, headers=headers)
                except httpx.TransportError as exc:
                    refused[type(exc).__name__] += 1
                    failed_before = True
                    await asyncio.sleep(0.3)
                    continue
                if answer.status_code >= 500:
                    refused[f"HTTP {answer.status_code}"] += 1
                    failed_before = True
                    await asyncio.sleep(0.3)
                    continue
                assert answer.status_code == 201, (user, answer.status_code, answer.text)
                if failed_before:
                    refused["201 again after a lost answer"] += 1
                break
            done.append(user)
            if len(done) == len(people) * 2 // 5 and not killed:
                killed.append(fault_platform.kill("mentoring"))

    async with httpx.AsyncClient(timeout=httpx.Timeout(60, connect=3)) as http:
        await asyncio.wait_for(asyncio.gather(*(register(http) for _ in range(5))), timeout=240)
    assert killed, "the fault was never injected"
    await fault_platform.wait_restarted("mentoring", killed[0])

    participants = fault_platform.database("mentoring")["participants"]
    ids: dict[str, list[str]] = {user: [] for user in people}
    async for document in participants.find(
        {"program_id": fault_platform.program_id, "user_id": {"$in": people}}
    ):
        ids[document["user_id"]].append(document["_id"])
    assert all(len(found) == 1 for found in ids.values()), ids
    participant_ids = {found[0] for found in ids.values()}

    async def announced() -> dict[str, set[str]]:
        events: dict[str, set[str]] = {p: set() for p in participant_ids}
        for record in await read_all(fault_platform.bootstrap, "mentoring.participants"):
            if record.type == "mentoring.participant.registered" and record.key in events:
                events[record.key].add(record.event_id)
        return events

    async def in_directory() -> set[str]:
        people_seen = fault_platform.database("notify")["people"]
        return {d["_id"] async for d in people_seen.find({"_id": {"$in": list(participant_ids)}})}

    await eventually(
        lambda: _all(in_directory(), lambda found: found == participant_ids), timeout=120
    )
    events = await announced()
    print(
        f"[kill-mentoring] {len(people)} registrations ({dict(refused)} on the way); "
        f"participants: {len(participant_ids)} exactly once; ParticipantRegistered: "
        f"{sum(len(e) for e in events.values())} events; notify's directory: "
        f"{len(await in_directory())}/{len(participant_ids)}"
    )
    assert all(len(e) == 1 for e in events.values()), events


async def _all(found: Awaitable[set[str]], check: Callable[[set[str]], bool]) -> bool:
    return check(await found)
