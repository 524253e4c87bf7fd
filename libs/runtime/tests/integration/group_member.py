"""A consumer process that stays in its group until it is killed, for the membership tests.

Usage: python group_member.py BOOTSTRAP TOPIC GROUP INSTANCE SESSION_MS REPORT
INSTANCE is the process's ``group_instance_id`` (a static member), or ``-`` for a dynamic one.
Once its subscription has joined the group, it writes to REPORT, as JSON, its pid, the group's
generation and the partitions it was given; then it appends each event id it handles to
REPORT.events, one a line, and waits to be killed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from mentorship_contracts import Envelope
from mentorship_runtime.consumer import EventConsumer
from mentorship_runtime.kafka import make_broker

CHECK_IN = "progress.check_in.recorded"


async def main(
    bootstrap: str, topic: str, group: str, instance: str, session_ms: int, report: Path
) -> None:
    broker = make_broker(
        bootstrap,
        client_id="group-member",
        group_instance_id=None if instance == "-" else instance,
    )
    consumer = EventConsumer(broker, group_id=group)
    events = report.with_suffix(".events")

    async def record(event: Envelope[Any]) -> None:
        with events.open("a") as lines:
            lines.write(f"{event.event_id}\n")

    consumer.subscribe(topic, {CHECK_IN: record}, description="x", session_timeout_ms=session_ms)
    await broker.start()  # returns once the subscription has joined and has its partitions
    member = broker.subscribers[0].consumer  # type: ignore[attr-defined]
    report.write_text(  # noqa: ASYNC240 - written once
        json.dumps(
            {
                "pid": os.getpid(),
                "generation": member._coordinator.generation,
                "partitions": sorted(tp.partition for tp in member.assignment()),
            }
        )
    )
    await asyncio.sleep(600)  # killed long before this ends


if __name__ == "__main__":
    bootstrap, topic, group, instance, session_ms, report = sys.argv[1:7]
    asyncio.run(main(bootstrap, topic, group, instance, int(session_ms), Path(report)))
