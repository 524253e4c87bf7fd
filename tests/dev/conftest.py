"""``make dev`` itself, run as a developer runs it (the supervisor and its child processes), beside
any platform already running here: its own ports, databases, topics and state directory."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio
from pymongo import AsyncMongoClient

from mentorship_localstack.dev import SERVICES
from mentorship_localstack.mailbox import MAIL_PORT
from mentorship_runtime.mongo import Document
from mentorship_testing.kafka import delete_topics
from mentorship_testing.plugin import unique_name


def _free_offset() -> int:
    for offset in range(21000, 40000, 37):
        ports = [port + offset for port in (*(spec.port for spec in SERVICES), MAIL_PORT)]
        try:
            for port in ports:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return offset
    raise RuntimeError("no free ports for a second platform")


@dataclass
class DevPlatform:
    process: subprocess.Popen[bytes]
    state: Path
    log: Path

    def demo(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.state / "demo-tokens.json").read_text())
        return loaded

    def running(self) -> dict[str, Any]:
        processes: dict[str, Any] = json.loads((self.state / "dev.json").read_text())
        return processes

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def dev_platform(
    kafka_bootstrap: str,
    mongo_url: str,
    mongo_client: AsyncMongoClient[Document],
    tmp_path_factory: Any,
) -> AsyncIterator[DevPlatform]:
    state = tmp_path_factory.mktemp("dev-state")
    databases = unique_name("dev_")
    prefix = unique_name("dev") + "."
    log = state / "make-dev.out"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "MONGODB_URL": mongo_url,
        "KAFKA_TOPIC_PREFIX": prefix,
        "MENTORSHIP_STACK_DIR": str(state),
        "MENTORSHIP_DEV_PORT_OFFSET": str(_free_offset()),
        "MENTORSHIP_DEV_DATABASE_PREFIX": databases,
    }
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block; it runs apart
            [sys.executable, "-m", "mentorship_localstack.dev"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    platform = DevPlatform(process, state, log)
    try:
        deadline = time.monotonic() + 240
        while not (state / "demo-tokens.json").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"make dev did not get ready:\n{platform.output()[-4000:]}")
            await asyncio.sleep(1)
        yield platform
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
        for name in await mongo_client.list_database_names():
            if name.startswith(databases):
                await mongo_client.drop_database(name)
        await delete_topics(kafka_bootstrap, prefix)
