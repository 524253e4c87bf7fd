"""Stacks of their own, for tests that stop, kill and restart the infrastructure.

``PrivateStack`` runs a Kafka broker and a MongoDB wire-protocol server in a state directory of its
own, on free ports of its own, so that stopping one of its parts never touches the stack other
people use (``.stack/``, ports 19092 and 27018). Each part can be stopped and started again on
the same port with the same data. ``KafkaCluster`` runs several KRaft brokers (each one a broker
and a controller) on loopback ports, any of which can be killed, for replication faults.

Neither reads ``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URL`` or the preferred-port variables: a
private stack is always started here, and always on ports nobody else was given.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorship_localstack import kafka, mongo
from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import (
    StackError,
    is_alive,
    port_is_free,
    start_detached,
    stop,
    wait_until,
)

# Below Linux's ephemeral range (32768-60999): a port freed by a stopped part is not taken by some
# client's outgoing connection before that part starts again.
PORT_RANGE = (20000, 32000)


def private_ports(count: int, taken: set[int] | None = None) -> list[int]:
    """``count`` distinct free loopback ports outside the ephemeral range."""
    chosen: list[int] = []
    avoid = set(taken or ())
    rng = random.SystemRandom()
    for _ in range(2000):
        port = rng.randrange(*PORT_RANGE)
        if port in avoid or port in chosen or not port_is_free(port):
            continue
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    msg = f"could not find {count} free ports in {PORT_RANGE}"
    raise StackError(msg)


def kill(pid: int | None, marker: str) -> None:
    """SIGKILL a process this package started (its own process group), if it still runs."""
    if pid and is_alive(pid, marker):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            return


@dataclass
class PrivateStack:
    """A Kafka broker and a MongoDB server in ``state``, on ports of their own."""

    state: Path
    kafka_port: int = 0
    controller_port: int = 0
    mongo_port: int = 0
    kafka_pid: int | None = None
    mongo_pid: int | None = None
    storage: dict[str, Any] | None = None
    timeout: float = 180.0
    paths: StackPaths = field(init=False)

    def __post_init__(self) -> None:
        self.paths = StackPaths(cache=StackPaths.from_environment().cache, state=self.state)
        if not (self.kafka_port and self.controller_port and self.mongo_port):
            self.kafka_port, self.controller_port, self.mongo_port = private_ports(3)
        self._kafka = kafka.KafkaLayout(self.paths)
        self._mongo = mongo.MongoLayout(self.paths)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def mongodb_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/"

    def as_environment(self) -> dict[str, str]:
        return {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "MONGODB_URL": self.mongodb_url}

    # ---- the whole stack ------------------------------------------------------------------------

    def up(self) -> PrivateStack:
        self.start_mongo()
        self.start_kafka()
        return self

    def down(self) -> None:
        self.stop_kafka()
        self.stop_mongo()
        mongo.stop_storage(self.storage)
        self.storage = None

    def clean(self) -> None:
        self.down()
        shutil.rmtree(self._mongo.postgresql.root, ignore_errors=True)
        shutil.rmtree(self.state, ignore_errors=True)

    # ---- Kafka --------------------------------------------------------------------------------

    def kafka_running(self) -> bool:
        return is_alive(self.kafka_pid, kafka.MARKER)

    def start_kafka(self) -> None:
        """Start the broker (again) on its port, with the data it had."""
        if self.kafka_running():
            return
        jars = kafka.ensure_jars(self._kafka)
        kafka.write_config(self._kafka, self.kafka_port, self.controller_port)
        kafka.format_storage(self._kafka, jars)
        pid = start_detached(kafka.command(self._kafka, jars), self._kafka.log)
        self.kafka_pid = pid
        wait_until(
            lambda: kafka.is_ready(self.bootstrap),
            timeout=self.timeout,
            what="the private Kafka broker",
            alive=lambda: is_alive(pid, kafka.MARKER),
            log=self._kafka.log,
        )

    def stop_kafka(self) -> None:
        """A clean shutdown (SIGTERM, then SIGKILL if it lingers)."""
        stop(self.kafka_pid, kafka.MARKER)
        self.kafka_pid = None

    # ---- MongoDB ------------------------------------------------------------------------------

    def mongo_running(self) -> bool:
        return is_alive(self.mongo_pid, mongo.marker())

    def start_mongo(self) -> None:
        """Start the server (again) on its port, with the data it had. FerretDB's PostgreSQL
        cluster, started with it the first time, keeps running until ``down``."""
        if self.mongo_running():
            return
        self.storage = mongo.start_storage(
            self._mongo,
            self.storage or {},
            preferred_port=private_ports(1, {self.kafka_port, self.controller_port})[0],
            timeout=self.timeout,
        )
        storage_port = self.storage["port"] if self.storage else None
        pid = start_detached(
            mongo.command(self._mongo, self.mongo_port, storage_port), self._mongo.log
        )
        self.mongo_pid = pid
        wait_until(
            lambda: mongo.is_ready(self.mongodb_url),
            timeout=self.timeout,
            what="the private MongoDB server",
            alive=lambda: is_alive(pid, mongo.marker()),
            log=self._mongo.log,
        )

    def stop_mongo(self) -> None:
        stop(self.mongo_pid, mongo.marker())
        self.mongo_pid = None


@dataclass
class KafkaNode:
    node_id: int
    port: int
    controller_port: int
    layout: kafka.KafkaLayout
    pid: int | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def running(self) -> bool:
        return is_alive(self.pid, kafka.MARKER)


@dataclass
class KafkaCluster:
    """``size`` KRaft nodes (broker and controller each) on loopback ports, in ``state``.

    Internal topics are replicated on every node with ``min.insync.replicas`` of a majority, and
    unclean leader election is off: a topic created with replication 3 and
    ``min.insync.replicas=2`` refuses ``acks=all`` writes rather than lose them.
    """

    state: Path
    size: int = 3
    heap: str = "384m"
    timeout: float = 180.0
    nodes: list[KafkaNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.nodes:
            return
        ports = private_ports(2 * self.size)
        cache = StackPaths.from_environment().cache
        for index in range(self.size):
            paths = StackPaths(cache=cache, state=self.state / f"node-{index + 1}")
            self.nodes.append(
                KafkaNode(
                    index + 1, ports[2 * index], ports[2 * index + 1], kafka.KafkaLayout(paths)
                )
            )

    @property
    def bootstrap(self) -> str:
        return ",".join(node.address for node in self.nodes)

    def _voters(self) -> str:
        return ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)

    def _write_config(self, node: KafkaNode) -> None:
        majority = self.size // 2 + 1
        layout = node.layout
        layout.config.parent.mkdir(parents=True, exist_ok=True)
        layout.config.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    f"node.id={node.node_id}",
                    f"controller.quorum.voters={self._voters()}",
                    f"listeners=PLAINTEXT://127.0.0.1:{node.port},"
                    f"CONTROLLER://127.0.0.1:{node.controller_port}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{node.port}",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    f"log.dirs={layout.data}",
                    "num.partitions=3",
                    f"default.replication.factor={self.size}",
                    f"min.insync.replicas={majority}",
                    "unclean.leader.election.enable=false",
                    "auto.create.topics.enable=false",
                    f"offsets.topic.replication.factor={self.size}",
                    "offsets.topic.num.partitions=3",
                    f"transaction.state.log.replication.factor={self.size}",
                    f"transaction.state.log.min.isr={majority}",
                    f"share.coordinator.state.topic.replication.factor={self.size}",
                    f"share.coordinator.state.topic.min.isr={majority}",
                    "group.initial.rebalance.delay.ms=0",
                    "replica.lag.time.max.ms=10000",
                    "",
                ]
            )
        )

    def _format(self, node: KafkaNode, jars: Path, cluster_id: str) -> None:
        layout = node.layout
        if (layout.data / "meta.properties").exists():
            return
        layout.data.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(  # noqa: S603 - the command is built here
            kafka.storage_format_command(jars, layout.config, cluster_id),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            msg = f"formatting node {node.node_id} failed:\n{result.stdout}\n{result.stderr}"
            raise StackError(msg)

    def up(self) -> KafkaCluster:
        jars = kafka.ensure_jars(self.nodes[0].layout)
        cluster_id = kafka._cluster_id()  # the same id format as the single node
        for node in self.nodes:
            self._write_config(node)
            self._format(node, jars, cluster_id)
        for node in self.nodes:
            self._launch(node, jars)
        for node in self.nodes:
            self._wait(node)
        return self

    def _launch(self, node: KafkaNode, jars: Path) -> None:
        command = kafka.command(node.layout, jars)
        command = [f"-Xmx{self.heap}" if part.startswith("-Xmx") else part for part in command]
        command = ["-Xms128m" if part.startswith("-Xms") else part for part in command]
        node.pid = start_detached(command, node.layout.log)

    def _wait(self, node: KafkaNode) -> None:
        pid = node.pid
        wait_until(
            lambda: kafka.is_ready(node.address),
            timeout=self.timeout,
            what=f"Kafka node {node.node_id}",
            alive=lambda: is_alive(pid, kafka.MARKER),
            log=node.layout.log,
        )

    def start(self, *nodes: KafkaNode) -> None:
        """Start these nodes again (all at once), with the data they had."""
        stopped = [node for node in nodes if not node.running()]
        for node in stopped:
            self._launch(node, kafka.ensure_jars(node.layout))
        for node in stopped:
            self._wait(node)

    def kill(self, node: KafkaNode) -> None:
        kill(node.pid, kafka.MARKER)
        node.pid = None

    def down(self) -> None:
        for node in self.nodes:
            stop(node.pid, kafka.MARKER)
            node.pid = None

    def clean(self) -> None:
        """Kill every node (a throwaway cluster needs no clean shutdown) and delete its data."""
        for node in self.nodes:
            self.kill(node)
        shutil.rmtree(self.state, ignore_errors=True)
