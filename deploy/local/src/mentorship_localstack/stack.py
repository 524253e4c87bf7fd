"""Start, inspect and stop the local infrastructure: idempotent, safe to call from many processes.

The running stack is described in ``.stack/stack.json`` (ports, process ids, log files). A second
``up`` finds it alive and reuses it; ``up`` from two processes at once is serialised by a lock.
When ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URL`` are both set, nothing is started.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mentorship_localstack import kafka, mongo
from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import (
    StackError,
    free_port,
    is_alive,
    say,
    start_detached,
    stop,
    wait_until,
)

__all__ = ["Endpoints", "LocalStack", "StackError"]

DEFAULT_KAFKA_PORT = 19092
DEFAULT_MONGO_PORT = 27018


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap_servers: str
    mongodb_url: str
    started_here: bool = False

    def as_environment(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
            "MONGODB_URL": self.mongodb_url,
        }


def external_endpoints() -> Endpoints | None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    url = os.environ.get("MONGODB_URL")
    if bootstrap and url:
        return Endpoints(bootstrap, url)
    return None


class LocalStack:
    def __init__(self, paths: StackPaths | None = None) -> None:
        self.paths = paths or StackPaths.from_environment()
        self.kafka = kafka.KafkaLayout(self.paths)
        self.mongo = mongo.MongoLayout(self.paths)

    # ---- state -------------------------------------------------------------------------------

    def _read_state(self) -> dict[str, Any]:
        if not self.paths.state_file.exists():
            return {}
        try:
            state: dict[str, Any] = json.loads(self.paths.state_file.read_text())
        except json.JSONDecodeError:
            return {}
        return state

    def _write_state(self, state: dict[str, Any]) -> None:
        self.paths.state.mkdir(parents=True, exist_ok=True)
        tmp = self.paths.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.paths.state_file)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.paths.state.mkdir(parents=True, exist_ok=True)
        with self.paths.lock_file.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # ---- queries -----------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        state = self._read_state()
        report: dict[str, Any] = {"state_dir": str(self.paths.state)}
        kafka_state = state.get("kafka", {})
        mongo_state = state.get("mongo", {})
        report["kafka"] = {
            **kafka_state,
            "running": is_alive(kafka_state.get("pid"), kafka.MARKER),
            "log": str(self.kafka.log),
        }
        report["mongo"] = {
            **mongo_state,
            "running": is_alive(mongo_state.get("pid"), mongo_state.get("marker", "-"))
            and mongo.storage_running(state.get("postgresql")),
            "log": str(self.mongo.log),
        }
        return report

    def endpoints(self) -> Endpoints | None:
        """The running stack's addresses, or None if it is not (entirely) running."""
        report = self.status()
        if report["kafka"]["running"] and report["mongo"]["running"]:
            return Endpoints(report["kafka"]["bootstrap"], report["mongo"]["url"])
        return None

    def storage_port(self, mongodb_url: str) -> int | None:
        """The port of the PostgreSQL cluster under this stack's FerretDB when it serves
        ``mongodb_url`` and runs; None otherwise (a mongod, SQLite, another server)."""
        state = self._read_state()
        storage = state.get("postgresql")
        if state.get("mongo", {}).get("url") != mongodb_url or not storage:
            return None
        return int(storage["port"]) if mongo.storage_running(storage) else None

    # ---- commands ----------------------------------------------------------------------------

    def up(self, *, timeout: float = 180.0) -> Endpoints:
        external = external_endpoints()
        if external is not None:
            say("KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL are set: using them, starting nothing")
            return external
        with self._locked():
            state = self._read_state()
            started = False
            if not mongo.storage_running(state.get("postgresql")):
                stop(state.get("mongo", {}).get("pid"), state.get("mongo", {}).get("marker", "-"))
            if not is_alive(
                state.get("mongo", {}).get("pid"), state.get("mongo", {}).get("marker", "-")
            ):
                state["postgresql"] = mongo.start_storage(
                    self.mongo,
                    state.get("postgresql") or {},
                    preferred_port=int(
                        os.environ.get("MENTORSHIP_POSTGRESQL_PORT")
                        or mongo.DEFAULT_POSTGRESQL_PORT
                    ),
                    timeout=timeout,
                )
                self._write_state(state)
                state["mongo"] = self._start_mongo(
                    state.get("mongo", {}), timeout, state["postgresql"]
                )
                self._write_state(state)
                started = True
            if not is_alive(state.get("kafka", {}).get("pid"), kafka.MARKER):
                state["kafka"] = self._start_kafka(state.get("kafka", {}), timeout)
                self._write_state(state)
                started = True
            if not kafka.is_ready(state["kafka"]["bootstrap"]):
                wait_until(
                    lambda: kafka.is_ready(state["kafka"]["bootstrap"]),
                    timeout=timeout,
                    what="Kafka",
                    alive=lambda: is_alive(state["kafka"]["pid"], kafka.MARKER),
                    log=self.kafka.log,
                )
            return Endpoints(state["kafka"]["bootstrap"], state["mongo"]["url"], started)

    def down(self) -> None:
        with self._locked():
            state = self._read_state()
            stop(state.get("kafka", {}).get("pid"), kafka.MARKER)
            stop(state.get("mongo", {}).get("pid"), state.get("mongo", {}).get("marker", "-"))
            mongo.stop_storage(state.get("postgresql"))
            for part in ("kafka", "mongo", "postgresql"):
                if state.get(part):
                    state[part]["pid"] = None
            self._write_state(state)

    def clean(self) -> None:
        """Stop everything and delete its data and logs (downloads are kept)."""
        self.down()
        shutil.rmtree(self.mongo.postgresql.root, ignore_errors=True)
        shutil.rmtree(self.paths.state, ignore_errors=True)

    # ---- starting ----------------------------------------------------------------------------

    def _start_mongo(
        self, previous: dict[str, Any], timeout: float, storage: dict[str, Any] | None
    ) -> dict[str, Any]:
        preferred = int(
            os.environ.get("MENTORSHIP_MONGO_PORT") or previous.get("port") or DEFAULT_MONGO_PORT
        )
        port = free_port(preferred)
        command = mongo.command(self.mongo, port, storage["port"] if storage else None)
        marker = mongo.marker()
        say(f"Starting {mongo.server_kind()} on 127.0.0.1:{port} (log: {self.mongo.log})")
        pid = start_detached(command, self.mongo.log)
        url = f"mongodb://127.0.0.1:{port}/"
        wait_until(
            lambda: mongo.is_ready(url),
            timeout=timeout,
            what=mongo.server_kind(),
            alive=lambda: is_alive(pid, marker),
            log=self.mongo.log,
        )
        return {"pid": pid, "port": port, "url": url, "marker": marker, "kind": mongo.server_kind()}

    def _start_kafka(self, previous: dict[str, Any], timeout: float) -> dict[str, Any]:
        jars = kafka.ensure_jars(self.kafka)
        preferred = int(
            os.environ.get("MENTORSHIP_KAFKA_PORT") or previous.get("port") or DEFAULT_KAFKA_PORT
        )
        port = free_port(preferred)
        controller_port = free_port(int(previous.get("controller_port") or port + 1), taken={port})
        if (port, controller_port) != (previous.get("port"), previous.get("controller_port")):
            # The controller's address is part of the formatted storage: a new address, a new log.
            shutil.rmtree(self.kafka.data, ignore_errors=True)
        kafka.write_config(self.kafka, port, controller_port)
        kafka.format_storage(self.kafka, jars)
        version = kafka.kafka_version()
        say(f"Starting Apache Kafka {version} on 127.0.0.1:{port} (log: {self.kafka.log})")
        pid = start_detached(kafka.command(self.kafka, jars), self.kafka.log)
        bootstrap = f"127.0.0.1:{port}"
        started_at = time.monotonic()
        wait_until(
            lambda: kafka.is_ready(bootstrap),
            timeout=timeout,
            what="Kafka",
            alive=lambda: is_alive(pid, kafka.MARKER),
            log=self.kafka.log,
        )
        say(f"Kafka ready in {time.monotonic() - started_at:.0f}s")
        return {
            "pid": pid,
            "port": port,
            "controller_port": controller_port,
            "bootstrap": bootstrap,
        }
