"""A single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM)."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from mentorship_localstack.paths import StackPaths, kafka_pom
from mentorship_localstack.processes import StackError, require_tool, run_step

MARKER = "kafka.Kafka"


def kafka_version() -> str:
    found = re.search(r"<kafka.version>([^<]+)</kafka.version>", kafka_pom().read_text())
    assert found is not None, "deploy/local/kafka/pom.xml names no kafka.version"
    return found.group(1)


@dataclass(frozen=True)
class KafkaLayout:
    paths: StackPaths

    @property
    def jars(self) -> Path:
        home = os.environ.get("KAFKA_HOME")
        if home:
            return Path(home) / "libs"
        return self.paths.cache / f"kafka-{kafka_version()}" / "libs"

    @property
    def data(self) -> Path:
        return self.paths.state / "kafka" / "data"

    @property
    def config(self) -> Path:
        return self.paths.state / "kafka" / "server.properties"

    @property
    def log(self) -> Path:
        return self.paths.log("kafka")


def ensure_jars(layout: KafkaLayout) -> Path:
    """Resolve the broker's jars from Maven Central once; later starts reuse the cache."""
    jars = layout.jars
    if os.environ.get("KAFKA_HOME"):
        if not any(jars.glob("kafka_2.13-*.jar")):
            msg = f"KAFKA_HOME is set but {jars} holds no kafka_2.13 jar"
            raise StackError(msg)
        return jars
    complete = jars.parent / ".complete"
    if complete.exists():
        return jars
    require_tool(
        "java", "run the Kafka broker", "Install a Java 17+ runtime (e.g. openjdk-17-jre)."
    )
    mvn = require_tool(
        "mvn",
        "download the Kafka jars from Maven Central",
        "Install Maven (e.g. apt-get install maven).",
    )
    partial = jars.parent / "libs.partial"
    shutil.rmtree(partial, ignore_errors=True)
    run_step(
        [
            mvn,
            "-B",
            "-f",
            str(kafka_pom()),
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
            f"-DoutputDirectory={partial}",
            "-DincludeScope=runtime",
        ],
        what=f"Downloading the Kafka {kafka_version()} jars from Maven Central (first start only)",
    )
    shutil.rmtree(jars, ignore_errors=True)
    partial.rename(jars)
    complete.touch()
    return jars


def write_config(layout: KafkaLayout, port: int, controller_port: int) -> None:
    layout.config.parent.mkdir(parents=True, exist_ok=True)
    layout.config.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"log.dirs={layout.data}",
                "num.partitions=3",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                "",
            ]
        )
    )


def storage_format_command(
    jars: Path, config: Path, cluster_id: str, *, standalone: bool = False
) -> list[str]:
    """Kafka's StorageTool formatting the log directories ``config`` names. The cluster id goes
    as ``--cluster-id=<id>``: a random id may start with ``-``, which the tool read as a missing
    value when it was the next argument (one id in 64)."""
    return [
        _java(),
        "-cp",
        f"{jars}/*",
        "kafka.tools.StorageTool",
        "format",
        *(["--standalone"] if standalone else []),
        f"--cluster-id={cluster_id}",
        f"--config={config}",
    ]


def format_storage(layout: KafkaLayout, jars: Path, cluster_id: str | None = None) -> None:
    """Format the log directory once, as a standalone KRaft controller."""
    if (layout.data / "meta.properties").exists():
        return
    layout.data.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(  # noqa: S603
        storage_format_command(jars, layout.config, cluster_id or _cluster_id(), standalone=True),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        msg = f"formatting the Kafka storage failed:\n{result.stdout}\n{result.stderr}"
        raise StackError(msg)


def _cluster_id() -> str:
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def _java() -> str:
    return require_tool(
        "java", "run the Kafka broker", "Install a Java 17+ runtime (e.g. openjdk-17-jre)."
    )


def command(layout: KafkaLayout, jars: Path) -> list[str]:
    heap = os.environ.get("MENTORSHIP_KAFKA_HEAP", "768m")
    return [
        _java(),
        f"-Xmx{heap}",
        "-Xms256m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-cp",
        f"{jars}/*",
        MARKER,
        str(layout.config),
    ]


def is_ready(bootstrap: str) -> bool:
    """The broker answers a metadata request."""
    return asyncio.run(_describe(bootstrap))


async def _describe(bootstrap: str) -> bool:
    aiokafka_log = logging.getLogger("aiokafka")
    level = aiokafka_log.level
    aiokafka_log.setLevel(logging.CRITICAL)  # refused connections are expected while it starts
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), 5)
        await asyncio.wait_for(admin.describe_cluster(), 5)
    except Exception:  # any failure means "not ready yet"
        return False
    finally:
        await admin.close()
        aiokafka_log.setLevel(level)
    return True
