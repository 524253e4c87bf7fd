"""A real Kafka broker that authenticates (SASL SCRAM-SHA-512) and authorizes (ACLs): a service
connects with its credentials from its settings, and is refused without them, with a wrong
password, or on a topic its ACLs do not name.

The broker is a second single-node KRaft broker of this test's own (the local stack's jars, a
scratch directory, free ports), with its users' SCRAM credentials written when its storage is
formatted and ACLs added through Kafka's Java admin client (the broker's jars have no ACL
command); it is stopped when the module's tests end.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from mentorship_localstack.kafka import KafkaLayout, ensure_jars, storage_format_command
from mentorship_localstack.paths import StackPaths
from mentorship_localstack.processes import require_tool
from mentorship_runtime.kafka import ensure_topics, make_broker
from mentorship_runtime.kafka_security import KafkaSecurity
from mentorship_runtime.settings import ServiceSettings, load_settings

ADMIN = KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", username="admin", password="admin-pw")
PROGRESS_PASSWORD = "progress-pw-" + uuid.uuid4().hex[:8]
OWN_TOPIC = "progress.events"
OTHER_TOPIC = "mentoring.matches"


GRANT = """
import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** Allows a principal operations on literal resources: Grant <client.properties> <principal>
 *  <TYPE:name:OPERATION>... */
public class Grant {
    public static void main(String[] args) throws Exception {
        Properties config = new Properties();
        try (FileInputStream in = new FileInputStream(args[0])) { config.load(in); }
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] rule = args[i].split(":");
            bindings.add(new AclBinding(
                new ResourcePattern(ResourceType.valueOf(rule[0]), rule[1], PatternType.LITERAL),
                new AccessControlEntry(
                    args[1], "*", AclOperation.valueOf(rule[2]), AclPermissionType.ALLOW)));
        }
        try (Admin admin = Admin.create(config)) { admin.createAcls(bindings).all().get(); }
    }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(directory: Path, port: int, controller: int) -> Path:
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN.username}" password="{ADMIN.password}";'
    )
    path = directory / "server.properties"
    path.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.bootstrap.servers=127.0.0.1:{controller}",
                f"listeners=SASL_PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
                f"advertised.listeners=SASL_PLAINTEXT://127.0.0.1:{port}",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=SASL_PLAINTEXT",
                "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
                f"listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config={jaas}",
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                # the broker itself and the controller listener's clients, then the admin
                "super.users=User:admin;User:ANONYMOUS",
                "allow.everyone.if.no.acl.found=false",
                f"log.dirs={directory / 'data'}",
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "",
            ]
        )
    )
    return path


async def _answers(bootstrap: str) -> bool:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=3000, **ADMIN.client_options()
    )
    try:
        await asyncio.wait_for(admin.start(), 5)
        await asyncio.wait_for(admin.describe_cluster(), 5)
    except Exception:  # not up yet
        return False
    finally:
        await admin.close()
    return True


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{command[3:5]} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def sasl_bootstrap(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A broker on 127.0.0.1 that speaks SASL_PLAINTEXT with SCRAM-SHA-512, knows ``admin``
    (a super user) and ``kafka-progress``, which may write and read ``progress.events`` and use
    the group ``progress``, nothing else. ``kafka_bootstrap``: the local stack, whose Kafka jars
    this broker runs from."""
    del kafka_bootstrap
    java = require_tool("java", "run a Kafka broker", "Install a Java 17+ runtime.")
    jars = ensure_jars(KafkaLayout(StackPaths.from_environment()))
    directory = tmp_path_factory.mktemp("sasl-kafka")
    port, controller = _free_port(), _free_port()
    config = _config(directory, port, controller)
    cluster_id = "sasl" + uuid.uuid4().hex[:18]
    _run(
        [
            *storage_format_command(jars, config, cluster_id, standalone=True),
            "--add-scram",
            f"SCRAM-SHA-512=[name=admin,password={ADMIN.password}]",
            "--add-scram",
            f"SCRAM-SHA-512=[name=kafka-progress,password={PROGRESS_PASSWORD}]",
        ]
    )
    log = (directory / "kafka.log").open("w")
    broker = subprocess.Popen(
        [java, "-Xmx256m", "-Xms128m", "-cp", f"{jars}/*", "kafka.Kafka", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    bootstrap = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not asyncio.run(_answers(bootstrap)):
            assert broker.poll() is None, (directory / "kafka.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the SASL broker did not start in 120 s"
            time.sleep(1)
        admin_config = directory / "admin.properties"
        admin_config.write_text(
            f"bootstrap.servers={bootstrap}\n"
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="admin" password="{ADMIN.password}";\n'
        )
        (directory / "Grant.java").write_text(GRANT)
        _run([java, "-cp", f"{jars}/*", str(directory / "Grant.java"), str(admin_config),
              "User:kafka-progress", f"TOPIC:{OWN_TOPIC}:READ", f"TOPIC:{OWN_TOPIC}:WRITE",
              "GROUP:progress:READ"])  # fmt: skip
        asyncio.run(ensure_topics(bootstrap, [(OWN_TOPIC, 1), (OTHER_TOPIC, 1)], security=ADMIN))
        yield bootstrap
    finally:
        broker.terminate()
        try:
            broker.wait(30)
        except subprocess.TimeoutExpired:
            broker.kill()
            broker.wait()
        log.close()


def _progress_settings(
    monkeypatch: pytest.MonkeyPatch, bootstrap: str, password: str
) -> KafkaSecurity:
    for name, value in {
        "SERVICE_NAME": "progress",
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "MONGODB_URL": "mongodb://unused:27017/",
        "MONGODB_DATABASE": "progress",
        "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "kafka-progress",
        "KAFKA_SASL_PASSWORD": password,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KAFKA_SSL_CAFILE", raising=False)
    return load_settings(ServiceSettings).kafka_security()


async def test_a_service_publishes_and_reads_its_topic_with_its_credentials(
    sasl_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = _progress_settings(monkeypatch, sasl_bootstrap, PROGRESS_PASSWORD)
    marker = uuid.uuid4().hex.encode()
    broker = make_broker(sasl_bootstrap, client_id="progress", security=security)
    await broker.connect()
    try:
        await broker.publish(marker, OWN_TOPIC, key=b"k")
    finally:
        await broker.stop()
    reader = AIOKafkaConsumer(
        bootstrap_servers=sasl_bootstrap,
        group_id="progress",
        enable_auto_commit=False,
        **security.client_options(),
    )
    await reader.start()
    try:
        partition = TopicPartition(OWN_TOPIC, 0)
        reader.assign([partition])
        await reader.seek_to_beginning(partition)
        values: list[bytes | None] = []
        deadline = time.monotonic() + 30
        while marker not in values and time.monotonic() < deadline:
            batch = await reader.getmany(partition, timeout_ms=500)
            values += [r.value for r in batch.get(partition, [])]
        assert marker in values
        await reader.commit()  # its consumer group is allowed too
    finally:
        await reader.stop()


async def test_a_topic_the_acls_do_not_name_is_refused(
    sasl_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    security = _progress_settings(monkeypatch, sasl_bootstrap, PROGRESS_PASSWORD)
    broker = make_broker(
        sasl_bootstrap, client_id="progress", security=security, request_timeout_ms=5000
    )
    await broker.connect()
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await broker.publish(b"not mine", OTHER_TOPIC, key=b"k")
    finally:
        await broker.stop()


@pytest.mark.parametrize("credentials", ["none", "wrong password"])
async def test_without_its_credentials_a_service_is_refused(
    sasl_bootstrap: str, monkeypatch: pytest.MonkeyPatch, credentials: str
) -> None:
    security = (
        KafkaSecurity()
        if credentials == "none"
        else _progress_settings(monkeypatch, sasl_bootstrap, "not-the-password")
    )
    broker = make_broker(
        sasl_bootstrap, client_id="progress", security=security, request_timeout_ms=5000
    )
    with pytest.raises(KafkaConnectionError, match="Unable to bootstrap"):
        await asyncio.wait_for(broker.connect(), 60)
    await broker.stop()
    # the broker is there: the same service with its password connects at once
    allowed = make_broker(
        sasl_bootstrap,
        client_id="progress",
        security=_progress_settings(monkeypatch, sasl_bootstrap, PROGRESS_PASSWORD),
    )
    await allowed.connect()
    await allowed.stop()
