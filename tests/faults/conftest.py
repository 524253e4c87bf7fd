"""The fault suite's platform: a private Kafka broker and MongoDB server (a ``PrivateStack``: its
own state directory and ports, so that stopping them never touches the stack other tests use),
and the services as real processes under the ``make dev`` supervisor, which restarts a service
that dies. Demo data gives mentors and their tracked mentees.

Scenarios share this platform (starting one takes most of a minute on two cores); each one sends
check-ins with ids of its own and checks its own books."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pymongo import AsyncMongoClient

from mentorship_localstack import demo
from mentorship_localstack.dev import SERVICES, token_settings
from mentorship_localstack.private import PrivateStack
from mentorship_runtime.mongo import Document, make_mongo_client

from .books import Pair, bearer

PLATFORM_SERVICES = ("mentoring", "progress", "notify")
SUPERVISOR = (
    "import asyncio; from mentorship_localstack import dev; "
    f"asyncio.run(dev.run(tuple(s for s in dev.SERVICES if s.name in {PLATFORM_SERVICES!r}), "
    "with_demo=False))"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "faults: fault injection (kills, outages, replays, hostile input); make test-faults",
    )


def _free_offset() -> int:
    for offset in range(23000, 40000, 41):
        try:
            for spec in SERVICES:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", spec.port + offset))
        except OSError:
            continue
        return offset
    raise RuntimeError("no free ports for the fault platform")


@dataclass
class FaultPlatform:
    stack: PrivateStack
    process: subprocess.Popen[bytes]
    state: Path
    log: Path
    urls: dict[str, str]
    pairs: tuple[Pair, ...]
    mongo: AsyncMongoClient[Document]
    program_id: str = ""

    @property
    def bootstrap(self) -> str:
        return self.stack.bootstrap

    def pids(self) -> dict[str, int]:
        running: dict[str, Any] = json.loads((self.state / "dev.json").read_text())
        return {name: int(info["pid"]) for name, info in running.items() if name != "supervisor"}

    def kill(self, service: str) -> int:
        """SIGKILL one service process this platform's supervisor started; returns its pid."""
        pid = self.pids()[service]
        os.kill(pid, signal.SIGKILL)
        return pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def database(self, service: str) -> Any:
        return self.mongo[service]

    async def wait_restarted(self, service: str, old_pid: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.pids().get(service) != old_pid and await self.ready(service):
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"{service} did not come back:\n{self.output()[-3000:]}")

    async def ready(self, service: str) -> bool:
        try:
            async with httpx.AsyncClient(timeout=3) as http:
                answer = await http.get(f"{self.urls[service]}/readyz")
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    async def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for service in PLATFORM_SERVICES:
            while not await self.ready(service):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{service} is not ready:\n{self.output()[-4000:]}")
                await asyncio.sleep(0.5)


async def _all_tracked(platform: FaultPlatform) -> None:
    """Progress learns of matches through Kafka: wait until it tracks every demo mentee."""
    async with httpx.AsyncClient(timeout=10) as http:
        for pair in platform.pairs:
            url = f"{platform.urls['progress']}/mentees/{pair.mentee_id}/progress"
            headers = bearer(pair.mentee_user, "mentee")
            deadline = time.monotonic() + 60
            while (await http.get(url, headers=headers)).status_code != 200:
                assert time.monotonic() < deadline, f"progress never tracked {pair}"
                await asyncio.sleep(0.5)


@pytest.fixture(scope="session")
def private_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateStack]:
    """A Kafka broker and a MongoDB server of the fault suite's own."""
    stack = PrivateStack(tmp_path_factory.mktemp("fault-stack")).up()
    try:
        yield stack
    finally:
        stack.clean()


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def fault_platform(
    private_stack: PrivateStack, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FaultPlatform]:
    state = tmp_path_factory.mktemp("fault-dev")
    offset = _free_offset()
    urls = {
        spec.name: f"http://127.0.0.1:{spec.port + offset}"
        for spec in SERVICES
        if spec.name in PLATFORM_SERVICES
    }
    env = {
        **os.environ,
        **private_stack.as_environment(),
        "KAFKA_TOPIC_PREFIX": "",
        "MENTORSHIP_STACK_DIR": str(state),
        "MENTORSHIP_DEV_PORT_OFFSET": str(offset),
        "MENTORSHIP_DEV_DATABASE_PREFIX": "",
        "OUTBOX_SWEEP_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    log = state / "supervisor.out"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: ASYNC220 - it runs apart; starting it does not block
            [sys.executable, "-c", SUPERVISOR],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    mongo = make_mongo_client(private_stack.mongodb_url, app_name="fault-books")
    platform = FaultPlatform(private_stack, process, state, log, urls, (), mongo)
    try:
        await platform.wait_ready()
        loaded = await demo.seed(urls, token_settings(), mentors=2, mentees=6, say=lambda _: None)
        platform.program_id = loaded.program_id
        platform.pairs = tuple(
            Pair(p.mentee_id, p.mentee_user_id, p.mentor_user_id) for p in loaded.pairs
        )
        assert len(platform.pairs) >= 4, loaded
        await _all_tracked(platform)
        yield platform
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
        await mongo.close()
