"""A consumer process that dies with SIGKILL inside its handler, before it can commit.

Usage: python crashing_consumer.py BOOTSTRAP TOPIC GROUP MARKER_FILE
It writes the event id it received to MARKER_FILE, waits longer than a consumer's automatic
commit interval (5 s), so that a consumer committing on its own would have committed, then kills
itself.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from mentorship_contracts import Envelope
from mentorship_runtime.consumer import EventConsumer
from mentorship_runtime.kafka import make_broker

AUTO_COMMIT_INTERVAL_S = 5


async def main(bootstrap: str, topic: str, group: str, marker: Path) -> None:
    broker = make_broker(bootstrap, client_id="crashing-consumer")
    consumer = EventConsumer(broker, group_id=group)

    async def die_before_commit(event: Envelope[Any]) -> None:
        marker.write_text(str(event.event_id))  # noqa: ASYNC240 - one tiny write before dying
        await asyncio.sleep(AUTO_COMMIT_INTERVAL_S + 1)
        os.kill(os.getpid(), signal.SIGKILL)

    consumer.subscribe(topic, {"progress.check_in.recorded": die_before_commit}, description="x")
    await broker.start()
    await asyncio.sleep(60)  # the handler kills the process long before this ends


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])))
